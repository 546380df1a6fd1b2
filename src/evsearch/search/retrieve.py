"""Stage 3, retrieve: ranked lists of candidate paragraphs, one per retriever.

Filters are applied INSIDE every retriever (the plan's candidate ids), so a
filtered query still fills its page when enough paragraphs pass. The pool
size is fixed (not derived from the page), so consecutive pages come from one
ranking and never overlap. Each retriever adds one named list to
``Candidates.lists``; fusion combines them. A new retriever is one more
function here and one more name in the lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evsearch.search.feedback import rocchio
from evsearch.search.plan import Plan
from evsearch.search.tuning import Tuning
from evsearch.search.view import View

Ranked = list[tuple[int, float]]


@dataclass
class Candidates:
    """The one object the stages after planning pass on: the plan, each retriever's list,
    then (fuse, rank) one ordered list, and the records fetched on the way."""

    plan: Plan
    lists: dict[str, Ranked] = field(default_factory=dict)  # retriever name -> (id, score), best first
    ranked: Ranked = field(default_factory=list)  # fused, then boosted/reranked order
    records: dict[int, dict] = field(default_factory=dict)  # id -> record (facets or whole)
    features: dict[int, np.ndarray] = field(default_factory=dict)  # id -> feature row, when a learned model ranked it
    query_vector: np.ndarray | None = None  # the dense text's embedding (before feedback): a ranking feature


def retrieve(plan: Plan, view: View) -> Candidates:
    out = Candidates(plan)
    if plan.mode == "empty":
        return out
    if plan.mode == "order":  # nothing to rank by: the filtered paragraphs in report order
        out.lists["order"] = [(int(pid), 0.0) for pid in plan.candidates]
        return out
    n = max(plan.tuning.pool, plan.need)
    if plan.candidates is not None:
        n = min(n, len(plan.candidates))
    # Sequential on purpose: BM25 in a thread beside embedding + vector search (both already
    # multi-threaded) measured no faster on 2 cores.
    vector = out.query_vector = view.query_vector(plan.dense_text)
    out.lists["dense"] = list(view.index.search_dense(vector, n, candidate_ids=plan.candidates))
    if plan.tuning.feedback_docs and out.lists["dense"]:
        tuning = plan.tuning
        vector = rocchio(view.index, vector, out.lists["dense"], docs=tuning.feedback_docs, beta=tuning.feedback_beta)
        out.lists["dense"] = list(view.index.search_dense(vector, n, candidate_ids=plan.candidates))
    out.lists["keyword"] = keyword_search(view, plan.keyword, n, plan.candidates, plan.tuning) if plan.keyword else []
    if plan.preferred is not None:
        # the few paragraphs passing every inferred filter are scored even when the relaxed
        # pool would not reach them: rank puts them first
        m = len(plan.preferred)
        for name, found in (
            ("dense", view.index.search_dense(vector, m, candidate_ids=plan.preferred)),
            ("keyword", keyword_search(view, plan.keyword, m, plan.preferred, plan.tuning) if plan.keyword else []),
        ):
            have = {pid for pid, _ in out.lists[name]}
            out.lists[name] += [(pid, s) for pid, s in found if pid not in have]
            out.lists[name].sort(key=lambda kv: -kv[1])
    return out


def keyword_search(view: View, fts_query: str, n: int, candidates: np.ndarray | None, tuning: Tuning) -> Ranked:
    """BM25, restricted to the candidates.

    A backend whose BM25 filters cheaply at any size (the in-memory matrix,
    Milvus) gets the candidates. SQLite FTS5 runs the MATCH once per candidate
    id, so a large candidate set is applied after an unfiltered search deep
    enough to hold about ``n`` of them; the dense retriever, filtered exactly,
    still fills the page.
    """
    index = view.index
    if candidates is None or len(candidates) <= tuning.sql_filter_max or index.cheap_bm25_filter:
        return index.search_bm25(fts_query, n, candidate_ids=candidates)
    total = max(index.paragraph_count, len(candidates))
    depth = min(tuning.post_filter_depth, max(n, int(n * total / len(candidates))))
    found = index.search_bm25(fts_query, depth)
    if not found:
        return []
    ids = np.fromiter((pid for pid, _ in found), dtype=np.int64, count=len(found))
    keep = np.isin(ids, candidates)
    return [pair for pair, ok in zip(found, keep) if ok][:n]
