"""Text cleaning: from raw page text to clean lines the splitter can trust.

WHY a module of its own: PDF text from pypdfium2 carries page furniture
(running headers and footers, page numbers), footnotes and their markers,
glyphs from symbol fonts used as bullets, U+FFFE where the PDF had a soft
hyphen, and (in the text seed) markdown-style ``**bold**``/``*italic*``
markup. None of these may reach a cited paragraph, and all of them confuse
paragraph and heading detection, so they are removed first, page by page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

BULLET = "•"

# Symbol-font glyphs and marks that PDFs use as list bullets.
_BULLET_CHARS = "\uf0a7\uf0b7\uf076\uf0d8\uf0fc\u25fc\u25aa\u25a0\u25cf\u2022\u25e6\u2023\u2043\uf02d\u27a2"
_BULLET_RE = re.compile(rf"^\s*(?:[{_BULLET_CHARS}\uf000-\uf0ff]|[-*](?=\s))\s*")
_CHAR_MAP = {
    "\ufffe": "-",  # pdfium reports a soft hyphen at a line break as U+FFFE
    "\u00ad": "",  # soft hyphen that survived: invisible
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200b": "",
    "\ufeff": "",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb00": "ff",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\t": " ",
}
_CHAR_RE = re.compile("[" + "".join(_CHAR_MAP) + "]")
_MARKED_TITLE_RE = re.compile(r"^(What needs to improve\?|[A-Z][A-Za-z ,’']{3,80}[a-z?])\d$")
_DIGITS_RE = re.compile(r"\d+")
_SPACES_RE = re.compile(r"[ ]{2,}")
_MARKUP_RE = re.compile(r"\*{1,3}")
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$", re.IGNORECASE)
_FOOTNOTE_START_RE = re.compile(r"^(\d{1,2})(?:\s+\S.*)?$")


@dataclass
class Line:
    """One cleaned line of a report and the 1-based page it was printed on."""

    text: str
    page: int
    blank_before: bool = False  # a blank line preceded it (text files keep these)
    page_start: bool = False  # first kept line of its page

    @property
    def is_bullet(self) -> bool:
        return self.text.startswith(BULLET)


def normalize_chars(text: str) -> str:
    """Line endings, odd spaces, ligatures, U+FFFE; keeps line structure."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CHAR_RE.sub(lambda m: _CHAR_MAP[m.group()], text)


def strip_markup(text: str) -> str:
    """Remove ``**bold**`` / ``*italic*`` markers (the text seed uses them)."""
    return _MARKUP_RE.sub("", text)


def clean_line(raw: str) -> str:
    """One line (chars already normalized): markup removed, bullets unified to '• ', spaces squashed."""
    line = strip_markup(raw) if "*" in raw else raw
    m = _BULLET_RE.match(line)
    if m and len(line) > m.end():
        line = BULLET + " " + line[m.end():]
    return _SPACES_RE.sub(" ", line).strip()


def _furniture_key(line: str) -> str:
    return " ".join(_DIGITS_RE.sub("#", line.lower()).split())


def _page_lines(pages: list[str]) -> list[list[str]]:
    return [[clean_line(raw) for raw in normalize_chars(page).split("\n")] for page in pages]


