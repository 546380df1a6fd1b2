"""Metadata of every ilacs/ report, checked against judgements.csv where it has values."""

from __future__ import annotations

import re

import pytest

from evsearch.errors import ReportReadError

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def _iso(day_first: str) -> str:
    day, month, year = day_first.split("/")
    year = year if len(year) == 4 else f"20{year}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower().replace("&", " and "))) - {"and", "the", "of", "city", "st"}


def test_every_report_has_core_metadata(parsed_ilacs) -> None:
    missing = []
    for path, parsed in sorted(parsed_ilacs.items()):
        if isinstance(parsed, ReportReadError):
            continue
        report = parsed.report
        for field in ("title", "local_authority", "inspection_start", "inspection_end", "lead_inspector"):
            if not getattr(report, field):
                missing.append((path, field))
        assert report.framework in ("slac", "sif", "ilacs", "ilacs-2026"), path
        assert report.inspection_start <= report.inspection_end, path
        if report.published:
            assert report.published >= report.inspection_end, path
    for item in missing:
        print("missing:", item)
    # Only a lead inspector may be absent (two 2025 reports print none).
    assert all(field == "lead_inspector" for _, field in missing)
    assert len(missing) <= 3


def test_metadata_agrees_with_csv(parsed_ilacs, csv_rows) -> None:
    checked = 0
    for path, row in sorted(csv_rows.items()):
        parsed = parsed_ilacs.get(path)
        if parsed is None or isinstance(parsed, ReportReadError):
            continue
        report = parsed.report
        csv_la = row["local_authority"].replace("london corporation", "city of london")
        assert _words(csv_la) & _words(report.local_authority), (path, report.local_authority)
        if row["inspection_start_date"]:
            checked += 1
            assert report.inspection_start == _iso(row["inspection_start_date"]), path
            # A split inspection (two visits) ends at the second visit; the CSV gives the first.
            assert report.inspection_end >= _iso(row["inspection_end_date"]), path
        if row["inspector_name"] and report.lead_inspector:
            # The CSV sometimes keeps a stray space from a hyphenated line break ("Thomson -Jones").
            assert report.lead_inspector.lower() == re.sub(r" -", "-", row["inspector_name"]).lower(), path
    assert checked >= 230


def test_report_ids_unique(parsed_ilacs) -> None:
    ids = [p.report.report_id for p in parsed_ilacs.values() if not isinstance(p, ReportReadError)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:--[a-z0-9]+(?:-[a-z0-9]+)*)*", i) for i in ids)
