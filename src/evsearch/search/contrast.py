"""Contrast: the best evidence for one query under each grade, side by side.

"Management oversight where help and protection is inadequate vs good" is one
call: the query runs once per grade with that grade as its filter (so each
grade's best evidence is ranked within that grade's own candidates, rather
than whatever few of them reach the top of one mixed list), and the groups come
back in grade order with the same hits, citations and highlights a search gives.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from evsearch.errors import InputError
from evsearch.vocab.grades import GRADE_NUMBERS, label_for

GROUP_BY = ("grade",)


def check_group_by(value: str | None) -> str | None:
    """'grade' or None; anything else is an InputError naming what may be grouped by."""
    if value in (None, ""):
        return None
    if value not in GROUP_BY:
        raise InputError(f"cannot group by {value!r}", hint="group_by: " + ", ".join(GROUP_BY))
    return value


def contrast(
    engine: Any, query: str, *, k: int = 3, grades: Sequence[int] = GRADE_NUMBERS, **filters: Any
) -> dict[str, Any]:
    """``{"query", "group_by", "groups": [{"grade", "label", "hits", "total", "notes"}], "took_ms"}``.

    ``filters`` are the search's other filters (section, theme, report, la, year); a grade
    filter would empty every group but one, so it is refused.
    """
    if filters.get("grade") not in (None, ""):
        raise InputError("group_by=grade cannot be combined with a grade filter", hint="drop grade, or drop group_by")
    filters.pop("grade", None)
    started = time.perf_counter()
    groups = []
    for grade in grades:
        response = engine.search(query, k=k, grade=grade, **filters)
        groups.append(
            {
                "grade": grade,
                "label": label_for(grade),
                "hits": [hit.to_dict() for hit in response.hits],
                "total": response.total,
                "notes": list(response.notes),
            }
        )
    return {
        "query": query,
        "group_by": "grade",
        "k": k,
        "groups": groups,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
    }