def _running_keys(pages: list[list[str]], edge: int = 3) -> set[str]:
    """Lines that recur at the top or bottom of many pages: headers/footers."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        kept = [ln for ln in lines if ln]
        seen = {_furniture_key(ln) for ln in kept[:edge] + kept[-edge:]}
        counts.update(seen)
    threshold = max(2, int(len(pages) * 0.3))
    return {k for k, n in counts.items() if n >= threshold and k and k != "#" and len(k) > 3}


def _strip_footnotes(lines: list[str]) -> list[str]:
    """Drop a footnote block at the page foot and its markers in the text.

    A footnote block starts after the last blank line of the page with a
    small number ("1" alone, or "1 Ofsted produces ..."); its number also
    sits glued to a word in the body ("Board1"), which we remove.
    """
    last_blank = None
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i]:
            last_blank = i
            break
    if last_blank is None or last_blank == len(lines) - 1:
        return _strip_unspaced_footnote(lines)
    numbers: list[str] = []
    tail = lines[last_blank + 1:]
    for ln in tail:
        m = _FOOTNOTE_START_RE.match(ln)
        if m and int(m.group(1)) < 40:
            numbers.append(m.group(1))
    if not tail or not _FOOTNOTE_START_RE.match(tail[0]) or int(_FOOTNOTE_START_RE.match(tail[0]).group(1)) >= 40:
        return _strip_unspaced_footnote(lines)
    if len(" ".join(tail)) > 1200:  # too long for a footnote: keep it
        return lines
    body = lines[:last_blank]
    marker = re.compile(r"(?<=[A-Za-z\)’'”])(" + "|".join(numbers) + r")(?=[\s,.;:)]|$)")
    return [marker.sub("", ln) for ln in body]


_FOOTNOTE_TEXT_RE = re.compile(r"^(\d{1,2}) [A-Z][a-z]")


def _strip_unspaced_footnote(lines: list[str]) -> list[str]:
    """Drop a footnote printed right under the last body line, with no blank line between (2026 ILACS:
    "...to address them." / "1 The areas for improvement have been cross-referenced ...").

    Taken as a footnote only when the line before it ends a sentence, it and what follows are short, and
    its number is printed as a marker higher on the page (a line of its own, or glued to a word: "improve?1"),
    so a paragraph whose period was lost ("12 Most children ...") is never dropped.
    """
    for j in range(len(lines) - 1, max(len(lines) - 5, 0), -1):
        m = _FOOTNOTE_TEXT_RE.match(lines[j])
        if not m or not lines[j - 1].rstrip().endswith((".", ":", "?", ")")):
            continue
        if len(" ".join(lines[j:])) > 600:
            return lines
        n = m.group(1)
        marker = re.compile(rf"^{n}$|(?<=[A-Za-z?)’'”]){n}(?=[\s,.;:)]|$)")
        if any(marker.search(ln.strip()) for ln in lines[:j]):
            return lines[:j]
        return lines
    return lines


def page_lines(pages: list[str], *, pdf: bool) -> list[Line]:
    """Every kept line of a document, page furniture and footnotes removed.

    Text files (``pdf=False``) keep blank lines as ``blank_before`` flags,
    because there a blank line is the only trace of a page break.
    """
    raw_pages = _page_lines(pages)
    keys = _running_keys(raw_pages) if pdf else set()
    out: list[Line] = []
    for number, lines in enumerate(raw_pages, start=1):
        if pdf:
            lines = _strip_footnotes(lines)
        nonblank = [i for i, ln in enumerate(lines) if ln]
        edge = set(nonblank[:3] + nonblank[-3:])
        blank = False
        first = True
        for i, ln in enumerate(lines):
            if not ln:
                blank = True
                continue
            if pdf and _PAGE_NUMBER_RE.match(ln):
                continue  # page numbers, and stray footnote markers on a line of their own
            if pdf and i in edge and _furniture_key(ln) in keys:
                continue
            if pdf and ln[-1].isdigit() and _MARKED_TITLE_RE.match(ln):
                ln = _MARKED_TITLE_RE.match(ln).group(1)  # "What needs to improve?1": a footnote marker on a heading
            out.append(Line(ln, number, blank_before=blank and not pdf, page_start=first))
            blank = False
            first = False
    return out


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines into one text: a word hyphenated at a line end is rejoined."""
    text = ""
    for raw in lines:
        ln = raw.strip()
        if not ln:
            continue
        if not text:
            text = ln
        elif ln.startswith(BULLET) or raw.startswith("\n"):
            text += "\n" + ln
        elif text.endswith("-") and text[-2:-1].isalpha() and ln[:1].islower():
            text += ln  # "decision-" + "making" -> "decision-making"
        else:
            text += " " + ln
    return tidy(text)


def tidy(text: str) -> str:
    """Final touches on a paragraph's text: spaces, no markup."""
    if "*" in text:
        text = strip_markup(text)
    if "  " in text or "\t" in text:
        text = _RUN_RE.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _NL_RE.sub("\n", text)
    if " ," in text or " ." in text or " ;" in text or " :" in text:
        text = _SPACE_PUNCT_RE.sub(r"\1", text)
    return text.strip()


_RUN_RE = re.compile(r"[ \t]+")
_NL_RE = re.compile(r" *\n *")
_SPACE_PUNCT_RE = re.compile(r" ([,.;:])(?=\s|$)")
