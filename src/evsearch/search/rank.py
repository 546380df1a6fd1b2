"""Stage 5, rank: reorder the fused list by what the plan knows beyond the text.

``Tuning.ranker`` picks how:

* ``learned`` (default): the LambdaMART model of learned.py scores the first
  ``depth`` fused candidates on every signal of features.py; each score is its
  calibrated 0-1 value. The feature rows are kept on the candidates so
  explain.py can say why a hit placed where it did.
* ``boosts``: the hand-set rules below (before the learned model; experiments).
* ``fusion``: the fused order as it is.

Whatever the ranker, paragraphs passing every filter the query implied come
first when ``preferred_first`` and every score lies in 0..1.

The hand-set rules of ``boosts``:

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

import numpy as np

from evsearch.search import features, learned
from evsearch.search.plan import Plan
from evsearch.search.rerank import rerank as cross_encode
from evsearch.search.retrieve import Candidates
from evsearch.search.view import View


def rank(candidates: Candidates, view: View) -> Candidates:
    plan, ranked = candidates.plan, candidates.ranked
    if not ranked:
        return candidates
    preferred = set() if plan.preferred is None or not plan.tuning.preferred_first else {int(p) for p in plan.preferred}
    if preferred:
        ranked = [x for x in ranked if x[0] in preferred] + [x for x in ranked if x[0] not in preferred]
    if plan.mode == "rank" and plan.tuning.ranker == "learned":
        candidates.ranked = ranked
        return learn_rank(candidates, view, preferred)
    if plan.mode == "rank" and plan.tuning.ranker == "boosts":
        depth = len(ranked) if plan.focus else max(plan.tuning.boost_depth, plan.need + 20, len(preferred))
        head, tail = ranked[:depth], ranked[depth:]
        facets = {r["id"]: r for r in view.index.paragraph_facets([pid for pid, _ in head])}
        levels: dict[str | None, int] = {}  # topic match per section title (titles repeat down a list)
        scored = [(pid, score + boost(facets.get(pid), plan, levels)) for pid, score in head]
        head = sorted(scored, key=lambda kv: (kv[0] not in preferred, -kv[1], kv[0]))
        ranked = head + tail
        if facets and "text" in next(iter(facets.values())):  # the backend gave whole records
            candidates.records.update(facets)
        ranked = _cross_encoded(ranked, plan, view)
    candidates.ranked = unit_scores(ranked)
    return candidates


def learn_rank(candidates: Candidates, view: View, preferred: set[int]) -> Candidates:
    """The first ``depth`` candidates (all preferred ones included) ordered by the learned model."""
    plan, ranked = candidates.plan, candidates.ranked
    model = learned.load(plan.tuning.ranker_model)
    depth = max(model.depth, plan.need + 20, len(preferred))
    head, tail = ranked[:depth], ranked[depth:]
    ids = [pid for pid, _ in head]
    records = candidates.records
    records.update((r["id"], r) for r in view.index.paragraphs([i for i in ids if "text" not in records.get(i, {})]))
    ids = [i for i in ids if i in records]
    x = features.matrix(features.batch(candidates, view, ids, records), model.features)
    scores = model.calibrated(model.raw(x)) if len(ids) else np.zeros(0)
    candidates.features = dict(zip(ids, x))
    order = sorted(range(len(ids)), key=lambda i: (ids[i] not in preferred, -scores[i], ids[i]))
    head = [(ids[i], float(scores[i])) for i in order]
    floor = min((s for _, s in head), default=1.0)
    # the tail keeps its fused order below the head, on the same 0..1 scale
    candidates.ranked = head + [(pid, floor * (1 - (i + 1) / (len(tail) + 1))) for i, (pid, _) in enumerate(tail)]
    candidates.ranked = unit_scores(_cross_encoded(candidates.ranked, plan, view))
    return candidates


def _cross_encoded(ranked: list[tuple[int, float]], plan: Plan, view: View) -> list[tuple[int, float]]:
    """The head reordered by the optional cross-encoder (``ranked`` as it is without one)."""
    if view.reranker is None:
        return ranked
    plan.notes.append("reranked by a cross-encoder")
    return cross_encode(view.reranker, plan.text, ranked, view.index, depth=max(plan.tuning.rerank_depth, plan.need))


def unit_scores(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Scores brought into 0..1 keeping their order: kept when already inside, else a logistic
    (cross-encoder logits, boosted fusion scores)."""
    if all(0.0 <= s <= 1.0 for _, s in ranked):
        return ranked
    return [(pid, float(1.0 / (1.0 + np.exp(-s)))) for pid, s in ranked]


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
