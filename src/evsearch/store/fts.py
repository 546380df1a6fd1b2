"""The 'fts5' keyword backend: SQLite FTS5's own BM25 over paragraph text.

It takes a MATCH expression already made safe by the caller (search/keywords.py
quotes every term, so user text never reaches FTS5 as syntax).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from evsearch.store.base import Generation, Hits, KeywordIndex

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
