"""Readers over a segmented generation: vectors, BM25 and filter columns across its segments.

The store interfaces hide segments: ``Index`` opens ``SegmentedVectors``,
``SegmentedKeyword`` and ``SegmentedColumnRecords`` (the backends 'segments',
'bm25-segments' and 'columns-segments' that a segmented generation's manifest
names in ``readers``) and they merge per-segment answers at query time. Rows
named in the generation's tombstones never come back.

What a segment holds never changes, so its in-memory structures (flat vectors
with their PQ/SQ8 shortlists, BM25 term frequencies, filter columns) are shared
by every ``Index`` of the process that reads it (``_shared``, weak references):
opening the generation an upload just published loads only the new segment, and
six generations alive at once hold one copy of the big one. What depends on the
generation (tombstones, BM25 statistics, the combined columns) is per ``Index``.

BM25 statistics are global: N (live rows), the average length of live rows and
each term's (and at query time each phrase's) document frequency over live rows
of all segments weigh every segment, so a paragraph scores the same however the
index is cut into segments, and exactly as FTS5 scores it over the generation's
SQLite file (which holds the live rows only): tests/store/test_segments.py.
"""

from __future__ import annotations

import json
import threading
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np

from evsearch.errors import IndexCorruptError
from evsearch.store import lexicon, segments
from evsearch.store.base import Generation, Hits, KeywordIndex, VectorIndex
from evsearch.store.bm25_matrix import Bm25Matrix, bm25_weights, clauses, is_plain_or, tokenizer
from evsearch.store.columns import ParagraphColumns
from evsearch.store.fts import Fts5Keyword
from evsearch.store.quantized import FastFlatVectors, open_fast
from evsearch.store.sqlite_records import ColumnRecords

T = TypeVar("T")
_SHARED: "weakref.WeakValueDictionary[tuple, Any]" = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()


def _shared(folder: Path, entry: dict[str, Any], what: str, build: Callable[[], T]) -> T:
    """One in-memory copy per segment per process. The key includes the ids file's inode and
    mtime, so a segment number reused after its folder was deleted is never confused with it."""
    stat = (folder / entry["files"]["ids"]).stat()
    key = (str(folder), stat.st_ino, stat.st_mtime_ns, what)
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = build()
            _SHARED[key] = found
        return found


def _parts(gen: Generation) -> tuple[list[tuple[Path, dict[str, Any]]], np.ndarray]:
    index_dir = gen.gen_dir.parent
    return [(index_dir / e["name"], e) for e in gen.manifest["segments"]], segments.read_deleted(gen.gen_dir, gen.manifest)


def _top(ids: np.ndarray, scores: np.ndarray, k: int) -> Hits:
    """Best ``k`` by score, ties by id (every row tied with the k-th is considered: deterministic)."""
    if len(ids) == 0 or k <= 0:
        return []
    if len(ids) > k:
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        keep = np.flatnonzero(scores >= kth)
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


