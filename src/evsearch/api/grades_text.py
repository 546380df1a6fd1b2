"""Grades as text an assistant can quote: an authority's history per family, and a year-by-year summary.

The MCP tools answer in text (see mcp_server.py); these two formatters turn
the dicts of ``search.grades`` into lines that name the report ids, so an
assistant can follow up with get_report or evidence_for_judgement.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any


def format_history(body: dict[str, Any]) -> str:
    """``search.grades.authority`` as one line per family (oldest first) and one line per report."""
    reports = body["reports"]
    lines = [f"Grade history for {body['local_authority']} ({len(reports)} report(s)):"]
    for family in body["families"]:
        steps = [
            f"{r['year']} {r['grades'][family['family']]['grade_label']}"
            for r in reports
            if family["family"] in r["grades"] and r["grades"][family["family"]]["grade"] is not None
        ]
        if steps:
            lines.append(f"- {family['label']} ({family['family']}): " + " -> ".join(steps))
    lines.append("Reports:")
    for r in reports:
        when = r.get("inspection_end") or r.get("published") or "date not printed"
        lines.append(f"- {when} {r['framework']} (report_id: {r['report_id']})")
    return "\n".join(lines)


def format_summary(body: dict[str, Any]) -> str:
    """``search.grades.grades_summary`` as one line per family and year: counts per grade."""
    filters = ", ".join(f"{k}={v}" for k, v in body["filters"].items() if v)
    lines = [f"Reports per grade by year ({body['reports']} report(s){'; ' + filters if filters else ''}):"]
    if not body["counts"]:
        lines.append("No graded judgements match.")
    ordered = sorted(body["counts"], key=lambda c: ([f["family"] for f in body["families"]].index(c["family"]), c["year"]))
    for family, rows in groupby(ordered, key=lambda c: c["family_label"]):
        lines.append(f"{family}:")
        for year, cells in groupby(rows, key=lambda c: c["year"]):
            lines.append(f"  {year}: " + ", ".join(f"{c['count']} {c['grade_label']}" for c in cells))
    return "\n".join(lines)
