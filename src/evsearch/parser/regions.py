"""Regions of a report that are not body text: the table of contents and the judgement tables.

WHY separate: the splitter skips them, and the judgements reader may want the
same spans (see paragraphs.skip_regions), so the rules live in one place.
"""

from __future__ import annotations

import re

from evsearch.parser.cleaning import BULLET, Line
from evsearch.parser.headings import PARA_START_RE
from evsearch.vocab.sections import normalize_title, title_role

TOC_ENTRY_RE = re.compile(r"\S.*\s\d{1,3}$")


def skip_toc(lines: list[Line], i: int) -> int:
    """Index of the first line after the table of contents that starts at line i."""
    j = i + 1
    n = len(lines)
    while j < n:
        t = lines[j].text
        if TOC_ENTRY_RE.match(t) and (not PARA_START_RE.match(t) or len(t) < 70):
            j += 1  # an entry: a title and its page number (numbered titles included)
            continue
        if j + 1 < n and TOC_ENTRY_RE.match(lines[j + 1].text) and len(t) < 90 and not PARA_START_RE.match(t):
            if lines[j + 1].page == lines[j].page and not lines[j + 1].blank_before:
                j += 1
                continue
        break
    return j


def skip_table(lines: list[Line], i: int) -> int:
    """Index of the first line after the judgement table whose title is line i.

    "Record of main findings" runs to the end; the SIF page-1 list runs to the
    end of its page; the ILACS "Judgement / Grade" table ends at the first
    prose line.
    """
    title = normalize_title(lines[i].text)
    n = len(lines)
    if title.startswith("record of main findings"):
        return n
    if title.startswith("the judgements on areas"):
        j = i + 1
        while j < n and lines[j].page == lines[i].page:
            j += 1
        return j
    j = i + 1
    while j < n:
        t = lines[j].text
        if len(t) > 75 or (t.endswith(".") and len(t) > 45) or PARA_START_RE.match(t) or t.startswith(BULLET):
            break
        if title_role(t) in ("recommendations", "section", "part"):
            break
        j += 1
    return j


def is_table_start(text: str) -> bool:
    """Does this line open a judgement table (not body text)?"""
    if text[:4].lower() not in ("reco", "the ", "judg") or TOC_ENTRY_RE.match(text):
        return False  # prose, or a contents entry ("Record of main findings 34")
    norm = normalize_title(text)
    return title_role(text) == "table" or norm.startswith("record of main findings") or norm.startswith(
        "the judgements on areas of the service"
    )
