"""In-memory BM25 over the FTS5 index: one sparse term-document matrix of BM25 weights.

WHY: an FTS5 ``MATCH 'a' OR 'b' ... ORDER BY bm25()`` query scores every
matching row through SQLite's virtual-table machinery (about 20 ms per query
on the 35k-paragraph corpus, and far worse with a ``rowid IN (...)`` filter,
which SQLite evaluates per id). BM25 is a sum over query terms of a per
(term, document) weight, so the weights can be computed once per index
generation and a query becomes a sum of a few sparse columns (~1 ms), with
filters as a numpy mask.

Parity with FTS5 is exact, not approximate: the matrix is read from the FTS5
index itself (``fts5vocab`` 'instance' table: the tokens FTS5 stored, after
its porter/unicode61 tokenizer), the weights use FTS5's own formula
(k1=1.2, b=0.75, idf = ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6, one
column), and query words are tokenized by an FTS5 table with the same
tokenizer. Multi-token clauses (phrases) are matched on the token offsets
FTS5 stored (consecutive offsets, as FTS5 matches a phrase) and weighted by
the same formula with the phrase's own document frequency; BM25 is additive
over phrases, so the sum equals FTS5's score of the whole OR query.
FTS5 stays the source of truth: the matrix is derived, built into the
generation folder by the writer (derived.py) and can always be rebuilt from
the SQLite file.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexCorruptError
from evsearch.models.files import atomic_replace
from evsearch.store.base import Generation, Hits, KeywordIndex
from evsearch.store.fts import Fts5Keyword
from evsearch.store.schema import FTS_TOKENIZER

K1 = 1.2
B = 0.75
FORMAT = 3  # bump when the file's layout changes (3: term frequencies, weighed on load; 2: weights)
READABLE = (2, 3)

# SQL of this module (derived data only; the schema itself lives in schema.py).
_VOCAB = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.evs_bm25_vocab USING fts5vocab(main, paragraphs_fts, instance)"
_INSTANCES = "SELECT term, doc, offset FROM temp.evs_bm25_vocab"
_ROW_COUNT = "SELECT count(*) FROM paragraphs_fts_docsize"
READ_CHUNK = 500_000  # FTS5 token instances read per fetch while building
TOKENIZE_CHUNK = 2_000  # texts tokenized at a time while building a segment's matrix (from_texts)
_CLAUSE = re.compile(r'"((?:[^"]|"")*)"')


class Tokenizer:
    """FTS5's own tokenizer, run on text through a private in-memory FTS5 table.

    ``cache=False`` for one-off bulk use (the Milvus backend tokenizes every paragraph once)."""

    def __init__(self, size: int = 65536, *, cache: bool = True) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.execute(f"CREATE VIRTUAL TABLE t USING fts5 (text, tokenize='{FTS_TOKENIZER}')")
        self._conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        self._cache: dict[str, tuple[str, ...]] = {}
        self._size = size if cache else 0

    def tokens_of(self, texts: list[str]) -> list[tuple[str, ...]]:
        """Tokens of each text; the uncached ones are tokenized in one round trip (one row each)."""
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if todo:
                self._conn.executemany("INSERT INTO t (rowid, text) VALUES (?, ?)", list(enumerate(todo)))
                try:
                    rows = self._conn.execute("SELECT doc, term FROM v ORDER BY doc, offset").fetchall()
                finally:
                    self._conn.execute("DELETE FROM t")
                found: dict[int, list[str]] = {}
                for doc, term in rows:
                    found.setdefault(doc, []).append(term)
                fresh = {text: tuple(found.get(i, ())) for i, text in enumerate(todo)}
                if not self._size:
                    return [fresh[t] for t in texts]
                if len(self._cache) + len(todo) > self._size:
                    self._cache.clear()
                self._cache.update(fresh)
            return [self._cache[t] for t in texts]

    def tokens(self, text: str) -> tuple[str, ...]:
        return self.tokens_of([text])[0]


_tokenizer: Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def tokenizer() -> Tokenizer:
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            _tokenizer = Tokenizer()
    return _tokenizer


def clauses(fts_query: str) -> list[str]:
    """The phrase strings of an OR-of-quoted-phrases query (retrieve.keyword_query's output)."""
    return [m.group(1).replace('""', '"') for m in _CLAUSE.finditer(fts_query)]


def is_plain_or(fts_query: str) -> bool:
    """True when ``fts_query`` is only quoted phrases joined by OR (what the matrix can answer)."""
    rest = _CLAUSE.sub("", fts_query)
    return bool(_CLAUSE.search(fts_query)) and not rest.replace("OR", "").strip()


def bm25_weights(tf: np.ndarray, n_hit: np.ndarray | float, doc_len: np.ndarray, n_rows: int, avgdl: float) -> np.ndarray:
    """FTS5's bm25(): idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl)), idf floored at 1e-6."""
    idf = np.log((n_rows - n_hit + 0.5) / (n_hit + 0.5))
    idf = np.where(idf <= 0.0, 1e-6, idf)
    return idf * (tf * (K1 + 1.0)) / (tf + K1 * (1.0 - B + B * doc_len / max(avgdl, 1e-12)))


class Bm25Matrix:
    """CSC matrix (documents x terms) of FTS5 BM25 weights, plus token positions for phrases."""

    _SHIFT = 24  # position key = matrix row << 24 | token offset (paragraphs are far below 16M tokens)

    def __init__(self, arrays: dict[str, np.ndarray], terms: list[str]) -> None:
        self.arrays = arrays
        self.ids = arrays["ids"]  # sorted FTS rowids (paragraph ids), one per matrix row
        self.doc_len = arrays["doc_len"]
        self.n_rows = int(arrays["n_rows"][0])
        self.avgdl = float(self.doc_len.sum()) / max(self.n_rows, 1)
        self.indptr, self.rows = arrays["indptr"], arrays["rows"]
        self.pos_ptr, self.pos_keys = arrays["pos_ptr"], arrays["pos_keys"]
        self._term_list = terms
        self.terms = {t: i for i, t in enumerate(terms)}
        self._phrases = lru_cache(maxsize=4096)(self._phrase_weights)
        self.phrase_tf = lru_cache(maxsize=4096)(self._phrase_tf)  # type: ignore[method-assign]
        # FORMAT 3 stores term frequencies, weighed on load (a segment's are weighed with the
        # statistics of all live segments by segment_readers.py, not here); FORMAT 2 stored weights
        self.tf = arrays.get("tf")
        self._weights_of_own = arrays.get("weights")

    @property
    def weights(self) -> np.ndarray:
        """Posting weights under this matrix's own statistics (computed on first use: a segment's
        matrix is weighed by its reader with global statistics instead)."""
        if self._weights_of_own is None:
            self._weights_of_own = self.weigh()
        return self._weights_of_own

    # -- build / persistence
    @classmethod
    def build(cls, db: Any) -> "Bm25Matrix":
        """From a Database (``rows_sql``): read FTS5's token instances and compute the weights."""
        db.rows_sql(_VOCAB)
        n_rows = int(db.rows_sql(_ROW_COUNT)[0][0])
        # instances come ordered by term, doc, offset; read in chunks into numpy (tens of millions
        # of rows on a large index: Python tuples for all of them would take gigabytes)
        terms: list[str] = []
        term_parts, doc_parts, offset_parts = [], [], []
        last = None
        for chunk in db.chunks_sql(_INSTANCES, READ_CHUNK):
            term_of_chunk = np.empty(len(chunk), dtype=np.int32)
            for i, row in enumerate(chunk):
                if row[0] != last:
                    last = row[0]
                    terms.append(last)
                term_of_chunk[i] = len(terms) - 1
            term_parts.append(term_of_chunk)
            doc_parts.append(np.fromiter((r[1] for r in chunk), dtype=np.int64, count=len(chunk)))
            offset_parts.append(np.fromiter((r[2] for r in chunk), dtype=np.int64, count=len(chunk)))
        empty_i32, empty_i64 = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        term_of = np.concatenate(term_parts) if term_parts else empty_i32
        docs = np.concatenate(doc_parts) if doc_parts else empty_i64
        offsets = np.concatenate(offset_parts) if offset_parts else empty_i64
        del term_parts, doc_parts, offset_parts
        return cls._from_instances(terms, term_of, docs, offsets, n_rows)

    @classmethod
    def from_texts(cls, ids: np.ndarray, texts: list[str], *, chunk: int | None = None) -> "Bm25Matrix":
        """The matrix of just these rows (``texts[i]`` is row ``ids[i]``), tokenized by FTS5's own
        tokenizer (what FTS5 stores for them): a new segment costs its own rows, not a scan of the
        whole FTS5 index.

        WHY in chunks: tokens as Python objects cost ~100 bytes each, so a whole segment's
        (4M on the corpus) took most of the indexing run's peak memory. Texts are tokenized
        ``chunk`` (TOKENIZE_CHUNK) at a time into numpy position keys (8 bytes a token), and a
        counting sort by term places them straight into the final arrays: the same arrays, in
        the same order, as sorting all of the segment's tokens at once would give."""
        all_ids = np.asarray(ids, dtype=np.int64)
        row_ids = np.unique(all_ids)
        if len(row_ids) != len(all_ids) or len(texts) != len(all_ids):
            raise ValueError(f"{len(texts)} texts for {len(all_ids)} ids ({len(row_ids)} distinct): "
                             "one text per distinct id")
        rows = np.searchsorted(row_ids, all_ids)
        vocab, parts = _token_runs(rows, texts, chunk or TOKENIZE_CHUNK)
        terms = sorted(vocab)
        rank = np.empty(len(terms), dtype=np.int64)
        rank[np.fromiter((vocab[t] for t in terms), dtype=np.int64, count=len(terms))] = np.arange(len(terms))
        per_term = np.zeros(len(terms), dtype=np.int64)
        for run_terms, run_lengths, _ in parts:
            per_term[rank[run_terms]] += run_lengths  # a term is one run of its chunk: no repeated index
        pos_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(per_term, out=pos_ptr[1:])
        count = int(pos_ptr[-1])
        # counting sort: a chunk's run of term t goes after the earlier chunks' (lower rows) runs of t
        pos_keys = np.empty(count, dtype=np.int64)
        fill = pos_ptr[:-1].copy()
        while parts:
            run_terms, run_lengths, keys = parts.pop(0)
            at = fill[rank[run_terms]]
            run_starts = np.cumsum(run_lengths) - run_lengths
            pos_keys[np.repeat(at - run_starts, run_lengths) + np.arange(len(keys))] = keys
            fill[rank[run_terms]] = at + run_lengths
            del keys, at
        # postings: one entry per (term, row) with its term frequency (int32 rows and no int64
        # temporaries the size of all tokens: this step set the peak of a segment's build)
        row_of = np.empty(count, dtype=np.int32)
        np.right_shift(pos_keys, cls._SHIFT, out=row_of, casting="unsafe")
        first = np.ones(count, dtype=bool)
        np.not_equal(row_of[1:], row_of[:-1], out=first[1:])
        first[pos_ptr[:-1]] = True  # a new term starts a new posting (every term has a token)
        starts = np.flatnonzero(first)
        del first
        tf = np.empty(len(starts), dtype=np.float64)
        np.subtract(starts[1:], starts[:-1], out=tf[:-1], casting="unsafe")
        tf[-1:] = count - starts[-1:]
        p_row = row_of[starts]
        del row_of
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        indptr[1:] = np.searchsorted(starts, pos_ptr[1:])
        del starts
        # tokens a row: the sum of its tf (as float64 even when empty, which bincount gives as int64)
        doc_len = np.bincount(p_row, weights=tf, minlength=len(row_ids)).astype(np.float64, copy=False)
        arrays = {"ids": row_ids, "doc_len": doc_len, "n_rows": np.array([len(all_ids)]), "indptr": indptr,
                  "rows": p_row, "tf": tf, "pos_ptr": pos_ptr, "pos_keys": pos_keys}  # fmt: skip
        return cls(arrays, terms)

    @classmethod
    def _from_instances(
        cls, terms: list[str], term_of: np.ndarray, docs: np.ndarray, offsets: np.ndarray, n_rows: int,
        all_ids: np.ndarray | None = None,
    ) -> "Bm25Matrix":  # fmt: skip
        count = len(term_of)
        ids, row_of = np.unique(docs, return_inverse=True)
        if all_ids is not None and len(all_ids) != len(ids):  # rows without a token still count
            ids = np.unique(all_ids)
            row_of = np.searchsorted(ids, docs)
        order = np.lexsort((offsets, row_of, term_of))  # (term, row, offset): normally already so
        term_of, row_of, offsets = term_of[order], row_of[order], offsets[order]
        pos_keys = (row_of.astype(np.int64) << cls._SHIFT) | offsets
        pos_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_of, minlength=len(terms)), out=pos_ptr[1:])
        doc_len = np.bincount(row_of, minlength=len(ids)).astype(np.float64)
        # postings: one entry per (term, row) with its term frequency
        pair = term_of.astype(np.int64) * (len(ids) + 1) + row_of
        first = np.ones(count, dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        starts = np.flatnonzero(first)
        tf = np.diff(np.append(starts, count)).astype(np.float64)
        p_term, p_row = term_of[starts], row_of[starts]
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(p_term, minlength=len(terms)), out=indptr[1:])
        arrays = {"ids": ids, "doc_len": doc_len, "n_rows": np.array([n_rows]), "indptr": indptr,
                  "rows": p_row.astype(np.int32), "tf": tf, "pos_ptr": pos_ptr, "pos_keys": pos_keys}  # fmt: skip
        return cls(arrays, terms)

    def weigh(self) -> np.ndarray:
        """The weight of every posting under this matrix's own statistics (a whole generation's)."""
        assert self.tf is not None
        return self._weights(self.tf, np.repeat(np.diff(self.indptr).astype(np.float64), np.diff(self.indptr)), self.rows)

    def _weights(self, tf: np.ndarray, n_hit: np.ndarray | float, rows: np.ndarray) -> np.ndarray:
        return bm25_weights(tf, n_hit, self.doc_len[rows], self.n_rows, self.avgdl)

    def save(self, path: Path) -> None:
        with atomic_replace(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, format=np.array([FORMAT]), terms=np.array(self._term_list, dtype=str), **self.arrays)

    @classmethod
    def load(cls, path: Path) -> "Bm25Matrix":
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"][0]) not in READABLE:
                raise ValueError(f"{path}: BM25 file format {int(data['format'][0])}, expected one of {READABLE}")
            arrays = {name: data[name] for name in data.files if name not in ("format", "terms")}
            return cls(arrays, data["terms"].tolist())

    # -- queries
    def _positions(self, token: str) -> np.ndarray | None:
        col = self.terms.get(token)
        if col is None:
            return None
        return self.pos_keys[self.pos_ptr[col] : self.pos_ptr[col + 1]]

    def _phrase_tf(self, tokens: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, term frequency) of a multi-token phrase: consecutive token offsets, as FTS5 matches phrases."""
        lists = [self._positions(t) for t in tokens]
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0))
        if any(p is None or len(p) == 0 for p in lists):
            return empty
        anchor = min(range(len(tokens)), key=lambda i: len(lists[i]))  # start from the rarest token
        starts = lists[anchor] - anchor
        for i, keys in enumerate(lists):
            if i == anchor or len(starts) == 0:
                continue
            want = starts + i
            pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
            starts = starts[keys[pos] == want]
        if len(starts) == 0:
            return empty
        rows, tf = np.unique(starts >> self._SHIFT, return_counts=True)
        return rows, tf.astype(np.float64)

    def _phrase_weights(self, tokens: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        rows, tf = self.phrase_tf(tokens)
        return rows, self._weights(tf, float(len(rows)), rows)

    def scores(self, fts_query: str) -> np.ndarray:
        """BM25 score of every matrix row for an OR-of-phrases query (0: no clause matches)."""
        out = np.zeros(len(self.ids), dtype=np.float64)
        found = clauses(fts_query)
        for tokens in tokenizer().tokens_of(found):
            if len(tokens) == 1:
                col = self.terms.get(tokens[0])
                if col is not None:
                    a, b = self.indptr[col], self.indptr[col + 1]
                    out[self.rows[a:b]] += self.weights[a:b]
            elif len(tokens) > 1:
                rows, weights = self._phrases(tokens)
                out[rows] += weights
        return out

    def search(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best ``k`` (id, score), best first (ties by id), as FTS5's ``ORDER BY bm25`` would rank them."""
        scores = self.scores(fts_query)
        if candidate_ids is not None:
            cand = np.asarray(candidate_ids, dtype=np.int64)
            pos = np.searchsorted(self.ids, cand)
            ok = pos < len(self.ids)
            pos = pos[ok][self.ids[pos[ok]] == cand[ok]]
            mask = np.zeros(len(scores), dtype=bool)
            mask[pos] = True
            scores = np.where(mask, scores, 0.0)
        hit = np.flatnonzero(scores > 0)
        if len(hit) == 0 or k <= 0:
            return []
        if len(hit) > k:
            part = np.argpartition(-scores[hit], k - 1)[:k]
            hit = hit[part]
        order = np.lexsort((self.ids[hit], -scores[hit]))
        hit = hit[order]
        return [(int(i), float(s)) for i, s in zip(self.ids[hit], scores[hit])]


