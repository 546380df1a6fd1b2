"""Tie each judgement to the body section it grades, and lend its grade to that section.

Judgement tables and body headings word the same area differently (the SIF
table says "Children who need help and protection", the body "The experiences
and progress of children who need help and protection"), and the seed repeats
titles in both parts ("Overall effectiveness"). So matching is by normalised
title within the judgement's part: exact first, then one title starting with or
containing the other, then the same judgements.csv area. A judgement that
grades no body section ("Equality and diversity") keeps ``section = None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evsearch.indexer.judgements import csv_column, normalise_title
from evsearch.records import Judgement, Paragraph

_TRAILING_VERB = re.compile(r"\s+(?:is|are|remains?|continues? to be)$")


def _norm(title: str) -> str:
    return _TRAILING_VERB.sub("", normalise_title(title))


def _sections(paragraphs: Sequence[Paragraph], part: str | None) -> list[str]:
    """Distinct section titles in reading order, restricted to ``part`` when given."""
    seen: dict[str, None] = {}
    for paragraph in paragraphs:
        if paragraph.section and (part is None or paragraph.part == part):
            seen.setdefault(paragraph.section, None)
    return list(seen)


def _contains(a: str, b: str) -> bool:
    """True when one title starts with the other, or holds it whole (long titles only)."""
    if a.startswith(b) or b.startswith(a):
        return min(len(a), len(b)) >= 8
    return (len(b) >= 20 and b in a) or (len(a) >= 20 and a in b)


def find_section(judgement: Judgement, sections: Sequence[str]) -> str | None:
    """The section title that ``judgement`` grades, or None."""
    wanted = _norm(judgement.title)
    normed = [(title, _norm(title)) for title in sections]
    for title, norm in normed:
        if norm == wanted:
            return title
    for title, norm in normed:
        if _contains(norm, wanted):
            return title
    column = csv_column(judgement.title)
    if column and column != "overall_effectiveness":
        for title, norm in normed:
            if csv_column(norm) == column:
                return title
    return None


def link_judgements(judgements: Sequence[Judgement], paragraphs: Sequence[Paragraph]) -> None:
    """Set ``judgement.section`` and fill ungraded paragraphs of linked sections, in place.

    A paragraph keeps the grade printed at its own heading; only paragraphs
    whose section printed none take the grade of the judgement that names it.
    """
    taken: set[tuple[str | None, str]] = set()
    parts = {paragraph.part for paragraph in paragraphs}
    for judgement in judgements:
        # Match within the judgement's part when the body carries parts at all.
        part = judgement.part if judgement.part in parts else None
        sections = [s for s in _sections(paragraphs, part) if (part, s) not in taken]
        judgement.section = find_section(judgement, sections)
        if judgement.section is None:
            continue
        taken.add((part, judgement.section))
        if judgement.grade is None:
            continue
        for paragraph in paragraphs:
            if part is not None and paragraph.part != part:
                continue
            if paragraph.grade is None and (
                paragraph.section == judgement.section or judgement.section in paragraph.section_path
            ):
                paragraph.grade = judgement.grade
                paragraph.grade_label = judgement.grade_label
