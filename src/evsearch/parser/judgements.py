"""The judgement table of a report: which areas were graded, and how.

Each inspection framework prints its judgements differently, so one reader
per layout lives here and `extract_judgements` picks by framework:

* slac (2009-2013 and the seed): a "Record of main findings" table at the
  end, title then grade word per row, grouped under part headings;
* sif (2013-2018): a numbered list on page 1 after "The overall judgement is
  ..." / "Children's services in X are ...", plus the LSCB review line;
* ilacs / ilacs-2026 (2018-): a "Judgement / Grade" table on page 1.

PDF text wraps titles and grades ("Requires improvement" / "to be good") at
arbitrary points, so the page-1 readers collapse whitespace and cut the text
at grade phrases rather than at line ends. ``CSV_COLUMNS`` maps titles onto
the five grade columns of the public judgements.csv, so tests can compare.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evsearch.vocab.grades import GRADE_PATTERN, lookup_label
from evsearch.vocab.sections import LSCB_PART, is_lscb, normalize_title
from evsearch.records import Judgement

SEED_PARTS = ("Safeguarding services", "Services for looked after children")
SIF_OVERALL_TITLE = "Overall judgement"
LSCB_TITLE = "The effectiveness of the Local Safeguarding Children Board (LSCB)"

# The five grade columns of judgements.csv, each with the title patterns that
# fill it (matched against `normalize_title`); order matters: first match wins.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("overall_effectiveness", r"^overall (?:effectiveness|judgement)$"),
    ("impact_of_leaders", r"impact of leaders|^leadership, management and governance$"),
    ("help_and_protection", r"need help and protection"),
    ("care_leavers", r"progress of (?:children )?care leavers"),
    ("in_care", r"children in care|children looked after and achieving permanence"),
)
CSV_COLUMN_NAMES = tuple(column for column, _ in CSV_COLUMNS)

# A grade phrase, or "Not judged" where a SIF area was not graded.
_CELL = re.compile(r"\b(" + GRADE_PATTERN.pattern + r"|not judged)\b", re.IGNORECASE)
_SENTENCE_WORDS = re.compile(
    r"\b(?:is|are|was|were|has|have|had|receive|receives|remain|remains|be|been|not|this|that|they|their)\b",
    re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """Page text with soft hyphens resolved and whitespace collapsed to single spaces."""
    text = re.sub("\ufffe\\s*\n\\s*", "", text)  # soft hyphen at a line end: join the word
    text = text.replace("\ufffe", "-").replace("\u00ad", "")
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def csv_column(title: str) -> str | None:
    """The judgements.csv column a judgement title fills, or None."""
    norm = normalize_title(title)
    for column, pattern in CSV_COLUMNS:
        if re.search(pattern, norm):
            return column
    return None


def _make(report_id: str, part: str | None, title: str, grade_text: str) -> Judgement:
    word = lookup_label(grade_text)
    return Judgement(
        report_id=report_id,
        part=part,
        title=title,
        grade=word.grade if word else None,
        grade_label=word.label if word else None,
        section=None,
    )


def _looks_like_title(title: str) -> bool:
    """Table cells are short noun phrases; prose that happens to hold a grade word is not."""
    if not (3 <= len(title) <= 140) or not title[:1].isupper():
        return False
    if csv_column(title):
        return True
    return not re.search(r"[.;!?]", title) and not _SENTENCE_WORDS.search(title)


_JUDGEMENT_FOR = re.compile(r"^The judge?ment (?:for|about|on) (?=the )", re.I)


def _scan_cells(
    text: str, report_id: str, *, stop_title: str | None = None, limit: int = 8, cell_start: re.Pattern | None = None
) -> list[Judgement]:
    """Read "title grade title grade ..." from collapsed text until a cell is not a title
    (or, with ``cell_start``, does not begin as the layout's cells do)."""
    found: list[Judgement] = []
    pos = 0
    while len(found) < limit:
        match = _CELL.search(text, pos)
        if not match:
            break
        if cell_start and not cell_start.match(text, pos):
            break
        title = re.sub(r"^(?:\d+(?:\.\d+)*\.?\s+)+", "", text[pos : match.start()].strip()).strip(" .:")
        title = re.sub(r"\s+(?:is|are)$", "", title)  # "The effectiveness of the LSCB is good"
        title = _JUDGEMENT_FOR.sub("", title)  # "The judgement for the effectiveness of the LSCB is ..."
        title = title[:1].upper() + title[1:]
        if not _looks_like_title(title):
            break
        found.append(_make(report_id, None, title, match.group(1)))
        pos = match.end()
        if stop_title and normalize_title(title) == stop_title:
            break
    return found


# ILACS rows: "The impact of leaders ...", "The experiences and progress of ...", "Overall effectiveness".
_ILACS_CELL = re.compile(r"\s*(?:The |Overall )")


def extract_ilacs(pages: Sequence[str], report_id: str) -> list[Judgement]:
    """The page-1 "Judgement / Grade" table of an ILACS report."""
    text = clean_text("\n".join(pages[:2]))
    header = re.search(r"\bJudgement\s+Grade\b", text)
    if not header:
        return []
    return _scan_cells(
        text[header.end() :], report_id, stop_title="overall effectiveness", limit=6, cell_start=_ILACS_CELL
    )


_SIF_OVERALL = (
    re.compile(
        r"The overall judgement is (?:that )?(?:children's services? )?(?:are |is )?(" + GRADE_PATTERN.pattern + ")", re.I
    ),
    re.compile(r"Children's services(?: in .{1,90}?)? (?:are |is )?(" + GRADE_PATTERN.pattern + ")", re.I),
)
# SIF list rows are numbered ("1.", "2.1"); the LSCB review line follows them.
_SIF_CELL = re.compile(
    r"\s*(?:(?:\d+\s+)?\d\.\d?\s|The (?:judge?ment for the )?effectiveness of the (?:Local Safeguarding|LSCB))", re.I
)
# Where page 1 lacks the LSCB line, the review section states it as a sentence of its own.
_SIF_LSCB = re.compile(
    r"The (?:judge?ment for the )?(?:effectiveness of the )?(?:Local Safeguarding Children'?s? Board(?: \(LSCB\))?|LSCB)"
    r"(?: in [A-Z][\w ,&'-]{1,40}?)? (?:is |are |(?=requires? improvement))(" + GRADE_PATTERN.pattern + r")(?=\.?(?: [A-Z]|$))",
    re.I,
)


def _lscb_sentence(text: str) -> re.Match | None:
    """The first LSCB grade sentence that starts a sentence or follows a heading."""
    for match in _SIF_LSCB.finditer(text):
        before = text[max(0, match.start() - 8) : match.start()]
        if not before or re.search(r"(?:[.)]|\d|\(LSCB\)|Board) $", before):
            return match
    return None


_SIF_FOOTNOTE = re.compile(r"(?:^|\n)\s*1 Ofsted produces this report.*", re.S)


def extract_sif(pages: Sequence[str], report_id: str) -> list[Judgement]:
    """Page 1 of a single-inspection-framework report: overall line, numbered list, LSCB line.

    The list may run onto page 2 past the cover's footnote, so the footnote is cut first.
    """
    text = clean_text("\n".join(_SIF_FOOTNOTE.sub("", page.replace("\r", "")) for page in pages[:2]))
    found: list[Judgement] = []
    first = re.compile(r"(?<!\S)1\.? (?=Children who need help)", re.I).search(text)
    head = text[: first.start()] if first else text
    for pattern in _SIF_OVERALL:
        match = pattern.search(head)
        if match:
            found.append(_make(report_id, None, SIF_OVERALL_TITLE, match.group(1)))
            break
    if first:
        found.extend(_scan_cells(text[first.start() :], report_id, limit=6, cell_start=_SIF_CELL))
    if not any("safeguarding children board" in j.title.lower() for j in found):
        lscb = _lscb_sentence(clean_text("\n".join(pages)))
        if lscb:
            found.append(_make(report_id, None, LSCB_TITLE, lscb.group(1)))
    return found


def extract_slac(pages: Sequence[str], report_id: str) -> list[Judgement]:
    """The "Record of main findings" table: rows of title and grade under part headings."""
    full = "\n".join(pages).replace("\r", "")
    heads = [m for m in re.finditer(r"^[ \t#*]*Record of main findings\b(?![^\n]*\s\d+\s*$)[^\n]*$", full, re.M | re.I)]
    if not heads:
        return []
    lines = [clean_text(line) for line in full[heads[-1].end() :].split("\n")]
    lines = [line.strip("*# ") for line in lines if line.strip("*# ")]
    row = re.compile(r"^(.*?)\s*\b(" + GRADE_PATTERN.pattern + r")\s*(?:\(?grade\s*[1-4]\)?)?\s*$", re.I)
    found: list[Judgement] = []
    pending: list[str] = []  # lines without a grade: part/group headings or a wrapped title
    part: str | None = None
    pending_part: str | None = None
    for line in lines:
        match = row.match(line)
        if not match:
            if _part_name(line):
                pending_part = _part_name(line)
                pending = []
            else:
                pending.append(line)
            continue
        head, grade_text = match.group(1).strip(" \t:"), match.group(2)
        if head:
            # Wrapped titles continue in lowercase; anything else pending was a group heading.
            title_lines = [head]
            while pending and head[:1].islower():
                head = pending.pop()
                title_lines.insert(0, head)
        else:
            title_lines = _wrapped_title(pending)
        pending = []
        title = clean_text(" ".join(title_lines))
        if not title:
            continue
        if pending_part and (normalize_title(title) == "overall effectiveness" or part is None):
            part = pending_part
        elif any(j.part == part and normalize_title(j.title) == normalize_title(title) for j in found):
            part = pending_part or part  # a repeated title means a new part began
        pending_part = None
        found.append(_make(report_id, part, title, grade_text))
    return found


def _part_name(line: str) -> str | None:
    norm = normalize_title(line)
    for name in SEED_PARTS:
        if norm == name.lower():
            return name
    return None


def _wrapped_title(pending: list[str]) -> list[str]:
    """The lines of a title wrapped above a grade-only line: the last line and its lowercase-led tail."""
    if not pending:
        return []
    out = [pending[-1]]
    i = len(pending) - 1
    while i > 0 and (out[0][:1].islower() or re.search(r"\b(?:and|of|for|the|to|in|,)$", pending[i - 1])):
        i -= 1
        out.insert(0, pending[i])
    return out


def extract_judgements(pages: Sequence[str], report_id: str, framework: str) -> list[Judgement]:
    """The report's judgements in printed order, read with its framework's layout.

    For slac the part (seed: "Safeguarding services" / "Services for looked
    after children") is kept on each judgement; other frameworks have one part.
    """
    if framework == "slac":
        found = extract_slac(pages, report_id)
    elif framework == "sif":
        found = extract_sif(pages, report_id)
    elif framework in ("ilacs", "ilacs-2026"):
        found = extract_ilacs(pages, report_id)
    else:
        found = extract_ilacs(pages, report_id) or extract_sif(pages, report_id) or extract_slac(pages, report_id)
    if framework != "slac":
        for judgement in found:
            judgement.part = LSCB_PART if is_lscb(judgement.title) else None
    return found


def grades_by_column(judgements: Sequence[Judgement]) -> dict[str, Judgement]:
    """The first judgement filling each judgements.csv column (for comparisons and summaries)."""
    out: dict[str, Judgement] = {}
    for judgement in judgements:
        column = csv_column(judgement.title)
        if column and column not in out:
            out[column] = judgement
    return out
