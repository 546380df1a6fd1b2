"""Acronyms the corpus defines, for query expansion in both directions.

The store mines them from the index's own text when it builds a generation
(store/lexicon.py: a long form whose word initials spell the bracketed
acronym), with the words in more than half of all paragraphs (no BM25
weight, so the keyword query leaves them out). Here a query holding the long
form gets the acronym added to its keyword query, and one holding the acronym
gets the long form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evsearch.models.words import stem
from evsearch.store.lexicon import SKIP as _SKIP

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-/]*")


class Acronyms:
    """Both directions of the table, matched on crude stems ("arrangement" = "arrangements")."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = dict(table)
        self._by_long: dict[tuple[str, ...], str] = {}
        for acronym, long_form in self.table.items():
            key = tuple(stem(w) for w in _WORD.findall(long_form.lower()) if w not in _SKIP)
            if len(key) >= 2:
                self._by_long.setdefault(key, acronym)
        self._longest = max((len(k) for k in self._by_long), default=0)

    def expansions(self, text: str) -> list[str]:
        """Keyword-query terms to add for ``text``: acronyms of long forms, long forms of acronyms."""
        out: list[str] = []
        words = _WORD.findall(text)
        for w in words:
            long_form = self.table.get(w.upper())
            if long_form and (w.isupper() or len(w) > 3):
                out.append(long_form)
        stems = [stem(w) for w in words if w.lower() not in _SKIP]
        for i in range(len(stems)):
            for n in range(min(self._longest, len(stems) - i), 1, -1):
                acronym = self._by_long.get(tuple(stems[i : i + n]))
                if acronym:
                    out.append(acronym.lower())
                    break
        return list(dict.fromkeys(out))


@dataclass
class Lexicon:
    """What one pass over the index's text teaches: its acronyms and its no-information words."""

    acronyms: Acronyms
    common: frozenset[str]  # words in more than half of all paragraphs (BM25 idf <= 0)


def load(index) -> Lexicon:
    """The index's lexicon, built into its generation by the store (store/lexicon.py)."""
    raw = index.lexicon()
    return Lexicon(Acronyms(raw["acronyms"]), frozenset(raw["common"]))
