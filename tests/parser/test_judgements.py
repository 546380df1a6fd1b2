"""Judgement tables: each framework's layout, on small pages written for these tests, and the seed."""

from __future__ import annotations

import pytest

from evsearch.parser.judgements import (
    LSCB_TITLE,
    SIF_OVERALL_TITLE,
    csv_column,
    extract_judgements,
    grades_by_column,
)
from evsearch.vocab.sections import LSCB_PART, normalize_title

# Page-1 text shaped like an ILACS cover (own words; wrapping as PDFs wrap it).
ILACS_PAGE = """Inspection of Exampleshire local authority children's services
Inspection dates: 3 to 14 March 2025
Lead inspector: Pat Example, His Majesty's Inspector
Judgement Grade
The impact of leaders on social work
practice with children and families
Requires improvement
to be good
The experiences and progress of
children who need help and protection
Inadequate
The experiences and progress of
children in care
Good
The experiences and progress of care
leavers
Outstanding
Overall effectiveness Requires improvement
to be good
Leaders in Exampleshire have made good progress with some services since their last visit.
"""

ILACS_2026_PAGE = ILACS_PAGE.replace("Overall effectiveness Requires improvement\nto be good\n", "")

SIF_PAGE = """1
Exampleshire County Council
Inspection of services for children in need of help and
protection, children looked after and care leavers
Inspection date: 2 June 2015 - 26 June 2015
Report published: 10 August 2015
The overall judgement is that children's services are inadequate
There are serious failures that leave children at risk.
1. Children who need help and protection Requires
improvement
2. Children looked after and achieving
permanence
Inadequate
2.1 Adoption performance Not judged
2.2 Experiences and progress of care leavers Good
3. Leadership, management and governance Inadequate
The effectiveness of the Local Safeguarding Children Board (LSCB) is good
The board does its work well.
"""

SLAC_PAGES = [
    "Inspection of safeguarding and looked after children services Exampleshire\n",
    """Record of main findings: Exampleshire
Safeguarding services
Overall effectiveness\tGood
Staying well and being safe\t
How well children are kept safe\tAdequate
Services for looked after children
Partnership work with\t
health services in the county\tOutstanding
Fairness and inclusion\tGood
Services for looked after children
Overall effectiveness\tInadequate
Outcomes for children in care and
young people leaving care
Adequate
Leadership and management\tGood Grade 2
""",
]


def test_ilacs_table_dewraps_titles_and_grades() -> None:
    found = extract_judgements([ILACS_PAGE], "r1", "ilacs")
    assert [(j.title, j.grade, j.grade_label) for j in found] == [
        ("The impact of leaders on social work practice with children and families", 3, "requires improvement"),
        ("The experiences and progress of children who need help and protection", 4, "inadequate"),
        ("The experiences and progress of children in care", 2, "good"),
        ("The experiences and progress of care leavers", 1, "outstanding"),
        ("Overall effectiveness", 3, "requires improvement"),
    ]
    assert all(j.part is None and j.section is None and j.report_id == "r1" for j in found)


def test_ilacs_2026_table_has_no_overall_and_stops_before_prose() -> None:
    found = extract_judgements([ILACS_2026_PAGE], "r1", "ilacs")
    assert len(found) == 4
    assert "overall_effectiveness" not in grades_by_column(found)


def test_sif_cover_list_overall_and_lscb() -> None:
    found = extract_judgements([SIF_PAGE], "r2", "sif")
    got = [(j.title, j.grade_label) for j in found]
    assert got == [
        (SIF_OVERALL_TITLE, "inadequate"),
        ("Children who need help and protection", "requires improvement"),
        ("Children looked after and achieving permanence", "inadequate"),
        ("Adoption performance", None),  # printed "Not judged"
        ("Experiences and progress of care leavers", "good"),
        ("Leadership, management and governance", "inadequate"),
        (LSCB_TITLE, "good"),
    ]
    columns = {column: j.grade for column, j in grades_by_column(found).items()}
    assert columns == {
        "overall_effectiveness": 4,
        "help_and_protection": 3,
        "in_care": 4,
        "care_leavers": 2,
        "impact_of_leaders": 4,
    }


