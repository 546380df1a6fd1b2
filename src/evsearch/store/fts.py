"""Turning arbitrary user text into a safe FTS5 MATCH expression.

FTS5 query syntax gives meaning to quotes, ``*``, ``-``, ``:``, parentheses,
``^`` and the words AND/OR/NOT/NEAR; raw user text would raise syntax errors
or silently change meaning. We keep only word characters, quote every term
(so NEAR or OR are plain words) and join them with OR, letting BM25 rank
documents that match more terms higher.
"""

from __future__ import annotations

import re

_TERM = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 64


def fts_terms(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for term in _TERM.findall(text or ""):
        term = term.lower().strip("_")
        if term and term not in seen:
            seen[term] = None
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


def fts_escape(text: str) -> str:
    """A MATCH expression: each distinct term quoted, joined by OR; '' when the text has no terms."""
    return " OR ".join(f'"{term}"' for term in fts_terms(text))
