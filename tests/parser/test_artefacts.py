"""Parser artefacts found while grading and by a red-team, each pinned on a fixture in our own words.

- a sentence taken as a section title ("... (Recommendations 2 and 4)", "... delay. Managers ...");
- a footnote printed under the last line of a page with no blank line, spliced into the paragraph;
- "What the inspection judgements mean: the local authority" glued onto the paragraph before it;
- 2009-13 timeframe sub-headings ("Within three months:") over recommendations printed without bullets;
- a numbered paragraph whose text opens with a mark ("2. =The ...") losing its number.
"""

from __future__ import annotations

from pathlib import Path

from evsearch.parser.headings import sentence_like
from evsearch.parser.paragraphs import split_paragraphs, split_text
from evsearch.parser.reader import Document
from evsearch.vocab.sections import timeframe_of


def _numbered(paragraphs):
    return {p.number: p for p in paragraphs if p.number is not None}


def test_a_sentence_before_a_paragraph_is_not_a_section_title() -> None:
    text = "\n".join(
        [
            "The experiences and progress of children who need help and protection: good",
            "1. Families are seen quickly and plans are written with them.",
            "Some assessments are thin, which slows help for a few families. (Recommendations 2 and 4)",
            "2. Managers check every plan each month and record what they decide.",
            "Staff turnover has fallen. Most teams are now fully staffed",
            "3. Social workers know their children well.",
        ]
    )
    paras = split_paragraphs_of(text)
    nums = _numbered(paras)
    title = "The experiences and progress of children who need help and protection"
    assert [nums[n].section for n in (1, 2, 3)] == [title, title, title]
    assert all("Recommendations" not in part for p in paras for part in p.section_path)
    assert "(Recommendations 2 and 4)" in nums[1].text and "fully staffed" in nums[2].text


def split_paragraphs_of(text: str):
    return split_text(text, "fixture")


def test_sentence_like_titles() -> None:
    assert sentence_like("Help is slow for some families. (Recommendation)")
    assert sentence_like("Leaders act on what they find.")
    assert sentence_like("Staff turnover has fallen. Most teams are full")
    assert not sentence_like("The experiences and progress of care leavers")
    assert not sentence_like("Children in St. Mary's ward")  # one letter before the point: an abbreviation
    assert not sentence_like("Areas for improvement")


def test_a_footnote_without_a_blank_line_is_not_spliced_into_the_paragraph() -> None:
    cover = "Inspection of Fenwold local authority children's services\nInspection dates: 2 to 13 March 2026"
    page2 = "\n".join(
        [
            "What needs to improve?",
            "1",
            "◼ How quickly children who go missing are offered a return interview.",
            "The experiences and progress of children who need help and protection: good",
            "1. Early help workers stay with a family until the work is done, and families say this",
            "matters to them. Once leaders saw the gaps in the evening service they closed them.",
            "1 The areas for improvement are linked to the national framework for children's social care.",
        ]
    )
    page3 = "2. Child protection conferences are held on time and parents are helped to take part."
    paras = split_paragraphs(Document(Path("fenwold.pdf"), [cover, page2, page3]), "fixture")
    nums = _numbered(paras)
    assert nums[1].text.endswith("closed them.")
    assert not any("national framework" in p.text for p in paras)
    assert nums[2].page == 3


def test_a_period_lost_paragraph_at_a_page_foot_is_kept() -> None:
    # "2 Most ..." looks like a footnote line, but no marker 2 is printed above it: it is body text.
    cover = "Inspection of Fenwold local authority children's services"
    page2 = "\n".join(
        [
            "The experiences and progress of children in care: good",
            "1. Children in care live close to home and keep their friends and schools.",
            "2 Most foster carers have had training in helping children after trauma.",
        ]
    )
    paras = split_paragraphs(Document(Path("fenwold.pdf"), [cover, page2]), "fixture")
    assert any("training in helping children after trauma" in p.text for p in paras)


def test_judgement_boilerplate_is_not_glued_to_the_last_paragraph() -> None:
    text = "\n".join(
        [
            "Leadership, management and governance: requires improvement",
            "1. Leaders have a plan and it is beginning to make a difference.",
            "What the inspection judgements mean: the local authority",
            "An outstanding local authority leads services that improve the lives of children.",
        ]
    )
    paras = split_text(text, "fixture")
    nums = _numbered(paras)
    assert nums[1].text == "Leaders have a plan and it is beginning to make a difference."
    boiler = [p for p in paras if p.number is None]
    assert boiler and boiler[0].section == "What the inspection judgements mean: the local authority"


def test_timeframe_sub_headings_kept_over_unbulleted_recommendations() -> None:
    text = "\n".join(
        [
            "Overall effectiveness",
            "1. The council's services for children are adequate.",
            "Areas for improvement",
            "2. To improve services further the council and its partners should:",
            "Immediately:",
            "Make sure that every child with a protection plan has a named social worker.",
            "Within three months:",
            "Review how the out of hours service shares what it learns with day teams.",
            "Agree with health partners who assesses children at night.",
            "Within 6 months:",
            "Publish a plan for enough local foster homes.",
            "Within one month:",
            "Tell every care leaver what help they can ask for.",
            "Within two weeks: Check that every child missing from school has been seen.",
        ]
    )
    recs = [p for p in split_text(text, "fixture") if p.kind == "recommendation"]
    assert [(p.timeframe, p.text.split()[0]) for p in recs] == [
        ("immediately", "Make"),
        ("within three months", "Review"),
        ("within three months", "Agree"),
        ("within six months", "Publish"),
        ("within one month", "Tell"),
        ("within two weeks", "Check"),  # marker and recommendation on one line
    ]
    assert {p.within for p in recs} == {2}  # they sit inside paragraph 2, which introduces them


def test_timeframe_markers() -> None:
    assert timeframe_of("Within 3 months:") == "within three months"
    assert timeframe_of("Within twelve months") == "within twelve months"
    assert timeframe_of("Within 1 month") == "within one month"
    assert timeframe_of("Immediately") == "immediately"
    assert timeframe_of("Within the council, leaders ...") is None


def test_a_paragraph_opening_with_a_mark_keeps_its_number() -> None:
    text = "\n".join(
        [
            "The experiences and progress of care leavers: good",
            "1. Care leavers have personal advisers who stay in touch.",
            "2. =Young people aged 18 to 21 get the same help wherever they live.",
            "3. …and most care leavers are in education, training or work.",
        ]
    )
    nums = _numbered(split_text(text, "fixture"))
    assert sorted(nums) == [1, 2, 3]
    assert nums[2].text.startswith("=Young people")
