"""Paragraph splitting on small hand-written fixtures (our own words) and arbitrary input."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsearch.parser.cleaning import Line, clean_line, join_lines, page_lines
from evsearch.parser.headings import grade_line, split_title_grade
from evsearch.parser.paragraphs import skip_regions, split_lines, split_paragraphs, split_text
from evsearch.parser.reader import Document, read_document
from evsearch.records import Paragraph
from evsearch.vocab.sections import normalize_title, title_role

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "sample-report.txt"


def _pdf_like(name: str) -> list[Paragraph]:
    """A fixture whose pages (split on form feeds) are treated as PDF text: headers stripped."""
    pages = (FIXTURES / name).read_text(encoding="utf-8").split("\f")
    return split_paragraphs(Document(Path(name).with_suffix(".pdf"), pages), "fixture")


def _numbered(paragraphs: list[Paragraph]) -> dict[int, Paragraph]:
    return {p.number: p for p in paragraphs if p.number is not None}


# ----- ILACS-style PDF text: running headers, wrapped headings and grades, PDF quirks


def test_ilacs_fixture_numbering_and_grades() -> None:
    paras = _pdf_like("ilacs-quirks.txt")
    nums = _numbered(paras)
    assert sorted(nums) == list(range(1, 8))
    help_title = "The experiences and progress of children who need help and protection"
    for n in (1, 2, 3):  # heading and grade wrapped: "...help and" / "protection: requires improvement" / "to be good"
        assert nums[n].section == help_title
        assert (nums[n].grade, nums[n].grade_label) == (3, "requires improvement")
        assert nums[n].part is None and nums[n].section_path == [help_title]
    for n in (4, 5):
        assert nums[n].section == "The experiences and progress of children in care"
        assert (nums[n].grade, nums[n].grade_label) == (2, "good")
    for n in (6, 7):  # heading wrapped, grade after the colon on the second line
        assert nums[n].section == "The impact of leaders on social work practice with children and families"
        assert nums[n].grade == 2
    assert [p.seq for p in paras] == list(range(len(paras)))


def test_running_header_removed_mid_paragraph_and_page_kept() -> None:
    nums = _numbered(_pdf_like("ilacs-quirks.txt"))
    text = nums[2].text
    assert "Inspection of Northbury" not in text and "June 2031" not in text
    assert "do not say who will act next or by when" in text  # joined across the page break
    assert nums[2].page == 2 and nums[3].page == 3


def test_pdf_quirks_no_space_quote_hyphenation_and_ufffe() -> None:
    nums = _numbered(_pdf_like("ilacs-quirks.txt"))
    assert nums[4].text.startswith("Children come into care")  # "4.Children"
    assert nums[5].text.startswith('"We feel listened to,"')  # opens with a quote mark
    assert nums[3].text.startswith("‘Signs of Safety’")
    assert "decision-making is recorded" in nums[1].text  # hyphen at a line end rejoined
    assert "well-being of brothers" in nums[2].text  # U+FFFE read as a hyphen
    for p in nums.values():
        assert "\ufffe" not in p.text and "\uf0a7" not in p.text


def test_front_summary_and_what_needs_to_improve() -> None:
    paras = _pdf_like("ilacs-quirks.txt")
    summary = [p for p in paras if p.kind == "summary"]
    assert len(summary) == 1 and summary[0].page == 1
    assert summary[0].text.startswith("Northbury is an invented council")
    assert "Judgement" not in summary[0].text and "Overall effectiveness" not in summary[0].text
    recs = [p for p in paras if p.kind == "recommendation"]
    assert [r.text for r in recs] == [
        "The timeliness of return home interviews after a child has been missing.",
        "Written plans for children who are waiting for a permanent home.",
    ]
    assert all(r.section == "What needs to improve?" and r.grade is None for r in recs)


def test_no_heading_or_grade_inside_paragraph_text() -> None:
    for p in _pdf_like("ilacs-quirks.txt"):
        assert "experiences and progress" not in p.text
        assert "requires improvement" not in p.text.lower()
        assert "to be good" not in p.text


# ----- seed-style text: ToC, grades on the heading line, numbers that are not paragraphs


def test_slac_fixture() -> None:
    paras = split_paragraphs(read_document(FIXTURES / "slac-quirks.txt"), "slac")
    nums = _numbered(paras)
    assert sorted(nums) == [1, 2, 3, 4, 5]  # ToC row "1. Summary ..." and list "1. in-house" are not paragraphs
    assert nums[1].text.startswith("Three inspectors visited")
    assert "in-house foster homes: 140" in nums[3].text
    assert nums[2].text.endswith("• foster carers;\n• 12 young people in care.")
    assert nums[4].section == "Overall effectiveness"
    assert (nums[4].grade, nums[4].grade_label) == (4, "inadequate")  # bold grade on the heading line
    assert "**" not in nums[4].text and "Grade" not in nums[4].text
    assert nums[4].text.endswith("do not check the quality of the plans that are written.")  # across a page break
    assert (nums[5].grade, nums[5].grade_label) == (3, "adequate")  # grade on the line below
    assert nums[5].text.endswith('"Nobody told me why my worker changed," said one young person.')
    assert all("Record of main findings" not in p.text and "Inadequate" not in p.text for p in paras)


def test_skip_regions_expose_toc_and_main_findings() -> None:
    doc = read_document(FIXTURES / "slac-quirks.txt")
    kinds = [kind for _, _, kind in skip_regions(doc)]
    assert kinds == ["toc", "table"]


# ----- the bundled sample report (used by `make demo`)


def test_sample_report() -> None:
    paras = split_paragraphs(read_document(SAMPLE), "sample")
    nums = _numbered(paras)
    assert sorted(nums) == list(range(1, 13))
    assert nums[2].text.count("\n• ") == 3  # the bullet list stays with the paragraph introducing it
    assert nums[3].grade is None and "(Grade 1)" in nums[3].text  # the scale explanation grades nothing
    for n in (4, 5):
        assert (nums[n].part, nums[n].section, nums[n].grade) == ("Safeguarding services", "Overall effectiveness", 2)
    assert "the same afternoon" in nums[5].text  # page break inside the paragraph
    health = "The contribution of health agencies to keeping children and young people safe"
    assert all((nums[n].section, nums[n].grade_label) == (health, "adequate") for n in (6, 7))
    for n in (9, 10):
        assert (nums[n].part, nums[n].section, nums[n].grade) == ("Services for looked after children", "Overall effectiveness", 2)
        assert nums[n].section_path == ["Services for looked after children", "Overall effectiveness"]
    assert all((nums[n].section, nums[n].grade) == ("Economic well-being", 3) for n in (11, 12))
    recs = [p for p in paras if p.kind == "recommendation"]
    assert [r.timeframe for r in recs] == ["immediately", "within three months", "within three months"]
    assert all(r.section == "Areas for improvement" and r.part == "Safeguarding services" for r in recs)
    assert not any("Record of main findings" in p.text or p.text.endswith("Adequate") for p in paras)


# ----- helpers the judgements owner uses


def test_split_title_grade_forms() -> None:
    assert split_title_grade("The experiences and progress of children in care: good") == (
        "The experiences and progress of children in care",
        2,
        "good",
    )
    assert split_title_grade("Enjoying and achievingGrade 1 (outstanding)") == ("Enjoying and achieving", 1, "outstanding")
    assert split_title_grade("Leadership, management and governance Requires improvement") == (
        "Leadership, management and governance",
        3,
        "requires improvement",
    )
    assert split_title_grade("The graded judgement for adoption performance is that it is good") == (
        "Adoption performance",
        2,
        "good",
    )
    assert split_title_grade("Partnership working") == ("Partnership working", None, None)
    assert grade_line("Grade 3 (adequate)") == (3, "adequate")
    assert grade_line("Outstanding (Grade 1) A service that goes far beyond") is None


def test_vocabulary_and_titles() -> None:
    assert normalize_title("The local authority’s strengths ") == "the local authority's strengths"
    assert title_role("Safeguarding services") == "part"
    assert title_role("Areas for improvement") == "recommendations"
    assert title_role("Section 2: The effectiveness of the LSCB") == "part"
    assert title_role("Children were seen quickly.") is None


def test_cleaning_helpers() -> None:
    assert clean_line("\uf0b7  first   item") == "• first item"
    assert clean_line("**Grade 2 (good)**") == "Grade 2 (good)"
    assert join_lines(["multi-", "agency work", "is strong."]) == "multi-agency work is strong."
    lines = page_lines(["Header line\nbody one.\n7", "Header line\nbody two.\n8", "Header line\nbody three.\n9"], pdf=True)
    assert [ln.text for ln in lines] == ["body one.", "body two.", "body three."]


# ----- robustness: the splitter never raises


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600))
def test_split_text_never_raises(text: str) -> None:
    paras = split_text(text, "fuzz")
    assert all(p.kind in {"paragraph", "summary", "recommendation", "text"} and p.text for p in paras)
    assert [p.seq for p in paras] == list(range(len(paras)))


_LINES = st.sampled_from(
    [
        "1. A first paragraph.",
        "2.Second without a space",
        "Overall effectiveness",
        "Grade 2 (good)",
        "The experiences and progress of children in care: good",
        "requires improvement",
        "to be good",
        "• a bullet",
        "Immediately:",
        "Areas for improvement",
        "Contents",
        "Record of main findings",
        "Judgement Grade",
        "Key judgement Judgement grade",
        "3 Loose number line that is long enough to look like a paragraph start here",
        "",
        "\ufffe",
        "12",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(_LINES, st.text(max_size=40)), max_size=25), max_size=5), st.booleans())
def test_split_pages_never_raises(pages: list[list[str]], pdf: bool) -> None:
    raw = ["\n".join(lines) for lines in pages]
    doc = Document(Path("fuzz.pdf" if pdf else "fuzz.txt"), raw)
    paras = split_paragraphs(doc, "fuzz")
    numbers = [p.number for p in paras if p.number is not None]
    assert all(isinstance(n, int) and n > 0 for n in numbers)
    assert all(p.page is None or 1 <= p.page <= max(1, len(raw)) for p in paras)


def test_key_headings_wrapped_over_five_lines_and_graded_judgement_sentences() -> None:
    """A three-line title whose grade wraps too ("Requires" / "improvement"), and "... is that it requires" /
    "improvement." both open graded sections (own words, PDF line layout: no blank lines)."""
    text = [
        "1. Children are seen quickly and their views are written down in every plan we read.",
        "The experiences and progress of",
        "children looked after and achieving",
        "permanence",
        "Requires",
        "improvement",
        "Inspection findings",
        "2. Most children in care live close to their schools and friends, and few move home.",
        "The graded judgement for adoption performance is that it requires",
        "improvement.",
        "3. Some adopters wait too long for a panel date, and the panel does not track this delay.",
    ]
    lines = [Line(t, 2, page_start=(i == 0)) for i, t in enumerate(text)]
    paras = {p.number: p for p in split_lines(lines, "r", pdf=True)}
    cla = "The experiences and progress of children looked after and achieving permanence"
    assert (paras[2].section_path, paras[2].grade) == ([cla, "Inspection findings"], 3)
    assert (paras[3].section, paras[3].grade_label) == ("Adoption performance", "requires improvement")
