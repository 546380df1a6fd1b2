"""Tie each judgement to the body section it grades, and lend its grade to that section.

Judgement tables and body headings word the same area differently (the SIF
table says "Children who need help and protection", the body "The experiences
and progress of children who need help and protection"; "Experiences and
progress of care leavers" / "The experience and progress of care leavers"),
and the seed repeats titles in both parts ("Overall effectiveness"). So a
judgement is matched against every heading on the paths of its part's
paragraphs (a key heading often holds only sub-headings such as "Inspection
findings", so the paragraphs' own sections are not enough), by wording that
tolerates the frameworks' variants, in this order:

1. the same normalised title;
2. the same title once the frameworks' framing words are dropped
   ("The experiences and progress of", "The graded judgement about",
   "Inspection findings -", "The effectiveness of", "(LSCB)");
3. one title starting with, or holding, the other;
4. the same judgements.csv area (`csv_column`).

A judgement that matches no heading keeps ``section = None`` and says why in
``link`` (``NO_SECTION``). The SIF review of the Local Safeguarding Children
Board is a part of its own: its judgement links within that part (to the
findings heading that names the board, else the review's first heading) and
lends its grade to every paragraph of the review.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evsearch.parser.judgements import csv_column
from evsearch.vocab.sections import LSCB_PART, LSCB_WORDS_RE, is_lscb, normalize_title, title_role
from evsearch.records import Judgement, Paragraph

NO_SECTION = "no section printed"

_TRAILING_VERB = re.compile(r"\s+(?:is|are|remains?|continues? to be)$")
# Framing words the frameworks put around an area's name in headings and table rows.
_FRAMING = re.compile(
    r"^(?:the graded judge?ment (?:about|for|on) )?(?:inspection findings\s*-\s*)?(?:the )?"
    r"(?:experiences? and progress of |effectiveness of (?:the )?)?(?:the )?"
)


def _norm(title: str) -> str:
    return _TRAILING_VERB.sub("", normalize_title(title))


def _core(title: str) -> str:
    """The area's own words: "The experiences and progress of care leavers" -> "care leavers"."""
    text = _FRAMING.sub("", _norm(title))
    text = re.sub(r"\s*\(lscb\)", "", text)
    return LSCB_WORDS_RE.sub("lscb", text).strip()


def _in_scope(paragraph: Paragraph, part: str | None) -> bool:
    """In ``part``; with no part, anywhere but the LSCB review (which only its own judgement grades)."""
    return paragraph.part == part if part is not None else paragraph.part != LSCB_PART


def _headings(paragraphs: Sequence[Paragraph], part: str | None) -> list[str]:
    """Distinct headings on the section paths of ``part``'s paragraphs, in reading order (parts excluded)."""
    seen: dict[str, None] = {}
    for paragraph in paragraphs:
        if not _in_scope(paragraph, part):
            continue
        path = paragraph.section_path[1:] if paragraph.part else paragraph.section_path
        for title in path:
            seen.setdefault(title, None)
    return list(seen)


def _contains(a: str, b: str) -> bool:
    """True when one title starts with the other, or holds it whole (long titles only)."""
    if a.startswith(b) or b.startswith(a):
        return min(len(a), len(b)) >= 8
    return (len(b) >= 20 and b in a) or (len(a) >= 20 and a in b)


def find_section(judgement: Judgement, sections: Sequence[str]) -> str | None:
    """The heading among ``sections`` that ``judgement`` grades, or None (rules in the module docstring)."""
    wanted, core = _norm(judgement.title), _core(judgement.title)
    normed = [(title, _norm(title), _core(title)) for title in sections]
    for title, norm, _ in normed:
        if norm == wanted:
            return title
    for title, _, other in normed:
        if core and other == core:
            return title
    for title, norm, other in normed:
        if _contains(norm, wanted) or (core and other and _contains(other, core)):
            return title
    column = csv_column(judgement.title)
    if column and column != "overall_effectiveness":
        for title, norm, _ in normed:
            if csv_column(norm) == column:
                return title
    return None


def _review_findings(sections: Sequence[str]) -> str | None:
    """The LSCB review's findings when no heading names them as the judgement does: the first
    heading that names the board and is not a list of recommendations, else the review's first heading."""
    findings = [s for s in sections if is_lscb(s) and title_role(s) != "recommendations"]
    return (findings or list(sections) or [None])[0]


def link_judgements(judgements: Sequence[Judgement], paragraphs: Sequence[Paragraph]) -> None:
    """Set ``section`` (or ``link``) on each judgement and fill ungraded paragraphs it grades, in place.

    A paragraph keeps the grade printed at its own heading; only paragraphs
    whose section printed none take the grade of the judgement that names it.
    """
    taken: set[tuple[str | None, str]] = set()
    parts = {paragraph.part for paragraph in paragraphs}
    for judgement in judgements:
        # Match within the judgement's part when the body carries parts at all.
        part = judgement.part if judgement.part in parts else None
        if judgement.part == LSCB_PART and part is None:
            judgement.section, judgement.link = None, NO_SECTION  # the report prints no review
            continue
        sections = [s for s in _headings(paragraphs, part) if (part, s) not in taken]
        judgement.section = find_section(judgement, sections)
        if judgement.section is None and judgement.part == LSCB_PART:
            judgement.section = _review_findings(sections)
        judgement.link = None if judgement.section else NO_SECTION
        if judgement.section is not None:
            taken.add((part, judgement.section))
        if judgement.grade is None or (judgement.section is None and judgement.part != LSCB_PART):
            continue
        for paragraph in paragraphs:
            if not _in_scope(paragraph, part):
                continue
            whole_part = judgement.part == LSCB_PART  # the review judgement grades all of the review
            if paragraph.grade is None and (
                whole_part or paragraph.section == judgement.section or judgement.section in paragraph.section_path
            ):
                paragraph.grade = judgement.grade
                paragraph.grade_label = judgement.grade_label
