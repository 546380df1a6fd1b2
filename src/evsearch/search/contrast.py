"""Contrast: the best evidence for one query under each grade, side by side.

A grouped search (``group_by="grade"``, search/groups.py) under the name the
MCP tool and older callers use; the Engine owns the grouping.
"""

from __future__ import annotations

from typing import Any

from evsearch.search.filters import SearchRequest


def contrast(engine: Any, query: str, *, k: int = 3, **filters: Any) -> dict[str, Any]:
    """``{"query", "group_by": "grade", "groups": [{"grade", "label", "hits", "total", "notes"}], ...}``.

    ``filters`` are the search's filters (search/filters.py); a grade filter picks the grades compared."""
    return engine.search(SearchRequest.of(query, k, group_by="grade", **filters)).to_dict()
