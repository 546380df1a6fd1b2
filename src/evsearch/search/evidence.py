"""Judgement evidence: the paragraphs that support one graded judgement.

An inspector's grade is argued in its section, so the graded section's
paragraphs come first, ranked by how closely they speak to the judgement
(its title plus the grade word, as a report phrases it: "Being healthy:
adequate"). Paragraphs elsewhere in the same report that speak to the title
follow. Judgements without a body section of their own (the SLAC "Equality
and diversity" row) are answered by searching the report for the title alone.
"""

from __future__ import annotations

import numpy as np

from evsearch.config import MAX_K
from evsearch.errors import InputError, NotFoundError
from evsearch.search.assemble import assemble
from evsearch.search.fusion import fuse
from evsearch.search.keywords import keyword_query
from evsearch.search.plan import Plan, Topic
from evsearch.search.rank import rank
from evsearch.search.results import Hit, SearchResponse
from evsearch.search.retrieve import Candidates, retrieve
from evsearch.search.themes import load_themes
from evsearch.search.tuning import Tuning
from evsearch.search.understood import nothing_read
from evsearch.search.view import View

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


def judgement_evidence(view: View, tuning: Tuning, report_id: str, judgement: str | int, k: int = 20) -> SearchResponse:
    if not 1 <= int(k) <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K}, not {k}")
    k = int(k)
    index = view.index
    report = index.report(report_id)
    j = find_judgement(report, judgement)
    grade_word = j.get("grade_label") or ""
    title = j["title"]
    notes: list[str] = []
    themes = [t for t in load_themes() if t.covers_section(title) or t.name in title.lower()]
    expansion = [p for t in themes for p in t.expand]

    def ranked(text: str, candidates: np.ndarray, topic: Topic, where: str) -> Candidates:
        """The candidates ranked for ``text`` through the search stages; all of them kept."""
        keyword = keyword_query(text, view.stop_words, extra=expansion, common=view.common_words)
        plan = Plan(
            query=text, tuning=tuning, need=k, text=text, dense_text=text, keyword=keyword, expansion=expansion,
            topic=topic, candidates=candidates, applied=["report"], matched=[where],
        )  # fmt: skip
        found = fuse(retrieve(plan, view))
        scored = {pid for pid, _ in found.ranked}
        found.ranked += [(int(c), 0.0) for c in candidates if int(c) not in scored]  # a section is small
        return rank(found, view)

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
        why = f" ({j['link']})" if j.get("link") else ""
        notes.append(f"{title!r} has no section of its own{why}: paragraphs found by searching the report for it")
    section = ranked(f"{title}: {grade_word}".strip(": "), in_section, Topic(), "graded section")
    everything = index.ids_where(report_ids=[report_id])
    elsewhere = ranked(title, np.setdiff1d(everything, in_section), Topic(themes=themes), "elsewhere in report")

    n_section, n_elsewhere = len(section.ranked), len(elsewhere.ranked)
    take = n_section if not n_elsewhere else min(n_section, max(1, int(k * SECTION_SHARE)))
    hits: list[Hit] = assemble(section, view, offset=0, k=take)
    hits += assemble(elsewhere, view, offset=0, k=k - len(hits))
    if len(hits) < k:
        hits += assemble(section, view, offset=take, k=k - len(hits))
    # graded-section paragraphs first, each group in its own score order
    hits.sort(key=lambda h: 0 if "graded section" in h.matched else 1)
    if not hits:
        notes.append("no paragraphs found for this judgement")
    return SearchResponse(
        query=f"evidence for {title}" + (f" ({grade_word})" if grade_word else ""),
        parsed={"report": report_id, "judgement": j, "text": title, "grade": j.get("grade"),
                "section": j.get("section"), "filters": ["report"]},
        understood=nothing_read(title),
        hits=hits,
        notes=notes,
        k=k,
        offset=0,
        total=int(len(everything)),
    )
