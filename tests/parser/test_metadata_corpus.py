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


def test_every_report_resolves_to_its_authority_register_entry(parsed_ilacs) -> None:
    from collections import Counter

    from evsearch.vocab.authorities import by_urn, resolve

    reports = [p.report for p in parsed_ilacs.values() if not isinstance(p, ReportReadError)]
    by_cover = Counter()
    for report in reports:
        folder = report.path.split("/")[-2]
        entry = by_urn(folder.split("_")[0])
        assert report.authority_resolved and entry is not None, report.path
        assert (report.local_authority, report.authority_urn, report.authority_la_code) == (
            entry.name, entry.urn, entry.la_code), report.path  # fmt: skip
        # the cover's own wording finds the same entry through the aliases ("Leeds City", "Hull" ...)
        from_cover = resolve(report.authority_printed, on=report.inspection_end)
        assert from_cover is not None and from_cover.name == entry.name, (report.path, report.authority_printed)
        by_cover[report.authority_printed != entry.name] += 1
        # every date says where it came from; the file name's date fills `published` when nothing prints one
        assert report.published and set(report.date_sources) == {"inspection_start", "inspection_end", "published"}
    print(f"{len(reports)} reports resolved; {by_cover[True]} covers print another name than Ofsted's; "
          f"published from the file name: {sum(r.date_sources['published'] == 'file name' for r in reports)}")
    leeds = [r for r in reports if r.local_authority == "Leeds"]
    assert len(leeds) == 4 and len({r.authority_printed for r in leeds}) == 2  # "Leeds" and "Leeds City"
