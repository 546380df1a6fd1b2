"""FAISS backends: exact flat inner product (default) and HNSW (faiss_ivf.py holds IVF).

Both wrap the index in ``IndexIDMap2`` so FAISS ids are the SQLite paragraph
ids and vectors can be read back by id (reranking, HNSW rebuilds). Filtered
search takes one of two routes: for a small candidate set it scores the
candidates' stored vectors directly (exact, and faster than scanning
everything through a selector); for a large one it passes an
``IDSelectorBatch`` to FAISS, which still returns k hits when k candidates
exist because the selector filters inside the scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexCorruptError
from evsearch.models.files import fsync_path
from evsearch.store.base import VectorIndex

try:
    import faiss
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("FAISS is not available - install faiss-cpu") from exc

# Below this many candidates, score the candidates' vectors with numpy instead of a FAISS scan
# with an IDSelectorBatch. Measured on the whole-corpus index (35,469 x 384, 2-core box, k=10):
# 100 candidates 0.16 ms direct vs 0.33 ms selector, 300: 0.25 vs 0.42, 1,000: 0.61 vs 0.66,
# 3,000: 3.6 vs 3.0; the crossing is near 1,000, so 500 keeps the direct route where it clearly wins.
DIRECT_SCORING_MAX = 500


def use_search_threads(threads: int) -> None:
    """OpenMP threads for FAISS. Readers answer one query at a time, where extra OpenMP threads
    only add spin-up cost (40,000 vectors: 14 ms with 1 thread vs 79 ms with 2), so readers use 1
    unless the 'threads' setting says otherwise; concurrency comes from the server's threads."""
    faiss.omp_set_num_threads(max(1, int(threads)))


def _as_ids(ids: np.ndarray | list[int]) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _as_matrix(vectors: np.ndarray, dimension: int) -> np.ndarray:
    matrix = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dimension))
    return matrix


