"""Hybrid retrieval over one index: keyword query building, dense + BM25, fusion, boosts.

Filters are applied INSIDE both retrievers (candidate id sets), so a filtered
query still fills its page when enough paragraphs pass the filters. The pool
size is fixed (not derived from the page), so consecutive pages come from one
ranking and never overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from evsearch.search.fusion import fuse
from evsearch.search.themes import Theme

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Tuning:
    """Ranking knobs, set by measuring nDCG@10 on the dev queries (docs/search.md)."""

    fusion: str = "convex"
    alpha: float = 0.5  # dense weight in convex fusion (bm25 gets 1 - alpha)
    rrf_k: int = 60
    pool: int = 200  # candidates taken from each retriever
    boost_depth: int = 60  # fused candidates that boosts may reorder (records are fetched for these)
    sql_filter_max: int = 256  # larger filter sets are applied to BM25 results after the search
    post_filter_depth: int = 3000  # deepest unfiltered BM25 list read for post-filtering
    phrase_bigrams: bool = False  # add "w1 w2" phrase clauses for adjacent query words
    expand: bool = False  # add the theme taxonomy's expansion terms to the keyword query
    concept_phrases: bool = True  # add recognised multi-word concepts ("children in care council") as phrases
    dense_acronyms: bool = True  # also append found acronyms to the text the dense model embeds
    acronyms: bool = True  # add acronyms of long forms (and long forms of acronyms) the corpus defines
    section_boost: float = 0.1  # added when a paragraph's section matches a query topic
    title_boost: float = 0.15  # added when it matches a section title named in the query
    evidence_prior: float = 0.05  # added to graded paragraphs and recommendations (findings, not context)


@dataclass
class Topic:
    """What the query is about, for boosting: section titles named, themes found."""

    sections: list[str] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)

    def match(self, section: str | None) -> int:
        """2: section title named in the query; 1: a theme covers it; 0: neither."""
        if not section:
            return 0
        low = section.lower()
        if any(title.lower() in low or low in title.lower() for title in self.sections):
            return 2
        if any(theme.covers_section(section) for theme in self.themes):
            return 1
        return 0

    def __bool__(self) -> bool:
        return bool(self.sections or self.themes)


def quote(term: str) -> str:
    """One FTS5 string literal: user text never reaches FTS5 as syntax."""
    return '"' + term.replace('"', '""') + '"'


def keyword_query(
    text: str,
    stop: set[str] | frozenset[str],
    *,
    extra: Sequence[str] = (),
    bigrams: bool = False,
    common: set[str] | frozenset[str] = frozenset(),
) -> str:
    """An OR query of the content words, adjacent-word phrases and expansion phrases.

    OR (not AND) because a long natural-language query rarely has every word
    in the best paragraph; BM25 sums the clauses that match, and a phrase
    clause adds score when words appear together as typed. ``common`` words
    (in over half the index, so no BM25 weight) are left out: they cost the
    most to score and add nothing. The dense query keeps every word.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    content = [w for w in words if w not in stop and (len(w) > 1 or w.isdigit())]
    clauses: list[str] = []
    for w in content:
        if w not in common:
            clauses.append(quote(w))
    if bigrams:
        for a, b in zip(content, content[1:]):
            clauses.append(quote(f"{a} {b}"))
    for phrase in extra:
        clauses.append(quote(phrase.lower()))
    if not clauses:  # only common words: search them after all
        clauses = [quote(w) for w in content]
    return " OR ".join(dict.fromkeys(clauses))


def retrieve(
    index: Any,
    query_vector: np.ndarray | Callable[[], np.ndarray] | None,
    fts_query: str,
    candidates: np.ndarray | None,
    tuning: Tuning,
    need: int = 0,
) -> dict[int, float]:
    """Fused scores of the pooled candidates from both retrievers.

    The pool is fixed (not derived from the page) up to ``tuning.pool`` so that
    consecutive pages come from one ranking; deeper pages widen it.
    """
    n = max(tuning.pool, need)
    if candidates is not None:
        n = min(n, len(candidates))
    # Sequential on purpose: running BM25 in a thread beside embedding + FAISS (both already
    # multi-threaded) measured no faster on 2 cores (p50 39.5 vs 35.8 ms).
    vector = query_vector() if callable(query_vector) else query_vector
    dense = index.search_dense(vector, n, candidate_ids=candidates) if vector is not None else []
    keyword = keyword_search(index, fts_query, n, candidates, tuning) if fts_query else []
    return fuse(list(dense), list(keyword), method=tuning.fusion, alpha=tuning.alpha, rrf_k=tuning.rrf_k)


def keyword_search(index: Any, fts_query: str, n: int, candidates: np.ndarray | None, tuning: Tuning) -> list:
    """BM25, restricted to the candidates.

    Passing thousands of candidate ids into the FTS5 query is slow (SQLite
    runs the MATCH once per id), so a large candidate set is applied after an
    unfiltered search that reaches deep enough to hold about ``n`` of them.
    BM25 then sees only its top slice of a big filter set; the dense
    retriever, filtered exactly, still fills the page. An index with its
    in-memory BM25 matrix loaded (``cheap_bm25_filter``) filters exactly at
    any size, so it always gets the candidates.
    """
    if candidates is None or len(candidates) <= tuning.sql_filter_max or getattr(index, "cheap_bm25_filter", False):
        return index.search_bm25(fts_query, n, candidate_ids=candidates)
    total = max(int(getattr(index, "paragraph_count", 0) or 0), len(candidates))
    depth = min(tuning.post_filter_depth, max(n, int(n * total / len(candidates))))
    found = index.search_bm25(fts_query, depth)
    if not found:
        return []
    ids = np.fromiter((pid for pid, _ in found), dtype=np.int64, count=len(found))
    keep = np.isin(ids, candidates, assume_unique=False)
    return [pair for pair, ok in zip(found, keep) if ok][:n]


def is_finding(record: dict) -> bool:
    """A graded paragraph or a recommendation: what inspectors concluded, not background."""
    return record.get("grade") is not None or record.get("kind") == "recommendation"


def boost(scores: dict[int, float], records: dict[int, dict], topic: Topic, tuning: Tuning, *, focus: bool) -> dict[int, float]:
    """Section/theme boosts and the evidence prior.

    In focus mode (a judgement query naming only a topic: "outstanding
    leadership grade") the section match leads the order outright.
    """
    out = {}
    for pid, score in scores.items():
        record = records.get(pid)
        if record is None:
            out[pid] = score
            continue
        level = topic.match(record.get("section")) if topic else 0
        if focus:
            score += 10.0 * level
        else:
            score += tuning.title_boost if level == 2 else tuning.section_boost if level == 1 else 0.0
        if is_finding(record):
            score += tuning.evidence_prior
        out[pid] = score
    return out
