"""The grade vocabulary: the one table that maps printed grade words to numbers.

Inspectorates print grades as words ("Good", "Requires improvement to be
good"), as numbers ("Grade 3 (adequate)") or both. Every part of the engine
that reads or writes a grade goes through this module, so adding a scale or a
synonym is one edit here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evsearch.errors import UnknownGradeError


@dataclass(frozen=True)
class GradeWord:
    label: str  # canonical lowercase label, as users and the CSV say it
    grade: int  # 1 (best) .. 4 (worst)
    variants: tuple[str, ...] = ()  # other printed forms, lowercase


# Ordered longest-first where one variant contains another.
GRADE_WORDS: tuple[GradeWord, ...] = (
    GradeWord("outstanding", 1),
    GradeWord("good", 2),
    GradeWord(
        "requires improvement",
        3,
        (
            "requires improvement to be good",
            "requires improvement to become good",
            "require improvement to be good",
            "require improvement",
        ),
    ),
    GradeWord("adequate", 3),
    GradeWord("satisfactory", 3),
    GradeWord("inadequate", 4),
)

GRADE_NUMBERS = (1, 2, 3, 4)

_LOOKUP: dict[str, GradeWord] = {}
for _gw in GRADE_WORDS:
    _LOOKUP[_gw.label] = _gw
    for _v in _gw.variants:
        _LOOKUP[_v] = _gw

# Longest variant first so "requires improvement to be good" wins over "good".
GRADE_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(_LOOKUP, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def lookup_label(text: str) -> GradeWord | None:
    """The grade word printed as ``text`` (any case/spacing), or None."""
    return _LOOKUP.get(_squash(text))


# The label of each grade number on each scale: 2012-13 inspections (slac) called grade 3 "adequate".
SCALES: dict[str, dict[int, str]] = {
    "current": {1: "outstanding", 2: "good", 3: "requires improvement", 4: "inadequate"},
    "slac": {1: "outstanding", 2: "good", 3: "adequate", 4: "inadequate"},
}


def label_for(grade: int, scale: str = "current") -> str:
    """The label of a grade number when no word was printed ("Grade 3" alone), on the given scale."""
    return SCALES[scale][grade]


def parse_grade(value: str | int) -> int:
    """A user's grade (word, synonym, '3', 'grade 3') as a number 1..4.

    Raises UnknownGradeError listing the valid values, so the CLI and HTTP
    faces can show the user what they may type.
    """
    if isinstance(value, int) and value in GRADE_NUMBERS:
        return value
    text = _squash(str(value))
    match = re.fullmatch(r"(?:grade\s*)?([1-4])", text)
    if match:
        return int(match.group(1))
    word = _LOOKUP.get(text)
    if word:
        return word.grade
    raise UnknownGradeError(
        f"unknown grade {value!r}",
        hint="valid grades: " + ", ".join(valid_grade_names()),
    )


def valid_grade_names() -> list[str]:
    return [gw.label for gw in GRADE_WORDS] + [str(n) for n in GRADE_NUMBERS]
