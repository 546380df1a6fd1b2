"""Report metadata from cover pages: dates, names, framework (own-words covers, and the seed)."""

from __future__ import annotations

import pytest

from evsearch.parser.metadata import (
    detect_framework,
    extract_report,
    parse_date,
    parse_date_range,
    refine_framework,
)
from evsearch.records import Judgement


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("29 October 2018 to 9 November 2018", "2018-10-29", "2018-11-09"),
        ("8 \u2013 12 July 2013", "2013-07-08", "2013-07-12"),
        ("11 to 22 May 2026", "2026-05-11", "2026-05-22"),
        ("14 January \u2013 5 February 2014", "2014-01-14", "2014-02-05"),
        ("05 July 2016\u201327 July 2016", "2016-07-05", "2016-07-27"),
        ("1/06/2015 \u2013 25/06/2015", "2015-06-01", "2015-06-25"),
        ("29 December \u2013 9 January 2015", "2014-12-29", "2015-01-09"),
        ("30 September to 11 October 2024 and 13 to 16 January 2025", "2024-09-30", "2025-01-16"),
        ("28 July 2016", "2016-07-28", "2016-07-28"),
        ("sometime last year", None, None),
    ],
)
def test_parse_date_range(text: str, start: str | None, end: str | None) -> None:
    assert parse_date_range(text) == (start, end)


def test_parse_date_rejects_impossible_dates() -> None:
    assert parse_date("31 February 2020") is None
    assert parse_date("3rd March 2021") == "2021-03-03"


ILACS_COVER = """Inspection of Exampleshire local
authority children\u2019s services
Inspection dates: 3 to 14 March 2025
Lead inspector: Pat Example, His Majesty\u2019s Inspector
Judgement Grade
The impact of leaders on social work practice with children and families Good
Overall effectiveness Good
"""

SIF_COVER = """1
Royal Borough of Example upon
Sea Council
Inspection of services for children in need of help and
protection, children looked after and care leavers
and
Review of the effectiveness of the Local Safeguarding Children
Board1
Inspection date: 2 June 2015 \u2013 26 June 2015
Report published: 10 August 2015
The overall judgement is good
"""

SLAC_COVER = """Inspection of looked after children
services
Exampleshire County Council
Inspection dates: 8 \u2013 12 July 2013
Reporting inspector Sam Sample HMI
Age group: All
Published: 16 August 2013
"""


def test_ilacs_cover() -> None:
    report = extract_report([ILACS_COVER], "r1", "x.pdf")
    assert report.title == "Inspection of Exampleshire local authority children's services"
    assert report.local_authority == "Exampleshire"
    assert (report.inspection_start, report.inspection_end) == ("2025-03-03", "2025-03-14")
    assert report.published is None  # ILACS covers print no publication date
    assert report.lead_inspector == "Pat Example"
    assert report.framework == "ilacs"


def test_sif_cover_authority_before_title() -> None:
    report = extract_report([SIF_COVER], "r2", "x.pdf")
    assert report.local_authority == "Example upon Sea"
    assert report.title.startswith("Inspection of services for children in need of help and protection")
    assert report.title.endswith("Review of the effectiveness of the Local Safeguarding Children Board")
    assert report.published == "2015-08-10"
    assert report.framework == "sif"


def test_slac_cover_authority_after_title() -> None:
    report = extract_report([SLAC_COVER, "Record of main findings\n"], "r3", "x.pdf")
    assert report.title == "Inspection of looked after children services"
    assert report.local_authority == "Exampleshire"
    assert report.lead_inspector == "Sam Sample"
    assert report.published == "2013-08-16"
    assert report.framework == "slac"


def test_unknown_framework_for_other_documents() -> None:
    assert detect_framework(["A letter about something else entirely."]) == "unknown"


def test_refine_framework_2026_reform() -> None:
    rows = [Judgement("r", None, "The experiences and progress of care leavers", 2, "good", None)]
    assert refine_framework("ilacs", rows, "2026-05-11") == "ilacs-2026"
    overall = rows + [Judgement("r", None, "Overall effectiveness", 2, "good", None)]
    assert refine_framework("ilacs", overall, "2026-05-11") == "ilacs"
    assert refine_framework("ilacs", rows, "2025-05-11") == "ilacs"  # a missing row before the reform is not the reform
    assert refine_framework("sif", rows, "2026-05-11") == "sif"


def test_a_cover_naming_no_framework_is_placed_by_titles_then_date() -> None:
    def rows(*titles: str) -> list[Judgement]:
        return [Judgement("r", None, title, 2, "good", None) for title in titles]

    assert refine_framework("unknown", rows("Overall judgement", "Adoption performance"), None) == "sif"
    assert refine_framework("unknown", rows("The impact of leaders on social work practice"), "2019-03-01") == "ilacs"
    assert refine_framework("unknown", rows("Experiences and progress of care leavers"), "2015-06-01") == "sif"
    assert refine_framework("unknown", rows("Experiences and progress of care leavers"), "2012-06-01") == "slac"
    assert refine_framework("unknown", [], "2015-06-01") == "unknown"  # nothing graded: maybe not a report
    assert detect_framework(["Children's services in Exampleton\nand\nReview of the effectiveness of the Local "
                             "Safeguarding Children Board"]) == "sif"


@pytest.mark.corpus
def test_seed_metadata(parsed_seed) -> None:
    report = parsed_seed.report
    assert report.report_id == "east-sussex-2010-safeguarding-and-looked-after-children"
    assert report.local_authority == "East Sussex"
    assert report.title == "Inspection of safeguarding and looked after children services"
    assert (report.inspection_start, report.inspection_end) == ("2010-11-29", "2010-12-14")
    assert report.published == "2011-01-24"
    assert report.lead_inspector == "Stephen Hart"
    assert report.framework == "slac"
