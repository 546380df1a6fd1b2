"""Linking judgements to the body sections they grade, within the right part (the LSCB review included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsearch.parser.judgements import extract_judgements
from evsearch.parser.linking import NO_SECTION, find_section, link_judgements
from evsearch.parser.paragraphs import split_paragraphs
from evsearch.parser.reader import Document
from evsearch.vocab.sections import LSCB_PART
from evsearch.records import Judgement, Paragraph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _para(seq: int, section: str | None, part: str | None = None, grade: int | None = None) -> Paragraph:
    return Paragraph(
        report_id="r",
        seq=seq,
        number=seq + 1,
        kind="paragraph",
        text=f"Paragraph {seq} in my own words.",
        part=part,
        section=section,
        section_path=[s for s in (part, section) if s],
        grade=grade,
        grade_label={2: "good", 3: "adequate"}.get(grade) if grade else None,
    )


def _judgement(title: str, grade: int | None, label: str | None, part: str | None = None) -> Judgement:
    return Judgement(report_id="r", part=part, title=title, grade=grade, grade_label=label, section=None)


def test_same_title_links_within_its_part_and_fills_ungraded_paragraphs() -> None:
    paragraphs = [
        _para(0, "Overall effectiveness", "Part A", grade=2),
        _para(1, "Overall effectiveness", "Part B"),  # heading printed no grade
        _para(2, "Overall effectiveness", "Part B"),
    ]
    judgements = [
        _judgement("Overall effectiveness", 2, "good", "Part A"),
        _judgement("Overall effectiveness", 3, "adequate", "Part B"),
        _judgement("Fairness and inclusion", 2, "good", "Part B"),
    ]
    link_judgements(judgements, paragraphs)
    assert [j.section for j in judgements] == ["Overall effectiveness", "Overall effectiveness", None]
    assert [j.link for j in judgements] == [None, None, NO_SECTION]  # says why it has no section
    assert paragraphs[0].grade == 2  # its own printed grade stays
    assert [(p.grade, p.grade_label) for p in paragraphs[1:]] == [(3, "adequate"), (3, "adequate")]


def test_sif_table_title_links_to_longer_body_heading() -> None:
    sections = [
        "Information about this inspection",
        "The experiences and progress of children who need help and protection",
        "Leadership, management and governance",
    ]
    help_ = _judgement("Children who need help and protection", 3, "requires improvement")
    lead = _judgement("Leadership, management and governance", 2, "good")
    overall = _judgement("Overall effectiveness", 2, "good")
    assert find_section(help_, sections) == sections[1]
    assert find_section(lead, sections) == sections[2]
    assert find_section(overall, sections) is None


def test_ilacs_body_heading_with_trailing_grade_words() -> None:
    sections = ["The impact of leaders on social work practice with children and families is"]
    judgement = _judgement("The impact of leaders on social work practice with children and families", 1, "outstanding")
    assert find_section(judgement, sections) == sections[0]


def test_framework_wording_variants_link_without_report_specific_strings() -> None:
    sections = [
        "Summary for children and young people",
        "The experience and progress of care leavers",  # singular "experience" in the body
        "The graded judgement for adoption performance is",
        "Inspection findings \u2013 the Local Safeguarding Children Board",
    ]
    leavers = _judgement("Experiences and progress of care leavers", 3, "requires improvement")
    adoption = _judgement("Adoption performance", 2, "good")
    lscb = _judgement("The effectiveness of the Local Safeguarding Children Board (LSCB)", 2, "good")
    assert find_section(leavers, sections) == sections[1]
    assert find_section(adoption, sections) == sections[2]
    assert find_section(lscb, sections) == sections[3]


def test_key_heading_holding_only_sub_headings_is_linked() -> None:
    """A graded key heading whose paragraphs all sit under "Inspection findings" is still the linked section."""
    key = "The experiences and progress of children who need help and protection"
    paragraphs = [_para(0, "Inspection findings"), _para(1, "Inspection findings")]
    for paragraph in paragraphs:
        paragraph.section_path = [key, "Inspection findings"]
    judgement = _judgement("Children who need help and protection", 3, "requires improvement")
    link_judgements([judgement], paragraphs)
    assert (judgement.section, judgement.link) == (key, None)
    assert [p.grade for p in paragraphs] == [3, 3]


def test_sif_lscb_review_is_its_own_part_graded_by_its_sentence() -> None:
    """Own-words SIF report: page 1 lacks the LSCB line, so the grade comes from the sentence at the top
    of the review; the review's wrapped heading opens its own part, whose paragraphs number from 1 again."""
    pages = (FIXTURES / "sif-lscb-review.txt").read_text(encoding="utf-8").split("\f")
    paragraphs = split_paragraphs(Document(Path("sif-lscb-review.pdf"), pages), "r")
    judgements = extract_judgements(pages, "r", "sif")
    link_judgements(judgements, paragraphs)
    lscb = judgements[-1]
    assert (lscb.part, lscb.grade_label) == (LSCB_PART, "requires improvement")
    assert lscb.section == "Inspection findings \u2013 the Local Safeguarding Children Board"
    review = [p for p in paragraphs if p.part == LSCB_PART]
    assert [(p.kind, p.number) for p in review] == [("recommendation", None)] * 2 + [("paragraph", 1), ("paragraph", 2)]
    assert all(p.grade == 3 and p.section_path[0] == LSCB_PART for p in review)
    assert not any("requires improvement" in p.text for p in review)  # the grade sentence is not a record
    main = [p for p in paragraphs if p.part is None]
    assert [p.number for p in main] == [1, 2, 3, 4, 5, 6]  # (part, number) cites both runs without a clash
    linked = {j.title: j.section for j in judgements[1:-1]}
    assert linked == {
        "Children who need help and protection": "The experiences and progress of children who need help and protection",
        "Children looked after and achieving permanence":
            "The experiences and progress of children looked after and achieving permanence",
        "Adoption performance": "Adoption performance",
        "Experiences and progress of care leavers": "The experience and progress of care leavers",
        "Leadership, management and governance": "Leadership, management and governance",
    }
    assert [p.grade for p in main] == [3, 3, 2, 2, 3, 3]
    assert (judgements[0].section, judgements[0].link) == (None, NO_SECTION)  # the overall judgement


@pytest.mark.corpus
def test_seed_judgements_link_to_sections_in_their_part(parsed_seed) -> None:
    sections = {(p.part, p.section) for p in parsed_seed.paragraphs}
    linked = [j for j in parsed_seed.judgements if j.section is not None]
    unlinked = sorted({j.title for j in parsed_seed.judgements if j.section is None})
    assert unlinked == ["Equality and diversity"]
    assert all(j.link == NO_SECTION for j in parsed_seed.judgements if j.section is None)
    assert len(linked) == 20
    for judgement in linked:
        assert judgement.section == judgement.title
        assert (judgement.part, judgement.section) in sections, judgement
    # Every paragraph of a graded section carries the grade of that part's judgement.
    grades = {(j.part, j.section): j.grade for j in linked}
    for paragraph in parsed_seed.paragraphs:
        if (paragraph.part, paragraph.section) in grades:
            assert paragraph.grade == grades[(paragraph.part, paragraph.section)], paragraph.seq
