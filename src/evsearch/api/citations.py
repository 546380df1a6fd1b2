"""Human citations for hits and judgements: what an assistant quotes.

WHY in the api layer: the core's hits carry their own ``citation`` (one
rule, search/results.py, for CLI, JSON, page and MCP); this module formats
hits, reports and judgements as quotable text for the MCP tools.
"""

from __future__ import annotations

from typing import Any

from evsearch.search.understood import NOTHING_READ


def report_year(meta: dict) -> str | None:
    for key in ("inspection_start", "inspection_end", "published", "year"):
        value = meta.get(key)
        if value:
            return str(value)[:4]
    return None


def report_label(meta: dict, report_id: str) -> str:
    """'East Sussex 2010 report', falling back to the title or the id."""
    la = meta.get("local_authority")
    year = report_year(meta)
    if la:
        return f"{la} {year} report" if year else f"{la} report"
    return meta.get("title") or report_id


def grade_phrase(grade: Any, label: Any) -> str | None:
    if grade is None and not label:
        return None
    if grade is None:
        return str(label)
    return f"grade {grade} {label}" if label else f"grade {grade}"


def _highlight_text(hit: dict) -> list[str]:
    """The hit's highlighted sentences (search/results.py: a list of strings), stripped."""
    return [s.strip() for s in hit.get("highlights") or [] if s.strip()]


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def understood_line(response: dict) -> str | None:
    """The response's ``understood.summary`` (search/understood.py), or None when it read and relaxed nothing.

    Group and contrast blocks carry no ``understood`` of their own: their search's line is printed once above them.
    """
    line = (response.get("understood") or {}).get("summary")
    return line if line and line != NOTHING_READ else None


def format_hits(response: dict, *, heading: str) -> str:
    """A short readable summary of hits: one citation and its best sentence each.

    WHY short: the full paragraphs travel as structured content (mcp_models.py);
    the text is what a person skims, not a second copy of the data.
    """
    hits = response.get("hits") or []
    lines = [heading]
    understood = understood_line(response)
    if understood:
        lines.append(understood)
    for note in response.get("notes") or []:
        lines.append(f"Note: {note}")
    if not hits:
        lines.append("No matching paragraphs.")
        return "\n".join(lines)
    start = int(response.get("offset") or 0)
    for i, hit in enumerate(hits, start + 1):
        best = (_highlight_text(hit) or [hit.get("text") or ""])[0]
        lines.append(f"[{i}] {hit['citation']} (report_id: {hit['report_id']})")
        lines.append(f'    "{_clip(best)}"')
    return "\n".join(lines)


def format_report(report: dict) -> str:
    """Report metadata plus its judgement table, one judgement per line."""
    rid = report.get("report_id", "?")
    lines = [f"{report_label(report, rid)} (report_id: {rid})"]
    for key in ("title", "local_authority", "framework", "inspection_start", "inspection_end", "published", "lead_inspector"):
        if report.get(key):
            lines.append(f"{key.replace('_', ' ').capitalize()}: {report[key]}")
    judgements = report.get("judgements") or []
    if judgements:
        lines.append("Judgements:")
        for j in judgements:
            lines.append("  " + format_judgement(j, report))
    return "\n".join(lines)


def format_judgement(j: dict, meta: dict) -> str:
    grade = grade_phrase(j.get("grade"), j.get("grade_label")) or "not graded"
    part = f"{j['part']}: " if j.get("part") else ""
    jid = j.get("judgement_id")
    ident = f" [judgement_id {jid}]" if jid is not None else ""
    return f"{part}{j.get('title', '?')}: {grade}{ident}"
