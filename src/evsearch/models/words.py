"""Content words: the one stop-word list and the crude stemmer that matching by shared words uses.

WHY here, in the lowest layer: the indexer (grouping records that state the
same point) and search (highlighting, acronym look-ups) compare texts by the
same content words, so the list and the stemmer are declared once, with no
heavy imports (no spaCy: the quick CLI path must not load it).
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD_RE = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    "a an and are as at be been being but by can could did do does for from had has have how in into is it its "
    "of on or our over so such than that the their them then there these they this those to under up was we "
    "were what when where which while who whom why will with within without would you your".split()
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem: enough to match 'carers' with 'carer' and 'placements' with 'placement'."""
    word = word.lower()
    for suffix in ("ings", "ing", "ies", "ied", "es", "ed", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


def terms(text: str) -> list[str]:
    """Content-word stems of ``text``, in order."""
    return [stem(w) for w in WORD_RE.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]
