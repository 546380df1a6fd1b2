"""Conversions between records and SQLite rows (one place for column order and JSON fields)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from evsearch.records import Judgement, Paragraph, Report
from evsearch.store.base import ParagraphRecord

_YEAR = re.compile(r"^(\d{4})")


def year_of(iso_date: str | None) -> int | None:
    match = _YEAR.match(iso_date or "")
    return int(match.group(1)) if match else None


def report_row(report: Report, *, content_hash: str, mtime: float | None, size: int | None, indexed_at: str) -> tuple:
    inspected = year_of(report.inspection_start) or year_of(report.inspection_end)
    return (
        report.report_id, report.path, report.title, report.local_authority, report.inspection_start,
        report.inspection_end, report.published, report.lead_inspector, report.framework or "unknown",
        inspected, year_of(report.published), content_hash, mtime, size, indexed_at,
        report.authority_urn, report.authority_la_code, int(report.authority_resolved), report.authority_printed,
        json.dumps(report.date_sources or {}, sort_keys=True),
    )  # fmt: skip


def judgement_row(j: Judgement, seq: int) -> tuple:
    return (j.report_id, seq, j.part, j.title, j.grade, j.grade_label, j.section, j.family, j.link)


def paragraph_row(pid: int, p: Paragraph) -> tuple:
    return (
        pid, p.report_id, p.seq, p.number, p.kind, p.text, p.part, p.section,
        json.dumps(list(p.section_path or []), ensure_ascii=False), p.grade, p.grade_label, p.page, p.timeframe,
        p.within, p.duplicate_group,
    )  # fmt: skip


def paragraph_dict(row: sqlite3.Row) -> ParagraphRecord:
    out = dict(row)
    out["section_path"] = json.loads(out["section_path"] or "[]")
    return ParagraphRecord(**out)


def as_dict(row: sqlite3.Row) -> dict[str, Any]:
    return dict(row)


def report_dict(row: sqlite3.Row) -> dict[str, Any]:
    """A reports row with its JSON and flag columns read back (``date_sources`` a dict, ``authority_resolved`` a bool)."""
    out = dict(row)
    out["date_sources"] = json.loads(out.get("date_sources") or "{}")
    out["authority_resolved"] = bool(out.get("authority_resolved"))
    return out