class _FaissVectors(VectorIndex):
    """Shared id bookkeeping and filtered search; subclasses build the inner index."""

    direct_scoring_max = DIRECT_SCORING_MAX

    def __init__(self, dimension: int, index: Any = None) -> None:
        super().__init__(dimension)
        self.index = index if index is not None else faiss.IndexIDMap2(self._inner())
        self._lookup: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (sorted ids, rows, ids by row)

    def _inner(self) -> Any:
        raise NotImplementedError

    def _storage(self) -> Any:
        """The IndexFlat holding the raw vectors in row order."""
        raise NotImplementedError

    def _search_params(self, selector: Any, k: int) -> Any:
        return faiss.SearchParameters(sel=selector)

    # -- bookkeeping
    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def _matrix(self) -> np.ndarray:
        """Zero-copy view of the stored vectors (row i belongs to ids()[i])."""
        n = len(self)
        if n == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        storage = self._storage()
        return faiss.rev_swig_ptr(storage.get_xb(), n * self.dimension).reshape(n, self.dimension)

    def _rows(self, ids: np.ndarray, *, strict: bool) -> np.ndarray:
        if self._lookup is None:
            all_ids = self.ids()
            order = np.argsort(all_ids, kind="stable")
            self._lookup = (all_ids[order], order, all_ids)
        sorted_ids, order, _ = self._lookup
        if len(sorted_ids) == 0:
            if strict and len(ids):
                raise KeyError(int(ids[0]))
            return np.zeros(0, dtype=np.int64)
        pos = np.clip(np.searchsorted(sorted_ids, ids), 0, len(sorted_ids) - 1)
        found = sorted_ids[pos] == ids
        if strict and not found.all():
            raise KeyError(int(ids[~found][0]))
        return order[pos[found]]

    # -- writes
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = _as_ids(ids)
        if len(ids) == 0:
            return
        self.index.add_with_ids(_as_matrix(vectors, self.dimension), ids)
        self._lookup = None

    def remove(self, ids: np.ndarray) -> int:
        ids = _as_ids(ids)
        if len(ids) == 0:
            return 0
        removed = int(self.index.remove_ids(faiss.IDSelectorBatch(ids)))
        self._lookup = None
        return removed

    def _rebuild_without(self, ids: np.ndarray) -> int:
        """Remove by rebuilding from the kept vectors: for index types that cannot delete in place."""
        current = self.ids()
        drop = np.isin(current, _as_ids(ids))
        if not drop.any():
            return 0
        keep_ids, keep_vectors = current[~drop], self._matrix()[~drop].copy()
        self.index = faiss.IndexIDMap2(self._inner())
        self._lookup = None
        self.add(keep_ids, keep_vectors)
        return int(drop.sum())

    # -- reads
    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = _as_ids(ids)
        return self._matrix()[self._rows(ids, strict=True)].copy()

    def search(
        self, query: np.ndarray, k: int, candidate_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        q = _as_matrix(query, self.dimension)[:1]
        if k <= 0 or len(self) == 0:
            return []
        if candidate_ids is not None:
            candidates = np.unique(_as_ids(candidate_ids))
            if len(candidates) == 0:
                return []
            if len(candidates) <= self.direct_scoring_max:
                return self._score_direct(q[0], k, candidates)
            selector = faiss.IDSelectorBatch(candidates)
            k = min(k, len(candidates), len(self))
            scores, found = self.index.search(q, k, params=self._search_params(selector, k))
        else:
            k = min(k, len(self))
            scores, found = self.index.search(q, k, params=self._search_params(None, k))
        return [(int(i), float(s)) for i, s in zip(found[0], scores[0]) if i >= 0]

    def _score_direct(self, q: np.ndarray, k: int, candidates: np.ndarray) -> list[tuple[int, float]]:
        rows = self._rows(candidates, strict=False)
        if len(rows) == 0:
            return []
        scores = self._matrix()[rows] @ q
        row_ids = self._lookup[2][rows]  # type: ignore[index]
        k = min(k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((row_ids[top], -scores[top]))]
        return [(int(row_ids[t]), float(scores[t])) for t in top]

    # -- persistence
    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))
        fsync_path(path)

    @classmethod
    def load(cls, path: Path, dimension: int) -> "VectorIndex":
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexCorruptError(f"vector file {path} cannot be read: {exc}") from exc
        if index.d != dimension:
            raise IndexCorruptError(f"vector file {path} holds {index.d}-d vectors, manifest says {dimension}")
        return cls(dimension, index)


class FlatVectors(_FaissVectors):
    """Exact search: every query scores every vector (fast enough to ~10^5 paragraphs)."""

    kind = "flat"

    def _inner(self) -> Any:
        return faiss.IndexFlatIP(self.dimension)

    def _storage(self) -> Any:
        return faiss.downcast_index(self.index.index)


class HnswVectors(_FaissVectors):
    """Approximate search for large corpora; FAISS HNSW cannot delete, so removal rebuilds the graph."""

    kind = "hnsw"
    M = 32
    EF_CONSTRUCTION = 80
    EF_SEARCH = 64

    def _inner(self) -> Any:
        inner = faiss.IndexHNSWFlat(self.dimension, self.M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = self.EF_CONSTRUCTION
        return inner

    def _storage(self) -> Any:
        return faiss.downcast_index(faiss.downcast_index(self.index.index).storage)

    def _search_params(self, selector: Any, k: int) -> Any:
        params = faiss.SearchParametersHNSW(efSearch=max(self.EF_SEARCH, 2 * k))
        if selector is not None:
            params.sel = selector
        return params

    def remove(self, ids: np.ndarray) -> int:
        return self._rebuild_without(ids)  # HNSW graphs cannot delete in place

    def params(self) -> dict[str, Any]:
        return {"M": self.M, "efConstruction": self.EF_CONSTRUCTION, "efSearch": self.EF_SEARCH}
