"""Stage 5, rank: reorder the fused list by what the plan knows beyond the text.

* Paragraphs passing every filter the query implied (``plan.preferred``, set
  when some inferred filter was relaxed) come first.
* Topic boosts: +title_boost when a paragraph's section is a title named in
  the query, +section_boost when a query theme covers it; in focus mode (a
  judgement query naming only a topic) the matching sections lead outright.
* The evidence prior: findings (graded paragraphs, recommendations) over
  background.
* The optional cross-encoder reorders the head.

Boosts are small (< 0.25) outside focus mode, so only the head of the fused
list can move; facets are fetched for it alone (fetching is the costly part).
"""

from __future__ import annotations

from evsearch.search.plan import Plan
from evsearch.search.rerank import rerank as cross_encode
from evsearch.search.retrieve import Candidates
from evsearch.search.view import View


def rank(candidates: Candidates, view: View) -> Candidates:
    plan, ranked = candidates.plan, candidates.ranked
    if not ranked:
        return candidates
    preferred = set() if plan.preferred is None else {int(p) for p in plan.preferred}
    if preferred:
        ranked = [x for x in ranked if x[0] in preferred] + [x for x in ranked if x[0] not in preferred]
    if plan.mode == "rank":
        depth = len(ranked) if plan.focus else max(plan.tuning.boost_depth, plan.need + 20, len(preferred))
        head, tail = ranked[:depth], ranked[depth:]
        facets = {r["id"]: r for r in view.index.paragraph_facets([pid for pid, _ in head])}
        levels: dict[str | None, int] = {}  # topic match per section title (titles repeat down a list)
        scored = [(pid, score + boost(facets.get(pid), plan, levels)) for pid, score in head]
        head = sorted(scored, key=lambda kv: (kv[0] not in preferred, -kv[1], kv[0]))
        ranked = head + tail
        if facets and "text" in next(iter(facets.values())):  # the backend gave whole records
            candidates.records.update(facets)
        if view.reranker is not None:
            depth = max(plan.tuning.rerank_depth, plan.need)
            ranked = cross_encode(view.reranker, plan.text, ranked, view.index, depth=depth)
            plan.notes.append("reranked by a cross-encoder")
    candidates.ranked = ranked
    return candidates


def is_finding(record: dict) -> bool:
    """A graded paragraph or a recommendation: what inspectors concluded, not background."""
    return record.get("grade") is not None or record.get("kind") == "recommendation"


def boost(record: dict | None, plan: Plan, levels: dict[str | None, int]) -> float:
    """What ``record`` adds to its fused score under ``plan`` (``levels`` memoises topic matches)."""
    if record is None:
        return 0.0
    tuning = plan.tuning
    section = record["section"]
    if section not in levels:
        levels[section] = plan.topic.match(section) if plan.topic else 0
    level = levels[section]
    if plan.focus:
        extra = 10.0 * level
    else:
        extra = tuning.title_boost if level == 2 else tuning.section_boost if level == 1 else 0.0
    return extra + (tuning.evidence_prior if is_finding(record) else 0.0)
