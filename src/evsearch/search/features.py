"""Ranking features: one named pure function per signal, over one query's candidates.

WHY named functions (bm25s keeps each scoring variant as one function picked
by name): the learned ranker (learned.py) is trained on ``FEATURES`` in this
order and its model file carries the names, so a model trained on another
feature list is refused instead of silently reading the wrong columns, and a
new signal is one function plus one entry here (then a retrain:
``python -m benchmarks.ranking_lab.train_ltr``).

Every function takes a ``Batch`` (the candidates of one query, their records
and the plan) and returns one float per candidate, vectorised with numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from evsearch.search.plan import Plan
from evsearch.search.retrieve import Candidates
from evsearch.search.view import View
from evsearch.store.bm25_matrix import clauses, tokenizer

# BM25 of the section title as a second field: FTS5's k1; b lower than the body's, titles are short.
TITLE_K1, TITLE_B = 1.2, 0.3


@dataclass
class Batch:
    """What the features of one query's candidates read: arrays aligned with ``ids``, each
    looked up once (several features read the same one)."""

    plan: Plan
    ids: np.ndarray  # candidate ids, in fused order
    records: list[dict]  # whole store records, in ``ids`` order
    dense: np.ndarray  # cosine of the query as typed (its planned dense text)
    feedback: np.ndarray  # cosine of the feedback-moved query (the dense list; its floor when absent)
    keyword: np.ndarray  # BM25 over the body (0: not in the keyword list)
    keyword_top: float  # the best BM25 of the query
    dense_rank: np.ndarray  # rank in the dense list (0 = first; the list's depth when absent)
    keyword_rank: np.ndarray
    levels: np.ndarray  # topic match of each section: 2 named, 1 a theme covers it, 0
    query_tokens: tuple[str, ...]  # the keyword query's tokens (FTS5 tokenizer: stemmed)
    title_field: "TitleField"
    reports: dict[str, dict]
    clause_hits: list[np.ndarray]  # per keyword clause, the candidate ids holding it


def _aligned(ranked: list[tuple[int, float]], ids: np.ndarray, missing_score: float) -> tuple[np.ndarray, np.ndarray]:
    """(score, rank) of each id in a retriever's list; absent ids get ``missing_score`` and the list's depth."""
    if not ranked or not len(ids):
        return np.full(len(ids), missing_score), np.full(len(ids), float(max(len(ranked), 1)))
    list_ids = np.fromiter((pid for pid, _ in ranked), dtype=np.int64, count=len(ranked))
    scores = np.fromiter((s for _, s in ranked), dtype=np.float64, count=len(ranked))
    order = np.argsort(list_ids, kind="stable")
    pos = np.minimum(np.searchsorted(list_ids, ids, sorter=order), len(ranked) - 1)
    at = order[pos]
    here = list_ids[at] == ids
    return np.where(here, scores[at], missing_score), np.where(here, at, len(ranked)).astype(np.float64)


def batch(candidates: Candidates, view: View, ids: list[int], records: dict[int, dict]) -> Batch:
    """The batch of ``ids`` (records must hold a whole record for each)."""
    plan, lists = candidates.plan, candidates.lists
    dense_list, keyword_list = lists.get("dense", []), lists.get("keyword", [])
    arr = np.asarray(ids, dtype=np.int64)
    rows = [records[i] for i in ids]
    dense = np.zeros(len(arr))
    if candidates.query_vector is not None and len(arr):
        # multiply-and-sum, not ``@``: a 100 x 384 product is too small to gain from BLAS threads,
        # which on a busy box wait for cores (measured: rank stage wall time 3x its CPU time)
        vectors = view.index.vectors(arr)
        dense = (vectors * np.asarray(candidates.query_vector, dtype=np.float32)).sum(axis=1, dtype=np.float64)
    feedback_floor = min((s for _, s in dense_list), default=0.0)
    feedback_scores, dense_rank = _aligned(dense_list, arr, feedback_floor)
    keyword, keyword_rank = _aligned(keyword_list, arr, 0.0)
    memo: dict[str | None, int] = {}  # titles repeat down a list
    for r in rows:
        if r["section"] not in memo:
            memo[r["section"]] = plan.topic.match(r["section"]) if plan.topic else 0
    levels = np.array([memo[r["section"]] for r in rows], dtype=np.float64)
    found = list(dict.fromkeys(clauses(plan.keyword))) if plan.keyword else []
    tokens = tuple(t for toks in tokenizer().tokens_of(found) for t in toks)
    # one BM25 lookup per clause, restricted to the candidates (the keyword index's own tokenizer:
    # tokenizing 100 paragraph texts here cost ~7 ms a query)
    clause_hits = [
        np.fromiter((pid for pid, _ in view.index.search_bm25(_quoted(c), len(arr), candidate_ids=arr)), dtype=np.int64)
        for c in found
    ] if len(arr) else []  # fmt: skip
    return Batch(
        plan=plan, ids=arr, records=rows, dense=dense, feedback=feedback_scores, keyword=keyword,
        keyword_top=max((s for _, s in keyword_list), default=0.0), dense_rank=dense_rank,
        keyword_rank=keyword_rank, levels=levels, query_tokens=tokens,
        title_field=title_field(tuple(view.vocabulary.sections)), reports=view.reports, clause_hits=clause_hits,
    )  # fmt: skip


def _quoted(clause: str) -> str:
    return '"' + clause.replace('"', '""') + '"'


class TitleField:
    """BM25 over section titles as their own field: idf over the index's distinct titles,
    titles tokenized once (FTS5's tokenizer, as the body) and cached."""

    def __init__(self, titles: tuple[str, ...]) -> None:
        self.tokens = dict(zip(titles, tokenizer().tokens_of(list(titles)))) if titles else {}
        df: dict[str, int] = {}
        for toks in self.tokens.values():
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        n = max(len(self.tokens), 1)
        self.idf = {t: max(math.log((n - c + 0.5) / (c + 0.5) + 1.0), 1e-6) for t, c in df.items()}
        self.avglen = sum(len(t) for t in self.tokens.values()) / n or 1.0

    def tokens_of(self, title: str | None) -> tuple[str, ...]:
        if not title:
            return ()
        toks = self.tokens.get(title)
        if toks is None:
            toks = self.tokens[title] = tokenizer().tokens(title)
        return toks

    def score(self, title: str | None, query: tuple[str, ...]) -> float:
        if not title or not query:
            return 0.0
        toks = self.tokens_of(title)
        norm = TITLE_K1 * (1 - TITLE_B + TITLE_B * len(toks) / self.avglen)
        total = 0.0
        for q in set(query):
            tf = toks.count(q)
            if tf:
                total += self.idf.get(q, 1e-6) * tf * (TITLE_K1 + 1) / (tf + norm)
        return total


@lru_cache(maxsize=4)
def title_field(titles: tuple[str, ...]) -> TitleField:
    return TitleField(titles)


# -- the features
def bm25(b: Batch) -> np.ndarray:
    return b.keyword


def bm25_share(b: Batch) -> np.ndarray:
    """BM25 over the query's best BM25 (the scale-free form fusion uses)."""
    return b.keyword / b.keyword_top if b.keyword_top > 0 else b.keyword


def bm25_title(b: Batch) -> np.ndarray:
    memo: dict[str | None, float] = {}
    for r in b.records:
        if r["section"] not in memo:
            memo[r["section"]] = b.title_field.score(r["section"], b.query_tokens)
    return np.array([memo[r["section"]] for r in b.records], dtype=np.float64)


def coverage(b: Batch) -> np.ndarray:
    """Share of the keyword query's clauses (words, phrases) the paragraph holds: BM25 sums weights,
    this counts what is there."""
    if not b.clause_hits:
        return np.zeros(len(b.ids))
    held = np.zeros(len(b.ids))
    for hits in b.clause_hits:
        held += np.isin(b.ids, hits)
    return held / len(b.clause_hits)


def title_coverage(b: Batch) -> np.ndarray:
    """Share of the query's distinct tokens the section title holds."""
    want = set(b.query_tokens)
    if not want:
        return np.zeros(len(b.ids))
    return np.array([len(want & set(b.title_field.tokens_of(r["section"]))) / len(want) for r in b.records])


def _group_best(b: Batch, values: np.ndarray, key: Callable[[dict], object]) -> np.ndarray:
    best: dict = {}
    keys = [key(r) for r in b.records]
    for k, v in zip(keys, values.tolist()):
        best[k] = max(best.get(k, -1e9), v)
    return np.array([best[k] for k in keys], dtype=np.float64)


def report_best(b: Batch) -> np.ndarray:
    """The best feedback cosine among the candidates of the paragraph's report (a report about the topic)."""
    return _group_best(b, feedback(b), lambda r: r["report_id"])


def section_best(b: Batch) -> np.ndarray:
    """The best feedback cosine among the candidates of the paragraph's section of its report."""
    return _group_best(b, feedback(b), lambda r: (r["report_id"], r["section"]))


def section_share(b: Batch) -> np.ndarray:
    """Share of the first 20 fused candidates that sit in the paragraph's section of its report."""
    keys = [(r["report_id"], r["section"]) for r in b.records]
    head: dict = {}
    for k in keys[:20]:
        head[k] = head.get(k, 0) + 1
    return np.array([head.get(k, 0) / 20 for k in keys], dtype=np.float64)


def dense(b: Batch) -> np.ndarray:
    return b.dense


def feedback(b: Batch) -> np.ndarray:
    """Cosine of the feedback-moved query; a candidate outside the dense list gets the list's floor."""
    return b.feedback


def dense_rank(b: Batch) -> np.ndarray:
    return np.log1p(b.dense_rank)


def bm25_rank(b: Batch) -> np.ndarray:
    return np.log1p(b.keyword_rank)


def fused_rank(b: Batch) -> np.ndarray:
    """Position in the fused list the ranker reorders."""
    return np.log1p(np.arange(len(b.ids), dtype=np.float64))


def section_named(b: Batch) -> np.ndarray:
    """1 when the paragraph's section is a section title the query names."""
    return (b.levels == 2).astype(np.float64)


def theme_covers(b: Batch) -> np.ndarray:
    """1 when a theme of the query covers the paragraph's section."""
    return (b.levels == 1).astype(np.float64)


def focus(b: Batch) -> np.ndarray:
    """1 for every candidate of a judgement query naming only a topic (a per-query context)."""
    return np.full(len(b.ids), float(b.plan.focus))


def grade_agrees(b: Batch) -> np.ndarray:
    """+1 graded as the query implies, -1 graded otherwise, 0 ungraded or no grade implied."""
    parsed = b.plan.parsed
    want = None if parsed is None else parsed.grade
    if want is None:
        return np.zeros(len(b.ids))
    return np.array([0.0 if r["grade"] is None else 1.0 if r["grade"] == want else -1.0 for r in b.records])


def filter_relaxed(b: Batch) -> np.ndarray:
    """1 when some inferred filter was relaxed for this query (a per-query context)."""
    return np.full(len(b.ids), float(bool(b.plan.relaxed)))


def passes_inferred(b: Batch) -> np.ndarray:
    """1 when the paragraph passes every filter read from the query (only differs once one was relaxed)."""
    if b.plan.preferred is None:
        return np.full(len(b.ids), float(not b.plan.relaxed))
    return np.isin(b.ids, b.plan.preferred).astype(np.float64)


def _meta_matches(b: Batch, want: Any, matches: Callable[[dict, Any], bool]) -> np.ndarray:
    """+1 where the paragraph's report ``matches`` the value the query named, -1 elsewhere, 0 when none is named."""
    if want is None:
        return np.zeros(len(b.ids))
    out = [matches(b.reports.get(r["report_id"], {}), want) for r in b.records]
    return np.where(np.array(out, dtype=bool), 1.0, -1.0)


def authority_matches(b: Batch) -> np.ndarray:
    """+1 from the authority the query names, -1 from another, 0 when none is named."""
    want = None if b.plan.parsed is None else b.plan.parsed.la
    return _meta_matches(b, want, lambda meta, la: str(meta.get("local_authority") or "").lower() == str(la).lower())


def year_matches(b: Batch) -> np.ndarray:
    want = None if b.plan.parsed is None else b.plan.parsed.year
    return _meta_matches(b, want, lambda meta, year: year in (meta.get("inspection_year"), meta.get("published_year")))


def _kind(b: Batch, kind: str) -> np.ndarray:
    return np.array([r["kind"] == kind for r in b.records], dtype=np.float64)


def is_bullet(b: Batch) -> np.ndarray:
    return _kind(b, "bullet")


def is_recommendation(b: Batch) -> np.ndarray:
    return _kind(b, "recommendation")


def is_numbered(b: Batch) -> np.ndarray:
    return np.array([r["number"] is not None for r in b.records], dtype=np.float64)


def finding(b: Batch) -> np.ndarray:
    """1 for what inspectors concluded (a graded paragraph or a recommendation), not background."""
    return np.array([r["grade"] is not None or r["kind"] == "recommendation" for r in b.records], dtype=np.float64)


def length(b: Batch) -> np.ndarray:
    """Log of the text's length in characters."""
    return np.log1p(np.array([len(r["text"]) for r in b.records], dtype=np.float64))


def position(b: Batch) -> np.ndarray:
    """Place in the report (log of the record's sequence number): summaries come first."""
    return np.log1p(np.array([r["seq"] for r in b.records], dtype=np.float64))


def duplicates(b: Batch) -> np.ndarray:
    """How many candidates state the same point (share its duplicate group)."""
    keys = [(r["report_id"], r["duplicate_group"]) if r["duplicate_group"] is not None else None for r in b.records]
    counts: dict = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    return np.array([0.0 if k is None else counts[k] - 1 for k in keys])


def query_words(b: Batch) -> np.ndarray:
    """How many tokens the keyword query holds (a per-query context)."""
    return np.full(len(b.ids), float(len(set(b.query_tokens))))


FEATURES: dict[str, Callable[[Batch], np.ndarray]] = {
    f.__name__: f
    for f in (
        bm25, bm25_share, bm25_title, coverage, title_coverage, dense, feedback, dense_rank, bm25_rank, fused_rank,
        section_named, theme_covers, focus, grade_agrees, filter_relaxed, passes_inferred,
        authority_matches, year_matches, is_bullet, is_recommendation, is_numbered, finding,
        length, position, duplicates, query_words, report_best, section_best, section_share,
    )
}  # fmt: skip


def matrix(b: Batch, names: list[str] | tuple[str, ...] = tuple(FEATURES)) -> np.ndarray:
    """Candidates x features, in ``names`` order."""
    if not len(b.ids):
        return np.zeros((0, len(names)))
    return np.column_stack([FEATURES[name](b) for name in names])
