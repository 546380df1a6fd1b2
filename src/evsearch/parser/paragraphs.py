"""Splitting a report into cited paragraphs with part, section path and grade.

WHY one pass over cleaned lines: a paragraph is everything from its printed
number to the next numbered paragraph or heading, across blank lines, page
breaks and bullet lists; so the splitter walks the lines once, keeping the
open part/section stack and the open block. Numbers are accepted only in
sequence (1, 2, 3 ...), which keeps list items, dates and table rows that
happen to start with "3." out of the numbering. The table of contents, the
judgement tables and the closing boilerplate are skipped (the judgements
module reads the tables; see ``skip_regions``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evsearch.parser.cleaning import BULLET, Line, join_lines, page_lines
from evsearch.parser.headings import (
    LOOSE_START_RE,
    PARA_START_RE,
    Heading,
    block_ended,
    grade_line,
    is_judgement_row,
    is_key_marker,
    lscb_grade,
    match_heading,
    split_title_grade,
)
from evsearch.parser.reader import Document
from evsearch.records import Paragraph
from evsearch.parser.regions import is_table_start, skip_table, skip_toc
from evsearch.vocab.sections import (
    LSCB_PART,
    REVIEW_TAIL_RE,
    SUMMARY_SECTIONS,
    normalize_title,
    opens_review,
    timeframe_lead,
    timeframe_of,
    title_role,
)

_END_RE = re.compile(
    r"^(The Office for Standards in Education|Any complaints about the inspection|"
    r"If you would like a copy of this document)",
    re.IGNORECASE,
)


@dataclass
class _Section:
    title: str
    role: str
    grade: int | None = None
    label: str | None = None
    keyed: bool = False


@dataclass
class _Block:
    kind: str
    number: int | None
    page: int
    lines: list[str] = field(default_factory=list)
    timeframe: str | None = None
    path: list[_Section] = field(default_factory=list)
    part: str | None = None
    bulleted: bool = False  # an unnumbered block that opened with a list item (its bullet dropped)
    within: int | None = None  # the numbered paragraph an unnumbered block sits inside


def typical_width(lines: list[Line]) -> int:
    """The usual length of a full prose line (PDFs wrap at a fixed width)."""
    lengths = sorted(len(ln.text) for ln in lines if len(ln.text) > 20)
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.8)]


def report_lines(doc: Document) -> list[Line]:
    """Cleaned lines of a document (furniture and footnotes removed)."""
    return page_lines(doc.pages, pdf=doc.path.suffix.lower() == ".pdf")


def skip_regions(doc: Document) -> list[tuple[int, int, str]]:
    """(first line, end line, kind) of every non-body region in report_lines(doc).

    kind is 'toc' or 'table'. The judgements module may read the 'table'
    regions from report_lines(doc)[first:end].
    """
    lines = report_lines(doc)
    out = []
    i = 0
    while i < len(lines):
        t = lines[i].text
        if title_role(t) == "toc":
            j = skip_toc(lines, i)
            out.append((i, j, "toc"))
            i = j
        elif is_table_start(t):
            j = skip_table(lines, i)
            out.append((i, j, "table"))
            i = j
        else:
            i += 1
    return out


class _Splitter:
    def __init__(self, lines: list[Line], report_id: str, pdf: bool = False) -> None:
        self.lines = lines
        self.pdf = pdf
        self.report_id = report_id
        self.width = typical_width(lines)
        self.out: list[Paragraph] = []
        self.block: _Block | None = None
        self.part: str | None = None
        self.stack: list[_Section] = []
        self.expected = 1
        self.timeframe: str | None = None
        self.next_kind: str | None = None
        self.after_key = False
        self.front_summary = False
        self.started = False
        self.last_heading_end = -1
        self.review_restart = False  # the LSCB review may number its paragraphs from 1 again
        # The numbered paragraph still open to records that follow it: "20. ... the following action:"
        # then "Immediately:" and its bullets. Any heading, table or contents closes it.
        self.enclosing: int | None = None

    # ----- output
    def close(self) -> None:
        b = self.block
        self.block = None
        if b is None or not b.lines:
            return
        text = join_lines(b.lines)
        if not text:
            return
        grade = label = None
        for sec in reversed(b.path):
            if sec.grade is not None:
                grade, label = sec.grade, sec.label
                break
        self.out.append(
            Paragraph(
                report_id=self.report_id,
                seq=len(self.out),
                number=b.number,
                kind=b.kind,
                text=text,
                part=b.part,
                section=b.path[-1].title if b.path else None,
                section_path=([b.part] if b.part else []) + [s.title for s in b.path],
                grade=grade,
                grade_label=label,
                page=b.page,
                timeframe=b.timeframe,
                within=b.within,
            )
        )

    def open(self, kind: str, number: int | None, line: Line) -> None:
        self.close()
        first = line.text
        if number is not None:
            m = PARA_START_RE.match(first) or LOOSE_START_RE.match(first)
            first = m.group("rest") if m else first
        bulleted = number is None and first.startswith(BULLET)
        if bulleted:
            first = first[len(BULLET):].strip()
        self.block = _Block(kind, number, line.page, [first], self.timeframe if kind == "recommendation" else None,
                            list(self.stack), self.part, bulleted, self.enclosing if number is None else None)
        if number is not None:
            self.enclosing = number

    # ----- structure
    def in_recommendations(self) -> bool:
        return any(s.role == "recommendations" for s in self.stack)

    def apply_heading(self, h: Heading) -> None:
        self.close()
        self.enclosing = None
        self.started = True
        self.timeframe = None
        self.next_kind = None
        self.front_summary = False
        role = title_role(h.title) or ("section" if not h.keyed else "keyed")
        sec = _Section(h.title, role, h.grade, h.grade_label, h.keyed)
        if self.part != LSCB_PART and opens_review(h.title):
            self.part = LSCB_PART  # one name for the review, however the report words its heading
            self.stack = []
            self.review_restart = True
        elif role == "part":
            self.part = h.title
            self.stack = []
        elif role == "label":
            self.next_kind = "summary"
        elif role == "child" or (
            role in ("section", "key") and title_role(h.title) in (None, "key") and self._under_container(h)
        ):
            sec.role = "child"
            parents = [s for s in self.stack if s.role != "child"]
            if parents and (parents[-1].role in ("container", "recommendations") or parents[-1].keyed):
                self.stack = parents + [sec]
            else:
                self.stack = [sec]
        else:
            self.stack = [sec]

    def _under_container(self, h: Heading) -> bool:
        """Unknown headings nest under a graded key judgement; ungraded ones under a recommendations section."""
        if not self.stack:
            return False
        top = self.stack[0]
        if top.role == "recommendations":
            return h.grade is None
        return top.keyed and title_role(h.title) is None and h.grade is None

    # ----- main loop
    def run(self) -> list[Paragraph]:
        lines = self.lines
        n = len(lines)
        i = 0
        while i < n:
            ln = lines[i]
            t = ln.text
            if _END_RE.match(t) and self.started:
                break
            if title_role(t) == "toc":
                self.close()
                self.enclosing = None
                i = skip_toc(lines, i)
                continue
            if is_table_start(t):
                self.close()
                self.enclosing = None
                ilacs = normalize_title(t) == "judgement grade"
                i = skip_table(lines, i)
                self.front_summary = ilacs
                if ilacs:
                    self.started = True
                continue
            if is_key_marker(t):
                self.close()
                self.enclosing = None
                self.after_key = True
                i += 1
                continue
            m = self._numbered(i)
            if m is not None:
                self.started = True
                self.front_summary = False
                self.expected = m + 1
                self.open("paragraph", m, ln)
                i += 1
                continue
            if self.part == LSCB_PART and not self.stack and self.block is None:
                graded = lscb_grade(lines, i)
                if graded is not None:
                    i += graded[1]  # the review's grade sentence: the judgement carries it
                    self.last_heading_end = i
                    continue
            h = match_heading(lines, i, self.width, self.expected, self.after_key, self.last_heading_end == i)
            if h is not None:
                self.after_key = False
                self.apply_heading(h)
                i += h.consumed
                if self.part == LSCB_PART and not self.stack and i < n and REVIEW_TAIL_RE.match(lines[i].text):
                    i += 1  # "Section 2: The effectiveness of the Local Safeguarding" / "Children Board"
                self.last_heading_end = i
                continue
            self.after_key = False
            g = grade_line(t)
            if g is not None and self.block is None and self.stack and self.stack[-1].grade is None:
                self.stack[-1].grade, self.stack[-1].label = g
                i += 1
                continue
            tf = timeframe_of(t)
            if tf and self.in_recommendations():
                self.close()
                self.timeframe = tf
                i += 1
                continue
            lead = timeframe_lead(t) if self.in_recommendations() else None
            if lead is not None:  # "Within three months: agree ...": the marker and its first recommendation
                self.close()
                self.timeframe = lead[0]
                self.open("recommendation", None, Line(lead[1], ln.page, ln.blank_before, ln.page_start))
                i += 1
                continue
            if ln.is_bullet and self.in_recommendations() and (
                self.block is None or self.block.kind == "recommendation" or self.timeframe
            ):
                self.open("recommendation", None, ln)
                i += 1
                continue
            if self.timeframe and self.in_recommendations() and self._starts_recommendation(i):
                # under "Within three months:", recommendations whose bullets the PDF lost: one per sentence
                self.open("recommendation", None, ln)
                i += 1
                continue
            if self.block is not None:
                b = self.block
                if b.number is None and b.kind != "recommendation" and self._new_unnumbered(i):
                    self.open(b.kind, None, ln)
                else:
                    b.lines.append(("\n" if ln.blank_before and _ends_sentence(b.lines[-1]) else "") + t)
                i += 1
                continue
            if ln.page == 1 and self.pdf and not self.front_summary:
                i += 1  # a PDF's cover page: title, dates, judgement list
                continue
            if self.started or self.front_summary:
                kind = self.next_kind or ("summary" if self.front_summary else None)
                if kind is None:
                    in_summary = any(normalize_title(s.title) in SUMMARY_SECTIONS for s in self.stack)
                    kind = "summary" if in_summary else "text"
                if self.stack and self.stack[0].role == "skip":
                    i += 1
                    continue
                self.open(kind, None, ln)
            i += 1
        self.close()
        return self.out

    def _numbered(self, i: int) -> int | None:
        """The paragraph number that line i opens, or None.

        In sequence only; a gap of one is bridged when the line is a clean
        paragraph start (a number missing in the source must not stop the
        rest); "34 Most ..." without its period is accepted only in sequence.
        """
        ln = self.lines[i]
        if self.pdf and ln.page == 1:
            return None  # a PDF's first page is its cover: judgement lists, never paragraphs
        m = PARA_START_RE.match(ln.text)
        prev_ended = i == 0 or block_ended(self.lines, i, self.width)
        if m:
            n = int(m.group("n"))
            if is_judgement_row(self.lines, i, self.width):
                return None
            if n == self.expected:
                self.review_restart = False
                return n
            if n == 1 and self.review_restart and self.part == LSCB_PART:
                self.review_restart = False
                return n  # the review numbers its own paragraphs from 1
            if n == self.expected - 1 and self.block is None and self.last_heading_end == i and n > 1:
                return n  # the source repeats a number right after a heading: keep it as printed
            if n == self.expected + 1 and prev_ended and self.expected > 1 and m.group("rest")[:1].isupper():
                nxt = self._peek_number(i)
                if nxt is None or nxt == n + 1:
                    return n
            return None
        m = LOOSE_START_RE.match(ln.text)
        if m and int(m.group("n")) == self.expected and self.expected > 1 and prev_ended:
            if self.width and len(ln.text) >= 0.6 * self.width:
                return self.expected
        return None

    def _peek_number(self, i: int) -> int | None:
        for ln in self.lines[i + 1:i + 60]:
            m = PARA_START_RE.match(ln.text)
            if m:
                return int(m.group("n"))
        return None

    def _starts_recommendation(self, i: int) -> bool:
        """Under a timeframe marker, does unbulleted line i start a recommendation (the marker or a
        finished sentence before it, and a capital to open it)?"""
        ln = self.lines[i]
        if not (ln.text[:1].isupper() or ln.text[:1] in "'‘\"“"):
            return False
        if self.block is None:
            return True
        b = self.block
        return b.kind == "recommendation" and not b.bulleted and _ends_sentence(b.lines[-1])

    def _new_unnumbered(self, i: int) -> bool:
        """In an unnumbered block, does line i start a new paragraph?"""
        ln, prev = self.lines[i], self.lines[i - 1]
        if ln.is_bullet and self.block is not None:
            # each finding of an unnumbered list is its own block, unless a line ending in ":" introduced the list
            return not any(x.rstrip().endswith(":") for x in self.block.lines)
        if ln.is_bullet or not (ln.text[:1].isupper() or ln.text[:1] in "'‘\"“"):
            return False
        if ln.blank_before:
            return _ends_sentence(prev.text)
        return prev.text[-1:] in (".", "!", "?", ":") and len(prev.text) < 0.75 * self.width


def _ends_sentence(text: str) -> bool:
    return text.strip()[-1:] in _CLOSERS


_CLOSERS = frozenset(".!?:;\"'’”)")


def split_lines(lines: list[Line], report_id: str, *, pdf: bool = False) -> list[Paragraph]:
    """Split already-cleaned lines (see report_lines) into paragraphs."""
    return _Splitter(lines, report_id, pdf).run()


def split_paragraphs(doc: Document, report_id: str) -> list[Paragraph]:
    """Every citable paragraph of a report, in order (the contract of this module)."""
    return split_lines(report_lines(doc), report_id, pdf=doc.path.suffix.lower() == ".pdf")


def split_text(text: str, report_id: str = "text", pages: list[str] | None = None) -> list[Paragraph]:
    """Split plain text (or given pages) as a text report; never raises on odd input."""
    from pathlib import Path

    return split_paragraphs(Document(Path(f"{report_id}.txt"), pages if pages is not None else text.split("\f")), report_id)


__all__ = [
    "split_paragraphs",
    "split_lines",
    "split_text",
    "report_lines",
    "skip_regions",
    "is_table_start",
    "typical_width",
    "split_title_grade",
]
