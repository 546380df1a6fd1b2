"""Safe FTS5 MATCH expressions from user text, and the 'fts5' keyword backend.

FTS5 query syntax gives meaning to quotes, ``*``, ``-``, ``:``, parentheses,
``^`` and the words AND/OR/NOT/NEAR; raw user text would raise syntax errors
or silently change meaning. We keep only word characters, quote every term
(so NEAR or OR are plain words) and join them with OR, letting BM25 rank
documents that match more terms higher.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from evsearch.store.base import Generation, Hits, KeywordIndex

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


def _ids_param(ids: np.ndarray) -> str:
    return json.dumps([int(i) for i in ids])


class Fts5Keyword(KeywordIndex):
    """Keyword backend 'fts5': SQLite FTS5's own ``bm25()``, the source of truth (no derived files).

    A ``rowid IN (...)`` restriction is evaluated per id by SQLite, so large candidate sets are
    slow here (search/retrieve.py post-filters them instead: ``cheap_filter`` is False).
    """

    kind = "fts5"

    def __init__(self, db: Any) -> None:
        self.db = db

    @classmethod
    def open(cls, gen: Generation) -> "Fts5Keyword":
        return cls(gen.db)

    def search(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        if candidate_ids is None:
            rows = self.db.rows("bm25", (fts_query, int(k)))
        else:
            if len(candidate_ids) == 0:
                return []
            rows = self.db.rows("bm25_within", (fts_query, _ids_param(candidate_ids), int(k)))
        return [(int(r[0]), float(r[1])) for r in rows]
