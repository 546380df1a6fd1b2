"""Whole-corpus checks: every ilacs/ PDF's judgements against judgements.csv (an imperfect oracle).

Cells where the CSV is known to be wrong (verified by opening the PDF) are
corrected by tests/parser/data/judgement_expectations.csv, so these
tests assert what the reports print.
"""

from __future__ import annotations

import re

import pytest

from evsearch.errors import ReportReadError
from evsearch.vocab.grades import lookup_label
from evsearch.parser.judgements import CSV_COLUMN_NAMES as CSV_COLUMNS
from evsearch.parser.judgements import grades_by_column
from evsearch.parser.linking import NO_SECTION
from evsearch.parser.reader import read_document
from evsearch.vocab.sections import LSCB_PART

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


def test_every_judgement_is_linked_or_says_why(parsed_ilacs) -> None:
    """Issue 13: every judgement other than overall effectiveness links to the section it grades
    (and that section holds graded paragraphs), or carries the reason it does not."""
    linked = total = 0
    unlinked = []
    for path, parsed in sorted(parsed_ilacs.items()):
        if isinstance(parsed, ReportReadError):
            continue
        for judgement in parsed.judgements:
            if judgement.section is None:
                assert judgement.link == NO_SECTION, (path, judgement.title)
            else:
                assert judgement.link is None, (path, judgement.title)
                graded = [
                    p for p in parsed.paragraphs
                    if p.part == judgement.part or judgement.part not in {q.part for q in parsed.paragraphs}
                    if p.section == judgement.section or judgement.section in p.section_path
                ]
                assert graded, (path, judgement.section)
                if judgement.grade is not None:
                    assert all(p.grade is not None for p in graded), (path, judgement.section)
            if judgement.title in ("Overall effectiveness", "Overall judgement"):
                continue
            total += 1
            linked += judgement.section is not None
            if judgement.section is None:
                unlinked.append((path, judgement.title, judgement.grade_label))
    for item in unlinked:
        print("unlinked:", item)
    print(f"judgements other than overall effectiveness linked to a section: {linked} of {total} ({linked / total:.2%})")
    assert total >= 1500
    assert linked / total >= 0.99


def test_every_sif_lscb_review_has_its_judgement_and_part(parsed_ilacs, ilacs_dir) -> None:
    """A SIF report whose cover names the LSCB review has the LSCB judgement (from page 1 or the
    review's own sentence), and the review's records sit in their own part, citable without clashes."""
    reviews = 0
    for path, parsed in sorted(parsed_ilacs.items()):
        if isinstance(parsed, ReportReadError) or parsed.report.framework != "sif":
            continue
        cover = " ".join(read_document(ilacs_dir / path).pages[0].replace("\u2019", "'").split())
        announced = re.search(r"review of the (?:effectiveness of the )?local safeguarding children'?s? board", cover, re.I)
        lscb = [j for j in parsed.judgements if j.part == LSCB_PART]
        review = [p for p in parsed.paragraphs if p.part == LSCB_PART]
        if not announced:
            assert not lscb and not review, path  # a re-inspection of the local authority alone
            continue
        reviews += 1
        assert len(lscb) == 1 and lscb[0].grade is not None, path
        assert lscb[0].section is not None and review, path
        assert all(p.grade == lscb[0].grade for p in review), path  # the judgement grades all of the review
        cited = [(p.part, p.number) for p in parsed.paragraphs if p.number is not None]
        assert len(cited) == len(set(cited)), path
    print(f"SIF reports with an LSCB review: {reviews}")
    assert reviews >= 110
