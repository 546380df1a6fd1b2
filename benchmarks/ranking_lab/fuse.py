"""Fusion of two full score arrays through the engine's own fusion functions.

Each retriever contributes its top ``pool`` rows (as the engine's retrievers
do), so RRF ranks and convex normalisation see what the engine would see.
``zscore`` (standardise each list over its pool, then weight) is the one
method the engine does not have yet.
"""

from __future__ import annotations

import numpy as np

from evsearch.search.fusion import fuse_scores

POOL = 200


def top(scores: np.ndarray, pool: int = POOL, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:pool]
    return [(int(i), float(scores[i])) for i in order if np.isfinite(scores[i])]


def fuse(dense: np.ndarray, keyword: np.ndarray, method: str, *, alpha: float = 0.5, rrf_k: int = 60,
         mask: np.ndarray | None = None, pool: int = POOL) -> np.ndarray:
    d = top(dense, pool, mask)
    kw = [(i, s) for i, s in top(keyword, pool, mask) if s > 0]  # BM25 returns only matching rows
    if method == "zscore":
        fused = {}
        for ranked, w in ((d, alpha), (kw, 1 - alpha)):
            if not ranked:
                continue
            vals = np.array([s for _, s in ranked])
            mu, sd = vals.mean(), vals.std() or 1.0
            for i, s in ranked:
                fused[i] = fused.get(i, 0.0) + w * (s - mu) / sd
    else:
        fused = fuse_scores(d, kw, method=method, alpha=alpha, rrf_k=rrf_k)
    out = np.full(len(dense), -np.inf)
    for i, s in fused.items():
        out[i] = s
    return out