_DOC_OFFSET = np.dtype([("doc", np.int64), ("offset", np.int64)])


def _token_runs(
    rows: np.ndarray, texts: list[str], chunk: int
) -> tuple[dict[str, int], list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """FTS5's token instances of ``texts`` (text i is matrix row ``rows[i]``), ``chunk`` texts at a
    time in row order: the vocabulary (term -> id, first seen first) and per chunk (term id of each
    run, run lengths, position keys ``row << 24 | offset``), the keys ordered by (term, row, offset)
    and each term one run. Only one chunk's tokens are ever Python objects."""
    shift = Bm25Matrix._SHIFT
    vocab: dict[str, int] = {}
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    order = np.argsort(rows, kind="stable")
    for start in range(0, len(order), chunk):
        picked = order[start : start + chunk]
        conn = sqlite3.connect(":memory:")  # a fresh table a chunk: deleting rows would tokenize them again
        try:
            conn.execute(f"CREATE VIRTUAL TABLE t USING fts5 (text, content='', tokenize='{FTS_TOKENIZER}')")
            conn.execute("CREATE VIRTUAL TABLE i USING fts5vocab(t, instance)")
            conn.execute("CREATE VIRTUAL TABLE r USING fts5vocab(t, row)")
            conn.executemany("INSERT INTO t (rowid, text) VALUES (?, ?)", ((int(rows[j]), texts[j]) for j in picked))
            runs = conn.execute("SELECT term, cnt FROM r").fetchall()  # in FTS5's order, as 'instance' lists them
            run_terms = np.fromiter((vocab.setdefault(t, len(vocab)) for t, _ in runs), dtype=np.int64, count=len(runs))
            run_lengths = np.fromiter((c for _, c in runs), dtype=np.int64, count=len(runs))
            del runs
            total = int(run_lengths.sum())
            cursor = conn.execute("SELECT doc, offset FROM i")
            found = np.fromiter(cursor, dtype=_DOC_OFFSET, count=total)
            if cursor.fetchone() is not None:
                raise RuntimeError("FTS5 listed more token instances than its term counts")
        finally:
            conn.close()
        if len(found) and int(found["offset"].max()) >= 1 << shift:
            raise ValueError(f"a text of more than {1 << shift} tokens")
        keys = (found["doc"] << shift) | found["offset"]
        del found
        run_of = np.repeat(np.arange(len(run_lengths)), run_lengths)
        if len(keys) > 1 and not np.all((keys[1:] > keys[:-1]) | (run_of[1:] != run_of[:-1])):
            keys = keys[np.lexsort((keys, run_of))]  # (term, row, offset), as FTS5 normally lists them already
        parts.append((run_terms, run_lengths, keys))
    return vocab, parts


class MatrixKeyword(KeywordIndex):
    """Keyword backend 'bm25-matrix': the matrix built into the generation (``bm25.npz``).

    Queries the matrix cannot answer (anything but OR-ed quoted phrases) go to FTS5.
    """

    kind = "bm25-matrix"
    cheap_filter = True

    def __init__(self, matrix: Bm25Matrix, fts: Fts5Keyword) -> None:
        self.matrix = matrix
        self.fts = fts

    @classmethod
    def open(cls, gen: Generation) -> "MatrixKeyword":
        path = gen.derived("bm25")
        if path is None:
            raise IndexCorruptError(f"{gen.gen_dir} has no BM25 matrix (manifest 'derived' lacks 'bm25')")
        try:
            matrix = Bm25Matrix.load(path)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"derived file {path} cannot be read: {exc}") from exc
        return cls(matrix, Fts5Keyword(gen.db))

    def search(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        if not is_plain_or(fts_query):
            return self.fts.search(fts_query, k, candidate_ids)
        return self.matrix.search(fts_query, k, candidate_ids)


__all__ = ["Bm25Matrix", "MatrixKeyword", "bm25_weights", "clauses", "is_plain_or", "K1", "B"]
