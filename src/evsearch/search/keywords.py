"""The keyword query: a user's ranking text as one safe FTS5 MATCH expression.

OR (not AND) because a long natural-language query rarely has every word in
the best paragraph; BM25 sums the clauses that match, and a phrase clause adds
score when words appear together as typed. Every clause is a quoted string
literal, so user text never reaches FTS5 as syntax.
"""

from __future__ import annotations

import re
from typing import Sequence

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that qualify the next one ("not enough", "too few", "no permanent home"): alone they
# match half the corpus, so they enter the keyword query only as a phrase with that word.
QUALIFIERS = frozenset({"not", "no", "too"})


def quote(term: str) -> str:
    """One FTS5 string literal."""
    return '"' + term.replace('"', '""') + '"'


def keyword_query(
    text: str,
    stop: set[str] | frozenset[str],
    *,
    extra: Sequence[str] = (),
    bigrams: bool = False,
    common: set[str] | frozenset[str] = frozenset(),
) -> str:
    """An OR of the content words, qualifier phrases, adjacent-word phrases and ``extra`` phrases.

    ``common`` words (in over half the index, so no BM25 weight) are left out:
    they cost the most to score and add nothing. The dense query keeps every word.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    content = [w for w in words if w not in stop and w not in QUALIFIERS and (len(w) > 1 or w.isdigit())]
    clauses: list[str] = [quote(w) for w in content if w not in common]
    for a, b in zip(words, words[1:]):
        if a in QUALIFIERS and b not in QUALIFIERS and b not in stop:
            clauses.append(quote(f"{a} {b}"))
    if bigrams:
        clauses.extend(quote(f"{a} {b}") for a, b in zip(content, content[1:]))
    clauses.extend(quote(phrase.lower()) for phrase in extra)
    if not clauses:  # only common words: search them after all
        clauses = [quote(w) for w in content]
    return " OR ".join(dict.fromkeys(clauses))
