"""FAISS IVF backend for large corpora: 8-bit inverted lists, exact float32 rescoring.

WHY this shape (chosen by benchmarks/scale.py, docs/scaling.md): at a million
paragraphs a flat scan reads 1.5 GB per query, and HNSW takes far too long to
build on a small machine. An IVF index probes a few of ~2*sqrt(N) lists of
8-bit scalar-quantized codes (one byte a dimension), and ``IndexRefineFlat``
rescores the shortlist with the float32 vectors, so returned scores are exact
inner products; recall is set by ``nprobe``. The float32 copy also serves
filtered search: a small candidate set (grade + local authority) is scored
directly from it, exactly (faiss_vectors.DIRECT_SCORING_MAX), a large one goes
through the IVF scan with a selector.
"""

from __future__ import annotations

import math
from typing import Any

import faiss
import numpy as np

from evsearch.store.faiss_vectors import _as_ids, _as_matrix, _FaissVectors

TRAIN_PER_LIST = 50  # training vectors per inverted list (k-means cost grows with lists x samples)
MIN_LISTS, MAX_LISTS = 16, 8192


def lists_for(n: int) -> int:
    return int(min(MAX_LISTS, max(MIN_LISTS, 2 * math.sqrt(max(n, 1)))))


class IvfVectors(_FaissVectors):
    """IVF-SQ8 with float32 refinement, behind an id map (ids are paragraph ids)."""

    kind = "ivf"
    NPROBE = 48  # lists probed per query (benchmarks/scale.py: recall@10 vs latency)
    K_FACTOR = 4  # shortlist = K_FACTOR * k rescored exactly
    # Candidate sets up to this size are scored exactly from the float32 copy (~5 ms at 20k x 384);
    # larger ones go through the IVF scan, where the probed lists hold hundreds of them.
    direct_scoring_max = 20_000

    def __init__(self, dimension: int, index: Any = None, *, lists: int | None = None) -> None:
        self._lists = lists
        super().__init__(dimension, index)

    def _inner(self) -> Any:
        quantizer = faiss.IndexFlatIP(self.dimension)
        ivf = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dimension, self._lists or MIN_LISTS, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        ivf.own_fields = True
        quantizer.this.disown()
        refine = faiss.IndexRefineFlat(ivf)
        refine.own_fields = True
        ivf.this.disown()
        return refine

    def _refine(self) -> Any:
        return faiss.downcast_index(self.index.index)

    def _ivf(self) -> Any:
        return faiss.extract_index_ivf(self._refine().base_index)

    def _storage(self) -> Any:
        return faiss.downcast_index(self._refine().refine_index)

    def _search_params(self, selector: Any, k: int) -> Any:
        ivf = faiss.SearchParametersIVF(nprobe=self.NPROBE)
        params = faiss.IndexRefineSearchParameters(k_factor=self.K_FACTOR, base_index_params=ivf)
        params.keep = ivf  # the SWIG object must outlive the search
        return params

    def search(self, query: np.ndarray, k: int, candidate_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        if candidate_ids is None or len(self) == 0 or k <= 0:
            return super().search(query, k, candidate_ids)
        candidates = np.unique(_as_ids(candidate_ids))
        if len(candidates) <= self.direct_scoring_max:
            return self._score_direct(_as_matrix(query, self.dimension)[0], k, candidates)
        # the id map does not translate a selector nested in the refine parameters: select rows
        rows = self._rows(candidates, strict=False)
        if len(rows) == 0:
            return []
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(rows, dtype=np.int64))
        ivf = faiss.SearchParametersIVF(nprobe=self.NPROBE, sel=selector)
        params = faiss.IndexRefineSearchParameters(k_factor=self.K_FACTOR, base_index_params=ivf)
        q = _as_matrix(query, self.dimension)[:1]
        scores, found = self._refine().search(q, min(k, len(rows)), params=params)
        keep = found[0] >= 0
        row_ids = self._lookup[2]  # type: ignore[index]
        return [(int(row_ids[r]), float(s)) for r, s in zip(found[0][keep], scores[0][keep])]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = _as_ids(ids)
        if len(ids) == 0:
            return
        matrix = _as_matrix(vectors, self.dimension)
        if not self.index.is_trained:
            self.train(matrix)
        self.index.add_with_ids(matrix, ids)
        self._lookup = None

    def train(self, sample: np.ndarray, lists: int | None = None) -> None:
        """Train the coarse quantizer and the 8-bit ranges (call once, before the first add)."""
        sample = _as_matrix(sample, self.dimension)
        lists = lists or self._lists or lists_for(len(sample))
        if lists != self._ivf().nlist:
            self._lists = lists
            self.index = faiss.IndexIDMap2(self._inner())
        take = min(len(sample), lists * TRAIN_PER_LIST)
        if take < len(sample):
            rows = np.random.default_rng(0).choice(len(sample), take, replace=False)
            sample = sample[np.sort(rows)]
        self.index.train(sample)

    def remove(self, ids: np.ndarray) -> int:
        if not np.isin(self.ids(), _as_ids(ids)).any():
            return 0
        self._lists = None  # the rebuilt index sizes its lists for what is left
        return self._rebuild_without(ids)

    def params(self) -> dict[str, Any]:
        return {"lists": int(self._ivf().nlist), "codes": "SQ8", "nprobe": self.NPROBE, "k_factor": self.K_FACTOR,
                "refine": "float32"}  # fmt: skip