class SegmentedVectors(VectorIndex):
    """Read-only inner-product search over the flat stores of all segments (each with its own
    PQ/SQ8 fast path when ``gen.fast``), tombstoned rows excluded."""

    kind = "flat"

    def __init__(self, dimension: int, stores: list[VectorIndex], live: list[np.ndarray]) -> None:
        super().__init__(dimension)
        self.stores, self.live = stores, live
        self._dead = [np.setdiff1d(s.ids(), keep) for s, keep in zip(stores, live)]
        all_ids = np.concatenate(live) if live else np.zeros(0, dtype=np.int64)
        seg_of = np.concatenate([np.full(len(ids), i) for i, ids in enumerate(live)]) if live else np.zeros(0, int)
        order = np.argsort(all_ids, kind="stable")
        self._all, self._seg_of = all_ids[order], seg_of[order]

    @classmethod
    def open(cls, gen: Generation) -> "SegmentedVectors":
        parts, deleted = _parts(gen)
        stores, live = [], []
        for folder, entry in parts:
            store = _shared(folder, entry, f"vectors-{gen.fast}", lambda f=folder, e=entry: cls._load(gen, f, e))
            stores.append(store)
            live.append(np.setdiff1d(np.sort(store.ids()), deleted))
        return cls(gen.dimension, stores, live)

    @staticmethod
    def _load(gen: Generation, folder: Path, entry: dict[str, Any]) -> VectorIndex:
        store = FastFlatVectors.load(folder / entry["files"]["vectors"], gen.dimension)
        if gen.fast and len(store):
            pq = entry["files"].get("pq")
            return open_fast(store, folder / pq if pq else None)  # type: ignore[arg-type]
        return store

    def __len__(self) -> int:
        return len(self._all)

    def ids(self) -> np.ndarray:
        return self._all.copy()

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._all, ids), max(len(self._all) - 1, 0))
        missing = ids[self._all[pos] != ids] if len(self._all) else ids
        if len(missing):
            raise KeyError(int(missing[0]))
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        for seg in np.unique(self._seg_of[pos]) if len(ids) else []:
            mask = self._seg_of[pos] == seg
            out[mask] = self.stores[int(seg)].vectors(ids[mask])
        return out

    def search(self, query: np.ndarray, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        if k <= 0 or len(self._all) == 0:
            return []
        found_ids, found_scores = [], []
        cand = None if candidate_ids is None else np.unique(np.asarray(candidate_ids, dtype=np.int64))
        for store, keep, dead in zip(self.stores, self.live, self._dead):
            if len(keep) == 0:
                continue
            if cand is not None:
                mine = np.intersect1d(cand, keep, assume_unique=True)
                hits = store.search(query, k, mine) if len(mine) else []
            elif len(dead):  # ask for enough to fill k after dropping tombstoned rows
                hits = [h for h in store.search(query, k + len(dead)) if not _member(dead, h[0])]
            else:
                hits = store.search(query, k)
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
        self.stores = []  # shared with other readers: dropped, never closed here


def _member(sorted_ids: np.ndarray, value: int) -> bool:
    pos = int(np.searchsorted(sorted_ids, value))
    return pos < len(sorted_ids) and int(sorted_ids[pos]) == value


class SegmentedKeyword(KeywordIndex):
    """'bm25-segments': each segment's term frequencies weighed at query time with global statistics.

    WHY at query time: BM25 weights depend on N, the average length and each term's document
    frequency, which every write changes; weighing every posting on open cost ~90 ms and 8 bytes
    per posting per open generation at 34k paragraphs, while a query weighs only its terms'
    postings, and each term once per generation (an LRU of weighed terms)."""

    kind = "bm25-segments"
    cheap_filter = True

    def __init__(self, matrices: list[Bm25Matrix], live: list[np.ndarray], fts: Fts5Keyword) -> None:
        self.matrices, self.live, self.fts = matrices, live, fts
        self.n_rows = int(sum(int(m.sum()) for m in live))
        total = sum(float(mat.doc_len[m].sum()) for mat, m in zip(matrices, live))
        self.avgdl = total / max(self.n_rows, 1)
        self._weighed = lru_cache(maxsize=8192)(self._weigh)  # common words recur in most queries
        self._orders: list[np.ndarray | None] = [None] * len(matrices)  # each segment's ids, sorted (lazily)

    def _rows_of(self, i: int, candidate_ids: np.ndarray) -> np.ndarray:
        """Rows of segment ``i`` that hold ``candidate_ids``, ascending: a binary search per
        candidate. WHY: the ranker asks one restricted lookup per query clause over ~100
        candidates; testing every row's id against them (``np.isin``) scanned the whole segment
        each time (0.2-0.4 ms a call on the 38k-paragraph corpus)."""
        ids = self.matrices[i].ids
        if len(ids) == 0 or len(candidate_ids) == 0:
            return np.zeros(0, dtype=np.int64)
        order = self._orders[i]
        if order is None:
            order = self._orders[i] = np.argsort(ids, kind="stable")
        rows = order[np.minimum(np.searchsorted(ids, candidate_ids, sorter=order), len(ids) - 1)]
        return np.unique(rows[ids[rows] == candidate_ids])

    def _term(self, token: str) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """Per segment, the live (rows, tf) of a term's postings (None where the term is absent)."""
        out: list[tuple[np.ndarray, np.ndarray] | None] = []
        for mat, m in zip(self.matrices, self.live):
            col = mat.terms.get(token)
            if col is None:
                out.append(None)
                continue
            a, b = mat.indptr[col], mat.indptr[col + 1]
            rows, tf = mat.rows[a:b], mat.tf[a:b]
            keep = m[rows]
            out.append((rows, tf) if keep.all() else (rows[keep], tf[keep]))
        return out

    def _weigh(self, tokens: tuple[str, ...]) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """Per segment, (rows, BM25 weights) of a term or phrase under this generation's statistics:
        N, avgdl and the document frequency over the live rows of all segments."""
        if len(tokens) == 1:
            found = self._term(tokens[0])
        else:  # a phrase: consecutive offsets in each segment
            found = []
            for mat, m in zip(self.matrices, self.live):
                rows, tf = mat.phrase_tf(tokens)
                keep = m[rows] if len(rows) else np.zeros(0, dtype=bool)
                found.append((rows[keep], tf[keep]))
        n_hit = float(sum(len(f[0]) for f in found if f is not None))
        out: list[tuple[np.ndarray, np.ndarray] | None] = []
        for mat, hit in zip(self.matrices, found):
            if hit is None or len(hit[0]) == 0:
                out.append(None)
            else:
                out.append((hit[0], bm25_weights(hit[1], n_hit, mat.doc_len[hit[0]], self.n_rows, self.avgdl)))
        return out

    @classmethod
    def open(cls, gen: Generation) -> "SegmentedKeyword":
        parts, deleted = _parts(gen)
        matrices, live = [], []
        for folder, entry in parts:
            matrix = _shared(folder, entry, "bm25", lambda f=folder, e=entry: cls._load(f / e["files"]["bm25"]))
            matrices.append(matrix)
            live.append(~np.isin(matrix.ids, deleted))
        return cls(matrices, live, Fts5Keyword(gen.db))

    @staticmethod
    def _load(path: Path) -> Bm25Matrix:
        try:
            return Bm25Matrix.load(path)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"segment file {path} cannot be read: {exc}") from exc

    def search(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        if not is_plain_or(fts_query):
            return self.fts.search(fts_query, k, candidate_ids)
        scores = [np.zeros(len(m.ids)) for m in self.matrices]
        for tokens in tokenizer().tokens_of(clauses(fts_query)):
            if tokens:
                for out, hit in zip(scores, self._weighed(tokens)):
                    if hit is not None:
                        out[hit[0]] += hit[1]
        ids, values = [], []
        cand = None if candidate_ids is None else np.asarray(candidate_ids, dtype=np.int64)
        for i, (mat, m, out) in enumerate(zip(self.matrices, self.live, scores)):
            if cand is None:
                rows = np.flatnonzero((out > 0) & m)
            else:
                rows = self._rows_of(i, cand)
                rows = rows[(out[rows] > 0) & m[rows]]
            ids.append(mat.ids[rows])
            values.append(out[rows])
        if not ids:
            return []
        return _top(np.concatenate(ids), np.concatenate(values), k)


class SegmentedColumnRecords(ColumnRecords):
    """'columns-segments': the filter columns of each segment's rows (read from SQLite once per
    segment per process), combined with this generation's tombstones and report facts."""

    kind = "columns-segments"

    @classmethod
    def open(cls, gen: Generation) -> "SegmentedColumnRecords":
        parts, deleted = _parts(gen)
        columns = []
        for folder, entry in parts:
            seg = _shared(folder, entry, "columns",
                          lambda f=folder, e=entry: ParagraphColumns(gen.db, segments.segment_ids(f.parent, e)))  # fmt: skip
            columns.append((seg, ~np.isin(seg.ids, deleted)))
        records = cls(gen.db, str(gen.gen_dir.parent), ParagraphColumns.combine(columns, gen.db))
        records.parts = [seg for seg, _ in columns]  # keeps the shared per-segment columns alive
        return records


def lexicon_of(gen: Generation) -> dict[str, Any]:
    """The corpus lexicon combined from the counts of every segment (lexicon.combine)."""
    parts = []
    for folder, entry in _parts(gen)[0]:
        parts.append(json.loads((folder / entry["files"]["lexicon"]).read_text(encoding="utf-8")))
    return lexicon.combine(parts)
