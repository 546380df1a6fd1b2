"""Stage 4, fuse: one ranked list from the retrievers' lists (hybrid fusion).

Two mechanisms, chosen by measuring nDCG on the dev queries (docs/search.md):

* ``rrf``: reciprocal rank fusion, sum of w / (k + rank). Robust when score
  scales are unrelated, but it throws away how much better the first hit is.
* ``convex`` (default): a weighted sum of scores brought to one scale. Cosine
  similarity is already bounded, so it is used as is; BM25 is unbounded and is
  divided by the best BM25 score of the query. A paragraph missing from one
  list gets 0 from it. This keeps "BM25 found the exact acronym" and "dense
  found the paraphrase" both visible, which RRF flattens.
"""

from __future__ import annotations

from typing import Iterable

from evsearch.search.retrieve import Candidates, Ranked


def rrf(lists: Iterable[Ranked], *, k: int = 60, weights: Iterable[float] | None = None) -> dict[int, float]:
    lists = list(lists)
    weights = list(weights) if weights is not None else [1.0] * len(lists)
    fused: dict[int, float] = {}
    for ranked, w in zip(lists, weights):
        for rank, (pid, _score) in enumerate(ranked):
            fused[pid] = fused.get(pid, 0.0) + w / (k + rank + 1)
    return fused


def convex(dense: Ranked, keyword: Ranked, *, alpha: float = 0.5) -> dict[int, float]:
    """alpha * cosine + (1 - alpha) * bm25 / max(bm25)."""
    fused: dict[int, float] = {}
    for pid, score in dense:
        fused[pid] = alpha * float(score)
    top = max((s for _, s in keyword), default=0.0)
    if top > 0:
        for pid, score in keyword:
            fused[pid] = fused.get(pid, 0.0) + (1 - alpha) * float(score) / top
    return fused


def minmax(dense: Ranked, keyword: Ranked, *, alpha: float = 0.5) -> dict[int, float]:
    """alpha * minmax(cosine) + (1 - alpha) * minmax(bm25), each over its own list."""
    fused: dict[int, float] = {}
    for ranked, w in ((dense, alpha), (keyword, 1 - alpha)):
        if not ranked:
            continue
        lo = min(s for _, s in ranked)
        hi = max(s for _, s in ranked)
        span = (hi - lo) or 1.0
        for pid, score in ranked:
            fused[pid] = fused.get(pid, 0.0) + w * (float(score) - lo) / span
    return fused


def fuse(candidates: Candidates) -> Candidates:
    """Order the candidates by their fused score (ties by id, so the order is deterministic)."""
    lists, tuning = candidates.lists, candidates.plan.tuning
    if "order" in lists:  # nothing to rank by: report order stands
        candidates.ranked = list(lists["order"])
        return candidates
    if not lists:
        return candidates
    scores = fuse_scores(lists["dense"], lists["keyword"], method=tuning.fusion, alpha=tuning.alpha, rrf_k=tuning.rrf_k)
    candidates.ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return candidates


def fuse_scores(
    dense: Ranked, keyword: Ranked, *, method: str = "convex", alpha: float = 0.5, rrf_k: int = 60
) -> dict[int, float]:
    if method == "rrf":
        return rrf([dense, keyword], k=rrf_k, weights=[alpha * 2, (1 - alpha) * 2])
    if method == "convex":
        return convex(dense, keyword, alpha=alpha)
    if method == "minmax":
        return minmax(dense, keyword, alpha=alpha)
    if method == "dense":
        return {pid: float(s) for pid, s in dense}
    if method == "bm25":
        return {pid: float(s) for pid, s in keyword}
    raise ValueError(f"unknown fusion method {method!r}")
