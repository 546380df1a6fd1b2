"""Judgement evidence: the paragraphs that support one graded judgement.

An inspector's grade is argued in its section, so the graded section's
paragraphs come first, ranked by how closely they speak to the judgement
(its title plus the grade word, as a report phrases it: "Being healthy:
adequate"). Paragraphs elsewhere in the same report that speak to the title
follow. Judgements without a body section of their own (the SLAC "Equality
and diversity" row) are answered by searching the report for the title alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from evsearch.errors import InputError, NotFoundError
from evsearch.search.results import SearchResponse
from evsearch.search.retrieve import Topic, keyword_query, retrieve
from evsearch.search.themes import load_themes

if TYPE_CHECKING:
    from evsearch.search.engine import Engine

SECTION_SHARE = 0.75  # of k, for the graded section when other paragraphs also speak to it


def find_judgement(report: dict, judgement: str | int) -> dict:
    """The report's judgement named by id or by title (exact first, then contained)."""
    judgements = report.get("judgements") or []
    key = str(judgement).strip()
    if key.isascii() and key.isdigit():  # "²" passes isdigit() but not int()
        for j in judgements:
            if int(j["judgement_id"]) == int(key):
                return j
        raise NotFoundError(f"no judgement {key} in report {report['report_id']!r}")
    low = " ".join(key.lower().split())
    exact = [j for j in judgements if j["title"].lower() == low]
    found = exact or [j for j in judgements if low in j["title"].lower()]
    if not found:
        titles = "; ".join(dict.fromkeys(j["title"] for j in judgements)) or "none"
        raise NotFoundError(f"no judgement {key!r} in report {report['report_id']!r}", hint=f"judgements: {titles}")
    if len(found) > 1:
        choices = "; ".join(f"{j['judgement_id']} = {j.get('part') or '-'}: {j['title']}" for j in found)
        raise InputError(f"{key!r} names {len(found)} judgements in this report", hint=f"pass the judgement_id: {choices}")
    return found[0]


def judgement_evidence(engine: "Engine", report_id: str, judgement: str | int, k: int = 20) -> SearchResponse:
    if not 1 <= int(k) <= 100:
        raise InputError(f"k must be between 1 and 100, not {k}")
    index = engine.index
    report = index.report(report_id)
    j = find_judgement(report, judgement)
    grade_word = j.get("grade_label") or ""
    title = j["title"]
    notes: list[str] = []
    themes = [t for t in load_themes() if t.covers_section(title) or t.name in title.lower()]
    expansion = [p for t in themes for p in t.expand]
    stop = engine.parser.nlp.Defaults.stop_words

    def rank(text: str, candidates: np.ndarray, topic: Topic) -> list[tuple[int, float]]:
        if len(candidates) == 0:
            return []
        vector = engine.embedder.encode_query(text)
        fts = keyword_query(text, stop, extra=expansion, common=engine.common_words)
        scores = retrieve(index, vector, fts, candidates, engine.tuning)
        missing = [int(c) for c in candidates if int(c) not in scores]  # the section is small: keep all of it
        for pid in missing:
            scores[pid] = 0.0
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))

    in_section = np.array([], dtype=np.int64)
    if j.get("section"):
        in_section = index.ids_where(
            report_ids=[report_id], sections=[j["section"]], **({"parts": [j["part"]]} if j.get("part") else {})
        )
        if j.get("grade") is not None and len(in_section):
            graded = index.ids_where(report_ids=[report_id], grades=[j["grade"]])
            narrowed = np.intersect1d(in_section, graded)
            in_section = narrowed if len(narrowed) else in_section
    else:
        notes.append(f"{title!r} has no section of its own: paragraphs found by searching the report for it")
    section_ranked = rank(f"{title}: {grade_word}".strip(": "), in_section, Topic())

    everything = index.ids_where(report_ids=[report_id])
    elsewhere_ids = np.setdiff1d(everything, in_section)
    elsewhere_ranked = rank(title, elsewhere_ids, Topic(themes=themes))

    take_section = len(section_ranked) if not elsewhere_ranked else min(len(section_ranked), max(1, int(k * SECTION_SHARE)))
    chosen = section_ranked[:take_section]
    chosen += elsewhere_ranked[: k - len(chosen)]
    if len(chosen) < k:
        chosen += section_ranked[take_section : take_section + k - len(chosen)]
    records = {r["id"]: r for r in index.paragraphs([pid for pid, _ in chosen])}
    section_set = {int(x) for x in in_section}
    hits = []
    for pid, score in chosen:
        where = "graded section" if pid in section_set else "elsewhere in report"
        hit = engine._hit(records[pid], score, f"{title} {grade_word}", expansion, ["report", where], Topic())
        hits.append(hit)
    # graded-section paragraphs first, each group in its own score order
    hits.sort(key=lambda h: (0 if "graded section" in h.matched else 1))
    if not hits:
        notes.append("no paragraphs found for this judgement")
    return SearchResponse(
        query=f"evidence for {title}" + (f" ({grade_word})" if grade_word else ""),
        parsed={"report": report_id, "judgement": j, "text": title, "grade": j.get("grade"),
                "section": j.get("section"), "filters": ["report"]},
        hits=hits,
        notes=notes,
        k=int(k),
        offset=0,
        total=int(len(everything)) if everything is not None else None,
    )
