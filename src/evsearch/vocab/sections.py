"""The section vocabulary: known part and section titles, one table.

WHY: PDF text has no fonts or sizes, so a heading is recognised by what it
says and where it sits. Titles the frameworks always print (2012-13
safeguarding and looked after children, 2013-17 single inspection framework,
2018- ILACS) are listed here with a role that tells the splitter how they
nest. Unknown headings are still found by layout (see headings.py); this
table only makes the common ones certain and gives them their level.

Roles:
- ``part``: top level ("Safeguarding services"); a report without one has part None.
- ``review``: opens the SIF review of the Local Safeguarding Children Board, a part
  of its own (``LSCB_PART``) whatever its printed wording.
- ``container``: an ungraded heading that groups the graded ones below it.
- ``child``: nests under the open container (or graded key judgement).
- ``section``: an ordinary heading at the level under the part.
- ``key``: a key judgement title (graded in the body); a sub-heading when ungraded under recommendations.
- ``label``: names the next unnumbered block (e.g. "Summary") but opens no section.
- ``recommendations``: a section whose bullets are recommendations.
- ``toc``: the table of contents title.
- ``table``: a judgement table title (not body text; the judgements module reads it).
- ``skip``: boilerplate sections whose text is not evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evsearch.vocab.grades import GRADE_PATTERN

SECTION_TITLES: dict[str, str] = {
    # table of contents and judgement tables
    "contents": "toc",
    "record of main findings": "table",
    "judgement grade": "table",
    "the judgements on areas of the service that contribute to overall effectiveness are": "table",
    # parts (2012-13)
    "safeguarding services": "part",
    "services for looked after children": "part",
    # containers (2012-13)
    "safeguarding outcomes for children and young people": "container",
    "how good are outcomes for looked after children and care leavers?": "container",
    "outcomes for looked after children and young people": "container",
    "outcomes for looked after children and care leavers": "container",
    # children of the containers
    "children and young people are safe and feel safe": "child",
    "being healthy": "child",
    "staying safe": "child",
    "enjoying and achieving": "child",
    "making a positive contribution, including user engagement": "child",
    "making a positive contribution": "child",
    "economic well-being": "child",
    "economic wellbeing": "child",
    # ordinary sections (all frameworks)
    "about this inspection": "section",
    "the inspection judgements and what they mean": "section",
    "service information": "section",
    "overall effectiveness": "section",
    "capacity for improvement": "section",
    "capacity to improve": "section",
    "quality of provision": "section",
    "the contribution of health agencies to keeping children and young people safe": "section",
    "ambition and prioritisation": "section",
    "leadership and management": "section",
    "performance management and quality assurance": "section",
    "partnership working": "section",
    "equality and diversity": "section",
    "the local authority": "section",
    "summary of findings": "container",
    "summary of key findings": "container",
    "quality of practice": "child",
    "executive summary": "section",
    "the local authority's strengths": "section",
    "the local authority has the following strengths": "section",
    "progress since the last inspection": "section",
    "summary for children and young people": "section",
    "information about this local authority area": "container",
    "information about this local authority area (local authority context)": "container",
    "children living in this area": "child",
    "child protection in this area": "child",
    "children looked after in this area": "child",
    "previous ofsted inspections": "child",
    "other ofsted inspections": "child",
    "other information about this area": "child",
    "local leadership": "child",
    "inspection judgements about the local authority": "section",
    "the local safeguarding children board (lscb)": "review",
    "the local safeguarding children board": "review",
    "local safeguarding children board (lscb)": "review",
    "inspection judgement about the lscb": "section",
    "inspection findings – the local safeguarding children board": "section",
    "inspection findings - the local safeguarding children board": "section",
    "key strengths and weaknesses of the lscb": "section",
    "the lscb's strengths": "section",
    "what the inspection judgements mean": "section",
    # SIF prints it twice, once per judgement, and often straight after the last paragraph's full stop
    "what the inspection judgements mean: the local authority": "section",
    "what the inspection judgements mean: the lscb": "section",
    "what the inspection judgements mean: the local safeguarding children board": "section",
    "information about this inspection": "section",
    "the inspection team": "skip",
    # key judgements (SIF 2013-18, ILACS 2018-): graded; under a recommendations heading they are sub-headings
    "leadership, management and governance": "key",
    "the experiences and progress of children who need help and protection": "key",
    "the experiences and progress of children looked after and achieving permanence": "key",
    "the experiences and progress of children in care and care leavers": "key",
    "the experiences and progress of children in care": "key",
    "the experiences and progress of care leavers": "key",
    "the impact of leaders on social work practice with children and families": "key",
    "adoption performance": "key",
    # SIF sub-headings under a graded key judgement
    "inspection findings": "child",
    # recommendation sections
    "areas for improvement": "recommendations",
    "what needs to improve?": "recommendations",
    "what needs to improve": "recommendations",
    "recommendations": "recommendations",
    "what does the local authority need to improve?": "recommendations",
    "what does the lscb need to improve?": "recommendations",
    "priority and immediate action": "child",
    # labels for unnumbered blocks
    "summary": "label",
}

# Sections whose unnumbered text is a summary of the report.
SUMMARY_SECTIONS = frozenset(
    {"summary", "summary of findings", "summary of key findings", "executive summary", "summary for children and young people"}
)

# Time-bound recommendation markers (2009-13 "Areas for improvement"): "Immediately:", "Within three
# months:", "Within 6 months", "Within one month". Numbers are stored as words: one value per period.
_NUMBER_WORDS = {str(n): w for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_TIMEFRAME_RE = re.compile(
    r"^(?:immediately|within (?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) "
    r"(?P<unit>weeks?|months?))$"
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\ufffe": "-", "\u00ad": None})
_MARKS_RE = re.compile(r"[\"*]")
_NUMBERING_RE = re.compile(r"^\d+(?:\.\d+)*\.?\s+")
_GRADE_NUMBER_SUFFIX_RE = re.compile(r"\s*\(?grade\s*[1-4]\)?(?:\s*\([a-z ]+\))?\s*$")
_GRADE_WORD_SUFFIX_RE = re.compile(r"\s*[:-]\s*(" + GRADE_PATTERN.pattern + r")\s*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def normalize_title(title: str) -> str:
    """A printed title reduced for matching: the one normalisation every reader and linker uses.

    Case, curly quotes, dashes, soft hyphens, markup and spacing are folded; a
    leading list number ("2.1 ") and a trailing printed grade ("Grade 3
    (adequate)", ": good", "- inadequate") are dropped, so a table row, a body
    heading and a contents entry for one area reduce to the same string.
    """
    text = _MARKS_RE.sub("", title.translate(_QUOTES).lower())
    text = _NUMBERING_RE.sub("", " ".join(text.split()))
    text = _GRADE_NUMBER_SUFFIX_RE.sub("", text)
    text = _GRADE_WORD_SUFFIX_RE.sub("", text)
    return text.strip(" .:")


# The SIF review of the Local Safeguarding Children Board is a part of the report of its own.
LSCB_PART = "Review of the Local Safeguarding Children Board (LSCB)"
LSCB_WORDS_RE = re.compile(r"\blocal safeguarding children'?s? board\b|\blscb\b")


# "Section 2: The effectiveness of the Local Safeguarding Children Board", "The Local Safeguarding
# Children Board (LSCB)"; a heading wrapped after "Safeguarding" still opens the review.
_REVIEW_RE = re.compile(
    r"^(?:section \d{1,2}:\s*)?(?:the )?(?:review of )?(?:the )?(?:effectiveness (?:of )?(?:the )?)?"
    r"(?:local safeguarding(?: children'?s?(?: board)?)?(?: \(lscb\))?|lscb)$"
)
# The rest of a review heading wrapped onto the next line: "Children Board", "board (LSCB)".
REVIEW_TAIL_RE = re.compile(r"^(?:children'?s? )?board(?: \(lscb\))?$", re.IGNORECASE)


def is_lscb(title: str) -> bool:
    """Does a title name the Local Safeguarding Children Board?"""
    return bool(LSCB_WORDS_RE.search(normalize_title(title)))


def opens_review(title: str) -> bool:
    """Does this heading open the LSCB review part (not a bare "The LSCB", which prose may start with)?"""
    norm = normalize_title(title)
    return bool(_REVIEW_RE.match(norm)) and ("safeguarding" in norm or norm.startswith("section"))


_ROLES = {normalize_title(k): v for k, v in SECTION_TITLES.items()}
_SECTION_N_RE = re.compile(r"^Section \d{1,2}: \S.{3,100}$", re.IGNORECASE)
_PREFIXES = frozenset(k[:4] for k in _ROLES)


def title_role(title: str) -> str | None:
    """The role of a printed title, or None when the vocabulary does not know it."""
    if _SECTION_N_RE.match(title):
        return "part"  # SIF 2014: "Section 1: the local authority", "Section 2: The effectiveness of the LSCB"
    if len(title) > 120 or title[:4].lower().translate(_QUOTES) not in _PREFIXES:
        return None  # fast path: most lines are prose
    return _ROLES.get(normalize_title(title))


_TIMEFRAME_LEAD_RE = re.compile(r"^((?:immediately|within \w+ (?:weeks?|months?)))\s*[:–-]\s*(\S.*)$", re.IGNORECASE)


def timeframe_lead(line: str) -> tuple[str, str] | None:
    """(timeframe, the rest) for a recommendation printed on its marker's line: "Within three months: agree ..."."""
    m = _TIMEFRAME_LEAD_RE.match(line.strip())
    if m is None:
        return None
    timeframe = timeframe_of(m.group(1))
    return (timeframe, m.group(2)) if timeframe else None


def timeframe_of(line: str) -> str | None:
    """'immediately' / 'within three months' / 'within one month' ... when the line is such a marker."""
    if not line[:3].lower() in ("imm", "wit"):
        return None
    m = _TIMEFRAME_RE.match(normalize_title(line))
    if m is None:
        return None
    if m.group("n") is None:
        return "immediately"
    number = _NUMBER_WORDS.get(m.group("n"), m.group("n"))
    unit = m.group("unit").rstrip("s") + ("" if number == "one" else "s")
    return f"within {number} {unit}"
