"""Readers over a segmented generation: one vector index and one BM25 index across its segments.

The store interfaces hide segments: ``Index`` opens one ``SegmentedVectors`` and one
``SegmentedKeyword`` (the backends 'segments' and 'bm25-segments' that a segmented
generation's manifest names in ``readers``) and merges per-segment answers at query time. Rows named in the
generation's tombstones never come back.

BM25 statistics are global: N (live rows), the average length of live rows and each
term's document frequency over live rows of all segments are computed on open and every
segment is weighed with them, so a paragraph scores the same however the index is cut
into segments, and exactly as FTS5 scores it over the generation's SQLite file (which
holds the live rows only): tests/store/test_segments.py holds that parity.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexCorruptError
from evsearch.store import lexicon, segments
from evsearch.store.base import Generation, Hits, KeywordIndex, VectorIndex
from evsearch.store.bm25_matrix import Bm25Matrix, clauses, is_plain_or, tokenizer
from evsearch.store.fts import Fts5Keyword
from evsearch.store.quantized import FastFlatVectors, open_fast


def _parts(gen: Generation) -> tuple[list[tuple[Path, dict[str, Any]]], np.ndarray]:
    index_dir = gen.gen_dir.parent
    return [(index_dir / e["name"], e) for e in gen.manifest["segments"]], segments.read_deleted(gen.gen_dir, gen.manifest)


def _top(ids: np.ndarray, scores: np.ndarray, k: int) -> Hits:
    if len(ids) == 0 or k <= 0:
        return []
    order = np.lexsort((ids, -scores))[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


class SegmentedVectors(VectorIndex):
    """Read-only inner-product search over the flat stores of all segments (each with its own
    PQ/SQ8 fast path when ``gen.fast``), tombstoned rows excluded."""

    kind = "flat"

    def __init__(self, dimension: int, stores: list[VectorIndex], live: list[np.ndarray], dead: list[int]) -> None:
        super().__init__(dimension)
        self.stores, self.live, self.dead = stores, live, dead
        self._all = np.concatenate(live) if live else np.zeros(0, dtype=np.int64)
        self._seg_of = np.concatenate([np.full(len(ids), i) for i, ids in enumerate(live)]) if live else np.zeros(0)
        order = np.argsort(self._all, kind="stable")
        self._all, self._seg_of = self._all[order], self._seg_of[order]
        self._dead_ids = [np.setdiff1d(s.ids(), keep) for s, keep in zip(stores, live)]

    @classmethod
    def open(cls, gen: Generation) -> "SegmentedVectors":
        parts, deleted = _parts(gen)
        stores, live, dead = [], [], []
        for folder, entry in parts:
            store = FastFlatVectors.load(folder / entry["files"]["vectors"], gen.dimension)
            ids = np.sort(store.ids())
            keep = np.setdiff1d(ids, deleted)
            if gen.fast and len(store):
                pq = entry["files"].get("pq")
                store = open_fast(store, folder / pq if pq else None)  # type: ignore[arg-type]
            stores.append(store)
            live.append(keep)
            dead.append(len(ids) - len(keep))
        return cls(gen.dimension, stores, live, dead)

    def __len__(self) -> int:
        return len(self._all)

    def ids(self) -> np.ndarray:
        return self._all.copy()

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.searchsorted(self._all, ids)
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        for i, (p, wanted) in enumerate(zip(pos, ids)):
            if p >= len(self._all) or self._all[p] != wanted:
                raise KeyError(int(wanted))
        for seg in np.unique(self._seg_of[pos]) if len(ids) else []:
            mask = self._seg_of[pos] == seg
            out[mask] = self.stores[int(seg)].vectors(ids[mask])
        return out

    def search(self, query: np.ndarray, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        if k <= 0 or len(self._all) == 0:
            return []
        found_ids, found_scores = [], []
        cand = None if candidate_ids is None else np.unique(np.asarray(candidate_ids, dtype=np.int64))
        for store, keep, n_dead, dead_ids in zip(self.stores, self.live, self.dead, self._dead_ids):
            if len(keep) == 0:
                continue
            if cand is not None:
                mine = np.intersect1d(cand, keep, assume_unique=True)
                hits = store.search(query, k, mine) if len(mine) else []
            else:
                hits = store.search(query, k + n_dead)
                if n_dead:
                    hits = [h for h in hits if not _member(dead_ids, h[0])]
            found_ids.extend(h[0] for h in hits)
            found_scores.extend(h[1] for h in hits)
        return _top(np.asarray(found_ids, dtype=np.int64), np.asarray(found_scores), k)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        raise TypeError("a published generation is read-only")

    def remove(self, ids: np.ndarray) -> int:
        raise TypeError("a published generation is read-only")

    def save(self, path: Path) -> None:
        raise TypeError("segments are saved one by one (segments.NewSegment)")

    @classmethod
    def load(cls, path: Path, dimension: int) -> "SegmentedVectors":
        raise TypeError("open a segmented generation with SegmentedVectors.open")

    def close(self) -> None:
        for store in self.stores:
            store.close()


def _member(sorted_ids: np.ndarray, value: int) -> bool:
    pos = int(np.searchsorted(sorted_ids, value))
    return pos < len(sorted_ids) and int(sorted_ids[pos]) == value


class SegmentedKeyword(KeywordIndex):
    """'bm25-matrix' over segments: each segment's term frequencies weighed with global statistics."""

    kind = "bm25-segments"
    cheap_filter = True

    def __init__(self, matrices: list[Bm25Matrix], live: list[np.ndarray], fts: Fts5Keyword) -> None:
        self.matrices, self.live, self.fts = matrices, live, fts
        self.n_rows = int(sum(int(m.sum()) for m in live))
        total = sum(float(mat.doc_len[m].sum()) for mat, m in zip(matrices, live))
        self.avgdl = total / max(self.n_rows, 1)
        df: Counter = Counter()
        per_segment = []
        for mat, m in zip(matrices, live):
            counts = np.bincount(np.repeat(np.arange(len(mat._term_list)), np.diff(mat.indptr))[m[mat.rows]],
                                 minlength=len(mat._term_list))  # fmt: skip
            per_segment.append(counts)
            df.update({t: int(c) for t, c in zip(mat._term_list, counts) if c})
        for mat, m in zip(matrices, live):
            global_df = np.fromiter((df.get(t, 0) for t in mat._term_list), dtype=np.float64, count=len(mat._term_list))
            mat.weigh(self.n_rows, self.avgdl, global_df, m)

    @classmethod
    def open(cls, gen: Generation) -> "SegmentedKeyword":
        parts, deleted = _parts(gen)
        matrices, live = [], []
        for folder, entry in parts:
            path = folder / entry["files"]["bm25"]
            try:
                matrix = Bm25Matrix.load(path)
            except (OSError, ValueError, KeyError) as exc:
                raise IndexCorruptError(f"segment file {path} cannot be read: {exc}") from exc
            matrices.append(matrix)
            live.append(~np.isin(matrix.ids, deleted))
        return cls(matrices, live, Fts5Keyword(gen.db))

    def search(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        if not is_plain_or(fts_query):
            return self.fts.search(fts_query, k, candidate_ids)
        scores = [np.zeros(len(m.ids)) for m in self.matrices]
        for tokens in tokenizer().tokens_of(clauses(fts_query)):
            if len(tokens) == 1:
                for mat, out in zip(self.matrices, scores):
                    col = mat.terms.get(tokens[0])
                    if col is not None:
                        a, b = mat.indptr[col], mat.indptr[col + 1]
                        out[mat.rows[a:b]] += mat.weights[a:b]
            elif len(tokens) > 1:  # a phrase: its document frequency over all live segments
                found = []
                for mat, m in zip(self.matrices, self.live):
                    rows, tf = mat.phrase_tf(tokens)
                    keep = m[rows] if len(rows) else np.zeros(0, dtype=bool)
                    found.append((rows[keep], tf[keep]))
                n_hit = float(sum(len(r) for r, _ in found))
                for mat, out, (rows, tf) in zip(self.matrices, scores, found):
                    if len(rows):
                        out[rows] += mat._weights(tf, n_hit, rows)
        ids, values = [], []
        cand = None if candidate_ids is None else np.asarray(candidate_ids, dtype=np.int64)
        for mat, m, out in zip(self.matrices, self.live, scores):
            hit = (out > 0) & m
            if cand is not None:
                hit &= np.isin(mat.ids, cand)
            rows = np.flatnonzero(hit)
            ids.append(mat.ids[rows])
            values.append(out[rows])
        if not ids:
            return []
        return _top(np.concatenate(ids), np.concatenate(values), k)


def lexicon_of(gen: Generation) -> dict[str, Any]:
    """The corpus lexicon combined from the counts of every segment (lexicon.combine)."""
    parts = []
    for folder, entry in _parts(gen)[0]:
        parts.append(json.loads((folder / entry["files"]["lexicon"]).read_text(encoding="utf-8")))
    return lexicon.combine(parts)
