"""Linking judgements to the body sections they grade, within the right part."""

from __future__ import annotations

import pytest

from evsearch.indexer.linking import find_section, link_judgements
from evsearch.records import Judgement, Paragraph


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


@pytest.mark.corpus
def test_seed_judgements_link_to_sections_in_their_part(parsed_seed) -> None:
    sections = {(p.part, p.section) for p in parsed_seed.paragraphs}
    linked = [j for j in parsed_seed.judgements if j.section is not None]
    unlinked = sorted({j.title for j in parsed_seed.judgements if j.section is None})
    assert unlinked == ["Equality and diversity"]
    assert len(linked) == 20
    for judgement in linked:
        assert judgement.section == judgement.title
        assert (judgement.part, judgement.section) in sections, judgement
    # Every paragraph of a graded section carries the grade of that part's judgement.
    grades = {(j.part, j.section): j.grade for j in linked}
    for paragraph in parsed_seed.paragraphs:
        if (paragraph.part, paragraph.section) in grades:
            assert paragraph.grade == grades[(paragraph.part, paragraph.section)], paragraph.seq
