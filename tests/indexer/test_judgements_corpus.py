"""Whole-corpus checks: every ilacs/ PDF's judgements against judgements.csv (an imperfect oracle).

Cells where the CSV is known to be wrong (verified by opening the PDF) are
corrected by tests/indexer/data/judgement_expectations.csv, so these
tests assert what the reports print.
"""

from __future__ import annotations

import pytest

from evsearch.errors import ReportReadError
from evsearch.indexer.grades import lookup_label
from evsearch.indexer.judgements import CSV_COLUMN_NAMES as CSV_COLUMNS
from evsearch.indexer.judgements import grades_by_column

# CSV cells that hold no grade to compare (see the corpus README).
NON_GRADES = {"", "data_unreadable", "inspection_pre_dates_judgement", "not_reported_post_reform"}

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def _expected(row, column, expectations) -> str:
    fix = expectations.get((row["path"], column))
    return fix["true_value"] if fix else row[f"{column}_grade"]


def test_every_real_pdf_parses(parsed_ilacs, ilacs_dir) -> None:
    failed = {path: r for path, r in parsed_ilacs.items() if isinstance(r, ReportReadError)}
    for path, error in sorted(failed.items()):
        print(f"unparsed: {path}: {error.reason}")
    # The only failures are the files that are not PDFs at all (saved "report not found" web pages).
    not_pdf = {path for path in parsed_ilacs if not (ilacs_dir / path).read_bytes().startswith(b"%PDF")}
    assert set(failed) == not_pdf
    assert len(not_pdf) <= 4
    assert all("PDF" in e.reason for e in failed.values())  # the reason says why it is not a usable PDF
    assert len(parsed_ilacs) - len(failed) >= 369


def test_judgements_agree_with_csv(parsed_ilacs, csv_rows, expectations) -> None:
    compared = agreed = raw_agreed = 0
    disagreements = []
    for path, row in sorted(csv_rows.items()):
        parsed = parsed_ilacs.get(path)
        if parsed is None or isinstance(parsed, ReportReadError):
            continue
        ours = grades_by_column(parsed.judgements)
        for column in CSV_COLUMNS:
            raw = row[f"{column}_grade"]
            want = _expected(row, column, expectations)
            got = ours.get(column)
            if want in ("inspection_pre_dates_judgement", "not_reported_post_reform") or (
                want == "" and (path, column) in expectations
            ):
                # The report has no such judgement: we must not invent one.
                assert got is None, (path, column, got)
                continue
            if raw in NON_GRADES and (path, column) not in expectations:
                continue
            compared += 1
            want_word = lookup_label(want)
            assert want_word is not None, (path, column, want)
            ok = got is not None and got.grade == want_word.grade
            agreed += ok
            raw_word = lookup_label(raw)
            raw_agreed += got is not None and raw_word is not None and got.grade == raw_word.grade
            if not ok:
                disagreements.append((path, column, want, got.grade_label if got else None))
    for item in disagreements:
        print("disagreement:", item)
    print(f"cells compared {compared}; agree with raw CSV {raw_agreed}; with corrections {agreed} ({agreed / compared:.2%})")
    assert compared >= 1000
    assert agreed / compared >= 0.995
    # Every correction recorded in the expectations file holds exactly.
    for (path, column), fix in expectations.items():
        parsed = parsed_ilacs[path]
        got = grades_by_column(parsed.judgements).get(column)
        want = lookup_label(fix["true_value"]) if fix["true_value"] else None
        assert (got.grade if got else None) == (want.grade if want else None), (path, column)


def test_unreadable_cells_still_get_grades(parsed_ilacs, csv_rows) -> None:
    """Where the CSV's tool could not read a grade (mostly 2013-2017 SIF reports), we still do."""
    cells = graded = 0
    missing = []
    for path, row in sorted(csv_rows.items()):
        parsed = parsed_ilacs.get(path)
        if parsed is None or isinstance(parsed, ReportReadError) or parsed.report.framework == "slac":
            continue  # slac reports have no single overall / help-and-protection columns
        ours = grades_by_column(parsed.judgements)
        for column in CSV_COLUMNS:
            if row[f"{column}_grade"] not in ("data_unreadable", ""):
                continue
            cells += 1
            got = ours.get(column)
            if got is not None and got.grade is not None:
                graded += 1
            else:
                missing.append((path, column, got.title if got else None))
    for item in missing:
        print("no grade:", item)
    print(f"unreadable cells {cells}; graded by us {graded} ({graded / cells:.2%})")
    assert cells >= 500
    assert graded / cells >= 0.95


def test_framework_agrees_with_inspection_dates(parsed_ilacs) -> None:
    for path, parsed in sorted(parsed_ilacs.items()):
        if isinstance(parsed, ReportReadError):
            continue
        report = parsed.report
        start = report.inspection_start
        titles = {j.title for j in parsed.judgements}
        assert report.framework != "unknown", path
        if report.framework == "ilacs-2026":
            assert start >= "2026-04-01", path
            assert "Overall effectiveness" not in titles, path
        elif report.framework == "ilacs":
            assert "2017-10-01" <= start < "2026-04-01", path
            assert "Overall effectiveness" in titles, path
        elif report.framework == "sif":
            # SIF ran 2013-2017; its last re-inspections were carried out in the first half of 2018.
            assert "2013-10-01" <= start < "2018-07-01", path
        elif report.framework == "slac":
            assert start < "2014-01-01", path


def test_ilacs_judgements_link_to_body_sections(parsed_ilacs) -> None:
    """Every ILACS area judgement has a body section ("...: good") holding its paragraphs."""
    totals: dict[str, list[int]] = {}
    unlinked = []
    for path, parsed in sorted(parsed_ilacs.items()):
        if isinstance(parsed, ReportReadError):
            continue
        framework = parsed.report.framework
        for judgement in parsed.judgements:
            if framework == "slac":
                continue  # slac bodies do have "Overall effectiveness" sections; see the seed tests
            if judgement.title in ("Overall effectiveness", "Overall judgement"):
                assert judgement.section is None, path  # summarised on page 1, no body section
                continue
            linked, total = totals.setdefault(framework, [0, 0])
            totals[framework] = [linked + (judgement.section is not None), total + 1]
            if judgement.section is None and framework.startswith("ilacs"):
                unlinked.append((path, judgement.title))
            if judgement.section is not None:
                graded = [p for p in parsed.paragraphs if p.section == judgement.section]
                assert graded, (path, judgement.section)
                if judgement.grade is not None:
                    assert all(p.grade is not None for p in graded), (path, judgement.section)
    for framework, (linked, total) in sorted(totals.items()):
        print(f"{framework}: {linked} of {total} area judgements linked to a body section")
    for item in unlinked:
        print("unlinked:", item)
    linked = sum(totals[f][0] for f in totals if f.startswith("ilacs"))
    total = sum(totals[f][1] for f in totals if f.startswith("ilacs"))
    assert linked / total >= 0.95