@pytest.mark.parametrize(
    ("page_one_line", "later_page", "label"),
    [
        # page 1 words the LSCB row as a sentence, wrapped
        ("The judgement for the effectiveness of the Local Safeguarding Children\nBoard (LSCB) is requires improvement",
         "", "requires improvement"),
        ("The effectiveness of the LSCB is inadequate", "", "inadequate"),
        # page 1 prints no LSCB row: the sentence at the top of the review gives the grade
        ("", "Section 2: The effectiveness of the Local Safeguarding Children Board\n"
             "The effectiveness of the LSCB requires improvement\nAreas for improvement\n", "requires improvement"),
        ("", "The Local Safeguarding Children Board (LSCB)\nThe Local Safeguarding Children Board is outstanding\n"
             "Executive summary\n", "outstanding"),
    ],
)
def test_sif_lscb_judgement_from_page_one_or_the_review_sentence(page_one_line: str, later_page: str, label: str) -> None:
    cover = SIF_PAGE.replace("The effectiveness of the Local Safeguarding Children Board (LSCB) is good", page_one_line)
    found = extract_judgements([cover, "Contents\n", later_page], "r2", "sif")
    lscb = [j for j in found if j.part == LSCB_PART]
    assert [j.grade_label for j in lscb] == [label]
    assert lscb[0].title.startswith("The effectiveness of the")  # as printed, without "The judgement for"
    assert len(found) == 7  # the six page-1 judgements are untouched


def test_sif_reinspection_overall_sentence() -> None:
    page = SIF_PAGE.replace(
        "The overall judgement is that children's services are inadequate",
        "Children\u2019s services in Exampleshire require improvement to be\ngood",
    )
    found = extract_judgements([page], "r2", "sif")
    assert (found[0].title, found[0].grade, found[0].grade_label) == (SIF_OVERALL_TITLE, 3, "requires improvement")


def test_slac_record_of_main_findings_parts_headings_and_wraps() -> None:
    found = extract_judgements(SLAC_PAGES, "r3", "slac")
    got = [(j.part, j.title, j.grade_label) for j in found]
    assert got == [
        ("Safeguarding services", "Overall effectiveness", "good"),
        ("Safeguarding services", "How well children are kept safe", "adequate"),
        # a part name used as a group heading does not start the next part...
        ("Safeguarding services", "Partnership work with health services in the county", "outstanding"),
        ("Safeguarding services", "Fairness and inclusion", "good"),
        # ..."Overall effectiveness" after it does
        ("Services for looked after children", "Overall effectiveness", "inadequate"),
        ("Services for looked after children", "Outcomes for children in care and young people leaving care", "adequate"),
        ("Services for looked after children", "Leadership and management", "good"),
    ]


def test_table_of_contents_entry_is_not_the_table() -> None:
    pages = ["Contents\nRecord of main findings 21\n", "Some prose that is good.\n"]
    assert extract_judgements(pages, "r", "slac") == []


@pytest.mark.parametrize(
    ("title", "column"),
    [
        ("Overall effectiveness", "overall_effectiveness"),
        (SIF_OVERALL_TITLE, "overall_effectiveness"),
        ("The impact of leaders on social work practice with children and families", "impact_of_leaders"),
        ("3. Leadership, management and governance", "impact_of_leaders"),
        ("Children who need help and protection", "help_and_protection"),
        ("The experiences and progress of children in care and care leavers", "in_care"),
        ("The experiences and progress of children in care", "in_care"),
        ("Children looked after and achieving permanence", "in_care"),
        ("The experiences and progress of care leavers", "care_leavers"),
        ("The experiences and progress of children care leavers", "care_leavers"),
        ("2.2 Experiences and progress of Care Leavers", "care_leavers"),
        ("Adoption performance", None),
        ("Equality and diversity", None),
    ],
)
def test_csv_column_mapping(title: str, column: str | None) -> None:
    assert csv_column(title) == column


def test_one_title_normalisation_for_tables_headings_and_vocabulary() -> None:
    assert normalize_title("2.1 Adoption performance: good") == "adoption performance"
    assert normalize_title("**Being healthy** Grade 3 (adequate)") == "being healthy"
    assert normalize_title("Care leavers \u2013 inadequate") == "care leavers"
    assert normalize_title("The local authority\u2019s  strengths:") == "the local authority's strengths"


@pytest.mark.corpus
def test_seed_main_findings_table(parsed_seed) -> None:
    judgements = parsed_seed.judgements
    assert len(judgements) == 22
    parts = [j.part for j in judgements]
    assert parts.count("Safeguarding services") == 10
    assert parts.count("Services for looked after children") == 12
    by_key = {(j.part, j.title): j for j in judgements}
    sg, lac = "Safeguarding services", "Services for looked after children"
    assert by_key[(sg, "Overall effectiveness")].grade == 2
    assert by_key[(sg, "Quality of provision")].grade_label == "adequate"
    assert by_key[(lac, "Quality of provision")].grade_label == "good"
    assert by_key[(lac, "Capacity for improvement")].grade == 1
    assert by_key[(lac, "Being healthy")].grade == 3
    assert by_key[(lac, "Ambition and prioritisation")].grade == 1
    assert by_key[(sg, "Partnership working")].grade == 2
    # Equality and diversity is judged in both parts but has no body section.
    for part in (sg, lac):
        assert by_key[(part, "Equality and diversity")].section is None
        assert by_key[(part, "Equality and diversity")].grade == 2
