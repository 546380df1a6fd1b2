"""Heading and grade recognition on cleaned lines.

WHY: PDF text keeps no font information, so a heading is found by what it
says (the vocabulary in sections.py, a printed grade) and by where it sits
(a short line that closes no sentence, right before a numbered paragraph or a
grade line). A heading may wrap over up to three lines (four with a wrapped grade), and its grade may sit
on the heading line, wrap onto the next one ("requires improvement / to be
good"), or stand on the line below ("Grade 3 (adequate)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evsearch.parser.cleaning import BULLET, Line
from evsearch.vocab.grades import GRADE_PATTERN, label_for, lookup_label
from evsearch.vocab.sections import normalize_title, title_role

_WORDS = GRADE_PATTERN.pattern[3:-3]  # the alternation inside r"\b(...)\b"
_I = re.IGNORECASE

# "Grade 3 (adequate)" alone on a line.
GRADE_LINE_RE = re.compile(r"^Grade\s*([1-4])\s*(?:\(\s*([A-Za-z ]+?)\s*\))?$", _I)
# "Enjoying and achievingGrade 1 (outstanding)" (markup already removed).
_TITLE_GRADE_NUMBER_RE = re.compile(r"^(?P<title>.*?\S)\s*Grade\s*(?P<n>[1-4])\s*(?:\(\s*(?P<word>[A-Za-z ]+?)\s*\))?$", _I)
# ILACS: "The experiences and progress of children in care: good"
_COLON_GRADE_RE = re.compile(rf"^(?P<title>[A-Z].*?\S)\s*:\s*(?P<word>{_WORDS})$", _I)
# SIF: "The graded judgement about the experiences and progress of care leavers is that it requires improvement"
_GRADED_JUDGEMENT_RE = re.compile(
    rf"^The graded judge?ment (?:about|for|on) (?P<title>.+?) is (?:that )?(?:(?:it|they) )?(?:is |are )?(?P<word>{_WORDS})$",
    _I,
)
# SIF key judgement row: "<title> Requires improvement" (after "Key judgement Judgement grade")
_TITLE_THEN_GRADE_RE = re.compile(rf"^(?P<title>[A-Z].*?\S)\s+(?P<word>{_WORDS})$", _I)
# SIF: "Leadership, management and governance are good" / "... requires improvement"
_TITLE_VERB_GRADE_RE = re.compile(
    rf"^(?P<title>[A-Z].*?\S)\s+(?:(?:is|are)\s+(?:judged\s+(?:to\s+be\s+)?)?(?P<word>{_WORDS})|(?P<word2>requires? improvement(?: to be good)?))$",
    _I,
)
# The sentence that grades the LSCB review at its top: "The Local Safeguarding Children Board is
# good", "The effectiveness of the LSCB requires improvement" (page 1 may not print it).
LSCB_GRADE_RE = re.compile(
    r"^The (?:judge?ment for the )?(?:effectiveness of the )?(?:Local Safeguarding Children'?s? Board(?: \(LSCB\))?|LSCB)"
    rf"(?: in [A-Z][\w ,&'’-]{{1,40}}?)? (?:is |are |(?=requires? improvement))(?P<word>{_WORDS})\.?$",
    _I,
)
KEY_JUDGEMENT_RE = re.compile(r"^Key judgement\s+(?:Inspection\s+|Judgement\s+)?grade$", _I)
# The text may open with any mark but a list's or a contents row's punctuation ("1. =The council ...",
# "4. –", "7. £2 million", "3. (a)"): sequence checks in paragraphs.py keep dates and rows out.
PARA_START_RE = re.compile(r"^(?P<n>\d{1,5})\.(?!\d)\s*(?P<rest>(?:[^\s.,;:].*)?)$")
# "34 Most children ..." (the period lost in the PDF): accepted only in sequence, see paragraphs.py
LOOSE_START_RE = re.compile(r"^(?P<n>\d{1,5}) (?P<rest>[A-Z][a-z].*)$")
_SCALE_RE = re.compile(r"\(Grade\s*[1-4]\)", _I)  # the grade-scale explanation grades nothing
_KEY_START_RE = re.compile(r"^The (?:experiences?|impact of leaders)\b", _I)
_INNER_END_RE = re.compile(r"[.!?;)\"'’”]$")  # cannot end a line inside a wrapped heading
_SENTENCE_END_RE = re.compile(r"[.!?:;)\"'’”]$")


@dataclass
class Heading:
    title: str  # as printed, cleaned and de-wrapped, grade removed
    grade: int | None
    grade_label: str | None
    consumed: int  # lines used, grade line included
    keyed: bool = False  # a graded key-judgement heading (ILACS/SIF): unknown sub-headings nest under it


def grade_from_word(word: str | None) -> tuple[int | None, str | None]:
    """(grade, canonical label) for a printed grade word, or (None, None)."""
    if not word:
        return None, None
    gw = lookup_label(word)
    return (gw.grade, gw.label) if gw else (None, None)


def grade_line(text: str) -> tuple[int, str | None] | None:
    """(grade, label) when the line is a grade line such as "Grade 2 (good)"."""
    m = GRADE_LINE_RE.match(text.strip())
    if not m:
        return None
    grade = int(m.group(1))
    _, label = grade_from_word(m.group(2))
    return grade, label or label_for(grade, "slac")  # "Grade N" lines belong to the 2012-13 scale


def split_title_grade(text: str) -> tuple[str, int | None, str | None]:
    """Split a printed heading or table row into (title, grade, label).

    Handles "Title: good", "TitleGrade 1 (outstanding)", "Title Requires
    improvement", and the SIF "The graded judgement for X is that it is good".
    Useful to the judgements module for table rows as well.
    """
    text = re.sub(r"\s+", " ", text).strip()
    for regex in (_GRADED_JUDGEMENT_RE, _COLON_GRADE_RE, _TITLE_VERB_GRADE_RE, _TITLE_THEN_GRADE_RE):
        m = regex.match(text)
        if m:
            word = m.groupdict().get("word") or m.groupdict().get("word2")
            grade, label = grade_from_word(word)
            title = m.group("title").strip()
            if regex is _GRADED_JUDGEMENT_RE:
                title = title[:1].upper() + title[1:]
            return title, grade, label
    m = _TITLE_GRADE_NUMBER_RE.match(text)
    if m and m.group("title").strip():
        _, label = grade_from_word(m.group("word"))
        return m.group("title").strip(), int(m.group("n")), label
    return text, None, None


def headingish(text: str, first: bool = True) -> bool:
    """Could this line be (part of) a heading? Short, no closing comma/period, not a list item."""
    if not text or len(text) > 110 or text.startswith(BULLET):
        return False
    if text[0].isdigit():
        return False
    if first and not (text[0].isupper() or text[0] in "'‘\"“"):
        return False
    if text[-1] in ".,;!’”\"" or ("(" in text and _SCALE_RE.search(text)):
        return False
    return len(text.split()) <= 20


_ENDS_WITH_GRADE_RE = re.compile(rf"\b(?:{_WORDS})\.$", _I)


def heading_line(text: str, first: bool = True) -> bool:
    """headingish, also allowing a closing period right after a grade word ("... to be good.")."""
    if headingish(text, first):
        return True
    return bool(_ENDS_WITH_GRADE_RE.search(text)) and headingish(text[:-1], first)


def block_ended(lines: list[Line], i: int, width: int) -> bool:
    """Did the text before line i end a block (so line i may open a heading)?"""
    if i == 0:
        return True
    cur, prev = lines[i], lines[i - 1]
    if cur.blank_before:
        return True
    if _SENTENCE_END_RE.search(prev.text):
        return True
    if prev.is_bullet or GRADE_LINE_RE.match(prev.text):
        return True
    return width > 0 and len(prev.text) < 0.6 * width


def _is_grade_only(text: str) -> bool:
    return lookup_label(text.rstrip(".:").strip()) is not None


def match_heading(
    lines: list[Line], i: int, width: int, expected: int, after_key_marker: bool, after_heading: bool = False
) -> Heading | None:
    """The heading that starts at line i, if any (see module docstring)."""
    first = lines[i].text
    if not heading_line(first) or GRADE_LINE_RE.match(first):
        return None  # a grade line is consumed with the heading above it, never a heading itself
    ended = after_heading or block_ended(lines, i, width)
    page_start = lines[i].page_start
    n = len(lines)
    for k in (1, 2, 3, 4, 5):  # up to three title lines, and a grade that may wrap ("Requires" / "improvement")
        if i + k > n:
            break
        block = lines[i:i + k]
        text = " ".join(b.text for b in block)
        last_ok = heading_line(block[-1].text, first=False) or _is_grade_only(block[-1].text)
        closes_grade = ". " not in block[-1].text and bool(_ENDS_WITH_GRADE_RE.search(text))
        if k > 1 and not (last_ok or closes_grade):
            break  # "... that it requires" / "improvement." ends a heading; other closed lines do not
        if k > 1 and any(b.blank_before for b in block[1:]):
            break
        if k > 1 and _INNER_END_RE.search(block[-2].text):
            break  # "...(outcome 3, National" / "Framework)": the end of a list item, not a wrapped heading
        if _ENDS_WITH_GRADE_RE.search(text):
            text = text[:-1]
        nxt = lines[i + k] if i + k < n else None
        if nxt is not None and nxt.text[:1].islower() and not nxt.blank_before:
            continue  # the heading (or the sentence) goes on
        if i + k + 1 < n and not _is_grade_only(nxt.text) and _is_grade_only(f"{nxt.text} {lines[i + k + 1].text}"):
            continue  # its grade wraps over the next two lines ("Requires" / "improvement"): take them too
        if k >= 4 and not _is_grade_only(f"{block[-2].text} {block[-1].text}"):
            break  # four or five lines only for a wrapped title whose grade wraps too
        h = _grade_tail(block, nxt, expected) if ended and k > 1 else None
        h = h or _match_block(text, nxt, ended, width, expected, after_key_marker, k, page_start)
        if h is not None and sentence_like(h.title):
            return None  # "... drift for some children. (Recommendations 2 and 4)": prose, not a title
        if h is not None:
            h.consumed += k
            after = i + h.consumed
            if h.grade is not None and after < n and re.fullmatch(r"to be good\.?", lines[after].text.strip(), _I):
                h.consumed += 1  # "Requires improvement" / "to be good" on two lines
            return h
    return None


_TRAILING_VERB_RE = re.compile(
    r"[\s:]+(?:(?:is|are)(?:\s+that(?:\s+(?:it|they))?(?:\s+(?:is|are))?)?|that(?:\s+(?:it|they))?(?:\s+(?:is|are))?)\s*$",
    _I,
)
_GRADED_PREFIX_RE = re.compile(r"^The graded judge?ment (?:about|for|on) (?:the )?", _I)


def _tidy_title(title: str) -> str:
    """A heading title without the verb that led to its wrapped grade ("... is", "... is that it is")."""
    title = title.strip().rstrip(":").strip()
    title = _TRAILING_VERB_RE.sub("", title).strip()
    m = _GRADED_PREFIX_RE.match(title)
    if m:
        rest = title[m.end():]
        title = rest[:1].upper() + rest[1:]
    return title


def _grade_tail(block: list[Line], nxt: Line | None, expected: int) -> Heading | None:
    """A heading whose grade wrapped onto its last line(s): "...protection" / "requires improvement to be good."."""
    for j in (1, 2):
        if len(block) <= j:
            break
        tail = " ".join(b.text for b in block[-j:])
        if _is_grade_only(tail):
            title = _tidy_title(" ".join(b.text for b in block[:-j]))
            if title_role(title) is None and not _next_opens_body(nxt, expected):
                return None  # "...are consistently" / "good." is a sentence, not a heading
            lines_ok = all(headingish(b.text, first=(x == 0)) for x, b in enumerate(block[:-j]))
            if len(title) < 12 or len(title) > 120 or not lines_ok:
                return None
            grade, label = grade_from_word(tail.rstrip(".:").strip())
            return Heading(title, grade, label, 0, keyed=True)
    return None


def _next_opens_body(nxt: Line | None, expected: int) -> bool:
    """Is the next line a numbered paragraph in sequence, or a "Summary"/"Inspection findings" line?"""
    if nxt is None:
        return False
    if title_role(nxt.text) in ("label", "child"):
        return True
    m = PARA_START_RE.match(nxt.text)
    return bool(m and int(m.group("n")) == expected)


def _match_block(
    text: str, nxt: Line | None, ended: bool, width: int, expected: int, after_key: bool, k: int, page_start: bool
) -> Heading | None:
    if len(text) > 200:
        return None
    next_grade = None
    if nxt is not None:
        next_grade = grade_line(nxt.text)
        if next_grade is None and _is_grade_only(nxt.text):
            next_grade = grade_from_word(nxt.text.rstrip(".:").strip())

    m = _GRADED_JUDGEMENT_RE.match(text)
    if m and ended:
        title, grade, label = split_title_grade(text)
        return Heading(title, grade, label, 0, keyed=True)
    m = _COLON_GRADE_RE.match(text)
    if m and ended and len(m.group("title")) >= 8:
        grade, label = grade_from_word(m.group("word"))
        return Heading(m.group("title"), grade, label, 0, keyed=True)
    if after_key and ended:
        m = _TITLE_THEN_GRADE_RE.match(text)
        if m:
            grade, label = grade_from_word(m.group("word"))
            return Heading(m.group("title"), grade, label, 0, keyed=True)
    m = _TITLE_GRADE_NUMBER_RE.match(text)
    if m and ended and not re.search(r"\(Grade", text, re.I):
        _, label = grade_from_word(m.group("word"))
        return Heading(m.group("title").strip(), int(m.group("n")), label, 0)
    role = title_role(text)
    m = _TITLE_THEN_GRADE_RE.match(text)
    if (
        m
        and (ended or page_start)
        and (title_role(m.group("title")) == "key" or _KEY_START_RE.match(m.group("title")))
        and not _TITLE_VERB_GRADE_RE.match(text)  # "... require improvement" is a sentence in a summary
    ):
        grade, label = grade_from_word(m.group("word"))
        return Heading(m.group("title"), grade, label, 0, keyed=True)  # SIF key judgement without its table row
    m = _TITLE_VERB_GRADE_RE.match(text)
    role_of_title = title_role(m.group("title")) if m else None
    word = m and (m.group("word") or m.group("word2"))
    # A key judgement's heading says "... are inadequate" or prints its grade capitalised ("... protection
    # Requires improvement"); "Leadership, management and governance require improvement" is a sentence.
    keyed_ok = role_of_title == "key" and (m.group("word") is not None or word[:1].isupper()) if m else False
    if m and (ended or page_start) and (role_of_title in ("section", "part") or keyed_ok):
        grade, label = grade_from_word(word)
        return Heading(m.group("title"), grade, label, 0, keyed=True)
    if next_grade and (ended or page_start or role is not None or k > 1 or len(text) < 60):
        keyed = grade_line(nxt.text) is None  # a bare grade word: SIF key judgement style
        return Heading(_tidy_title(text), next_grade[0], next_grade[1], 1, keyed=keyed)
    if role is not None and (ended or page_start or (nxt is not None and nxt.is_bullet)):
        return Heading(text, None, None, 0)
    if ended and k <= 3 and len(text) <= 140 and _next_opens_body(nxt, expected) and not text.endswith(":"):
        m = _TITLE_VERB_GRADE_RE.match(text)
        if m:
            grade, label = grade_from_word(m.group("word") or m.group("word2"))
            return Heading(m.group("title"), grade, label, 0, keyed=True)
        m = _TITLE_THEN_GRADE_RE.match(text)
        if m and (title_role(m.group("title")) is not None or _KEY_START_RE.match(m.group("title"))):
            grade, label = grade_from_word(m.group("word"))
            return Heading(m.group("title"), grade, label, 0, keyed=True)
        return Heading(text, None, None, 0)
    return None


# A sentence ends inside the line ("... is effective. (Recommendation)", "... outcomes. Attendance ...");
# "St. Helens" does not (one lowercase letter before the point).
_SENTENCE_INSIDE_RE = re.compile(r"[a-z]{2,}[.!?]\s+\S")
# SIF summaries end findings with the recommendations they lead to: "(Recommendations 2 and 4)".
_RECOMMENDATION_REF_RE = re.compile(r"\(\s*recommendations?(?:\s+[\d\s,and&-]+)?\s*\)$", _I)


def sentence_like(title: str) -> bool:
    """Is a would-be heading a sentence? Titles the vocabulary knows never are; otherwise a title that
    ends with a full stop, holds a sentence end, or ends with a "(Recommendation N)" reference is prose."""
    title = title.strip()
    if title_role(title) is not None:
        return False
    return title.endswith(".") or bool(_SENTENCE_INSIDE_RE.search(title) or _RECOMMENDATION_REF_RE.search(title))


def is_judgement_row(lines: list[Line], i: int, width: int) -> bool:
    """Is numbered line i a judgement-table row ("1. Children who need help ... Good")?"""
    m = PARA_START_RE.match(lines[i].text)
    if not m:
        return False
    rest = m.group("rest")
    nxt = lines[i + 1].text if i + 1 < len(lines) else ""
    if _is_grade_only(nxt) or (i + 2 < len(lines) and _is_grade_only(lines[i + 2].text) and len(nxt) < 40):
        return True
    short = width > 0 and len(lines[i].text) < 0.75 * width
    if _TITLE_THEN_GRADE_RE.match(rest) and len(rest) < 100 and not nxt[:1].islower():
        return True
    if len(nxt) < 25 and _TITLE_THEN_GRADE_RE.match(rest + " " + nxt) and (short or len(lines[i].text) < 75):
        return True
    return bool(_TITLE_THEN_GRADE_RE.match(rest)) and short and not nxt[:1].islower()


def lscb_grade(lines: list[Line], i: int) -> tuple[tuple[int | None, str | None], int] | None:
    """((grade, label), lines used) when line i (or it and the next) is the LSCB review's grade sentence."""
    for k in (1, 2):
        text = " ".join(ln.text for ln in lines[i:i + k]).replace("’", "'")
        m = LSCB_GRADE_RE.match(text)
        if m:
            return grade_from_word(m.group("word")), k
    return None


def is_key_marker(text: str) -> bool:
    return bool(KEY_JUDGEMENT_RE.match(text))


__all__ = [
    "Heading",
    "PARA_START_RE",
    "grade_line",
    "grade_from_word",
    "split_title_grade",
    "match_heading",
    "headingish",
    "normalize_title",
]
