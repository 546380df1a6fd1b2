"""Grouped search: the best k hits per report, year, authority or grade (Elasticsearch's collapse).

"Help and protection in Bradford, by year" is one request. Two ways to fill the groups:

* per value: when the values to compare are known (every grade; or the years,
  authorities or reports the request names or the query reads, "Bradford 2018
  and 2022"), the search runs once per value with that value as a hard filter,
  so each group's best evidence is ranked within its own candidates rather
  than whatever few of them reach the top of one mixed list;
* collapse: otherwise (``group_by=report`` with no report named) one search runs
  and its ranked matching set is split by the field; groups come in the order
  of their best hit, at most ``MAX_GROUPS``.

Grades come in grade order and years ascending; each group carries its own
``total`` (exact or marked as an estimate, as a search's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evsearch.search.assemble import assemble
from evsearch.search.facets import FACETS
from evsearch.search.filters import MAX_GROUPS, SearchRequest
from evsearch.search.plan import Plan
from evsearch.search.retrieve import Candidates
from evsearch.search.view import View
from evsearch.vocab.grades import GRADE_NUMBERS, label_for


def group_values(request: SearchRequest, planned: Plan) -> list[Any] | None:
    """The values to run one search each for, or None to collapse one search's matching set."""
    name = str(request.group_by)
    parsed = planned.parsed
    given = parsed.filters.get(name) if parsed else None
    # values given as options, or several named in the query ("2018 and 2022"): compare those; one value
    # read from the query ("inadequate help and protection" by grade) is not a comparison
    compared = given and name not in planned.relaxed and (parsed.source.get(name) == "option" or len(given) > 1)
    if compared:
        return sorted(given) if name in ("grade", "year") else list(given)
    if name == "grade":
        return list(GRADE_NUMBERS)
    return None


def label(name: str, value: Any) -> str:
    return f"{value} {label_for(value)}" if name == "grade" else str(value)


def group_entry(name: str, value: Any, hits: list, total: int, estimate: bool, notes: list[str]) -> dict[str, Any]:
    entry = {
        "field": name, "value": value, "label": label(name, value), "hits": [h.to_dict() for h in hits],
        "total": total, "total_is_estimate": estimate, "notes": notes,
    }  # fmt: skip
    if name == "grade":  # older clients read the grade and its word
        entry["grade"], entry["label"] = value, label_for(value)
    return entry


def collapse(found: Candidates, view: View, name: str, k: int, offset: int = 0) -> list[dict[str, Any]]:
    """Split one ranked matching set by ``name``: up to ``MAX_GROUPS`` groups of up to ``k`` hits
    (after ``offset`` within each group)."""
    value_of = _value_of(name, view)
    ids = [pid for pid, _ in found.ranked]
    records = {r["id"]: r for r in view.index.paragraph_facets(ids)}
    members: dict[Any, list[tuple[int, float]]] = {}
    for pid, score in found.ranked:
        record = records.get(pid)
        value = None if record is None else value_of(record)
        if value is not None:
            members.setdefault(value, []).append((pid, score))
    chosen = list(members)[:MAX_GROUPS]  # dicts keep first-seen order: best hit first
    if name == "year":
        chosen.sort()
    pool = view.index.paragraph_count if found.plan.candidates is None else len(found.plan.candidates)
    estimate = len(found.ranked) < pool
    out = []
    for value in chosen:
        part = Candidates(found.plan, ranked=members[value], records=found.records)
        hits = assemble(part, view, offset=offset, k=k)
        out.append(group_entry(name, value, hits, len(members[value]), estimate, []))
    return out


def _value_of(name: str, view: View) -> Callable[[dict], Any]:
    """A paragraph's value of ``name``: the facet's own rule (facets.py), or its report id."""
    if name == "report":
        return lambda r: r["report_id"]
    facet, reports = FACETS[name], view.reports
    return lambda r: facet.value_of(r, reports.get(r["report_id"], {}))
