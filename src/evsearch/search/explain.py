"""Why each hit placed where it did, in words, from the learned model's per-feature contributions.

The model's score splits exactly into one contribution per feature: the change
of each tree's node value along the candidate's path, credited to the feature
split on (learned.Forest.walk; LightGBM's ``pred_contrib`` gives the TreeSHAP
variant, but loading LightGBM costs seconds a process). The features are grouped into the signals a
reader knows (the words matched, the meaning, the section, the grade, the
place and year, what kind of record it is); a hit lists the signals that
raised it, strongest first, each said with its own evidence:

    matched: child, protection, plans; meaning 0.71; section 'Quality of provision'
    matches the query's topic; graded adequate
"""

from __future__ import annotations

import numpy as np

from evsearch.search import learned
from evsearch.search.results import Hit
from evsearch.search.retrieve import Candidates
from evsearch.search.view import View
from evsearch.store.bm25_matrix import tokenizer

# signal -> the features whose contributions it sums
SIGNALS: dict[str, tuple[str, ...]] = {
    "words": ("bm25", "bm25_share", "coverage", "bm25_rank", "query_words"),
    "meaning": ("dense", "feedback", "dense_rank", "fused_rank", "report_best", "section_best"),
    "section": ("bm25_title", "title_coverage", "section_named", "theme_covers", "section_share", "focus"),
    "grade": ("grade_agrees", "passes_inferred", "filter_relaxed", "finding"),
    "place": ("authority_matches", "year_matches"),
    "record": ("is_bullet", "is_recommendation", "is_numbered", "length", "position", "duplicates"),
}


def explain(hits: list[Hit], candidates: Candidates, view: View) -> None:
    """Set ``hit.explanation`` on every hit (a list of short phrases)."""
    plan = candidates.plan
    rows = [candidates.features.get(h.id) for h in hits]
    if not hits:
        return
    if any(r is None for r in rows):  # not ranked by the model (report order, another ranker, deep tail)
        for hit, row in zip(hits, rows):
            hit.explanation = [_plain(hit, plan)] if row is None else None
        if all(r is None for r in rows):
            return
    model = learned.load(plan.tuning.ranker_model)
    have = [i for i, r in enumerate(rows) if r is not None]
    x = np.vstack([rows[i] for i in have])
    contrib = model.contributions(x)
    index = {name: i for i, name in enumerate(model.features)}
    words = _query_words(plan.text, view)
    for i, c in zip(have, contrib):
        hit, row = hits[i], dict(zip(model.features, x[have.index(i)]))
        sums = {s: float(sum(c[index[f]] for f in names if f in index)) for s, names in SIGNALS.items()}
        ranked = sorted((s for s in sums if sums[s] > 0), key=lambda s: -sums[s]) or [max(sums, key=sums.get)]
        phrases = [p for s in ranked if (p := _say(s, hit, row, words, plan))]
        hit.explanation = phrases or [_plain(hit, plan)]


def _query_words(text: str, view: View) -> list[tuple[str, tuple[str, ...]]]:
    """The query's content words and their index tokens (stemmed as the index stems)."""
    seen = [w for w in dict.fromkeys(text.lower().split()) if w not in view.stop_words]
    cleaned = [w.strip(".,;:!?'\"()") for w in seen]
    return [(w, t) for w, t in zip(cleaned, tokenizer().tokens_of(cleaned)) if t]


def _say(signal: str, hit: Hit, row: dict[str, float], words: list, plan) -> str | None:
    if signal == "words":
        held = set(tokenizer().tokens(hit.text))
        found = [w for w, toks in words if all(t in held for t in toks)]
        return f"matched: {', '.join(found)}" if found else None
    if signal == "meaning":
        return f"meaning {row['dense']:.2f}"
    if signal == "section":
        if not hit.section:
            return None
        if row["section_named"] or row["theme_covers"]:
            return f"section '{hit.section}' matches the query's topic"
        if row["title_coverage"] > 0:
            return f"section '{hit.section}' shares words with the query"
        return f"in section '{hit.section}'"
    if signal == "grade":
        if hit.grade_label and row["grade_agrees"] > 0:
            return f"graded {hit.grade_label}, as asked"
        if hit.grade_label:
            return f"graded {hit.grade_label}"
        return "a recommendation" if hit.kind == "recommendation" else None
    if signal == "place":
        said = [x for x, f in ((hit.local_authority, "authority_matches"), (hit.year, "year_matches")) if row[f] > 0 and x]
        return f"from {' '.join(str(x) for x in said)}, as asked" if said else None
    if signal == "record":
        return {"bullet": "a bullet point", "recommendation": "a recommendation"}.get(hit.kind)
    return None


def _plain(hit: Hit, plan) -> str:
    if plan.mode == "order":
        return "passes the filters (no words to rank by: report order)"
    return f"ranked by {plan.tuning.ranker} score {hit.score:.2f}"
