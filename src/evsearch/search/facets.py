"""Facet counts over a search's ranked candidate pool: how the evidence splits by grade, authority, year, framework.

Counted over the whole ranked pool (every candidate that passed the filters
and was scored), not over the page, so "inadequate: 41" means 41 matching
paragraphs sit under inadequate grades, whatever page is shown. Each facet is
one small object with one job (Datasette's habit): name a paragraph's value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from evsearch.errors import InputError
from evsearch.vocab.grades import label_for


@dataclass(frozen=True)
class Facet:
    name: str  # as asked for: facets=grade,la,year,framework
    value_of: Callable[[dict[str, Any], dict[str, Any]], Any]  # (paragraph facets record, report record) -> value
    label_of: Callable[[Any], str] = str


def _year(report: dict[str, Any]) -> int | None:
    return report.get("inspection_year") or report.get("published_year")


FACETS: dict[str, Facet] = {
    facet.name: facet
    for facet in (
        Facet("grade", lambda p, r: p.get("grade"), lambda g: f"{g} {label_for(g)}"),
        Facet("la", lambda p, r: r.get("local_authority")),
        Facet("year", lambda p, r: _year(r)),
        Facet("framework", lambda p, r: r.get("framework")),
    )
}


def parse_facets(value: str | Sequence[str] | None) -> list[str]:
    """'grade,la' (or a list) -> ['grade', 'la']; an unknown name is an InputError listing the valid ones."""
    if not value:
        return []
    names = [n.strip().lower() for part in ([value] if isinstance(value, str) else value) for n in part.split(",")]
    names = list(dict.fromkeys(n for n in names if n))
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise InputError(f"unknown facet {unknown[0]!r}", hint="facets: " + ", ".join(FACETS))
    return names


def facet_counts(
    pool_ids: Iterable[int], index: Any, reports: dict[str, dict[str, Any]], names: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """``{facet: [{"value", "label", "count"}, ...]}`` over the paragraphs ``pool_ids``, most frequent first.

    ``index`` is the store's ``Index`` (its cheap ``paragraph_facets`` read), ``reports``
    the report records by id. Paragraphs with no value for a facet (an ungraded
    paragraph) are counted under ``value: null``.
    """
    ids = [int(i) for i in pool_ids]
    records = index.paragraph_facets(ids) if ids and names else []
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        facet = FACETS[name]
        tally = Counter(facet.value_of(p, reports.get(p["report_id"], {})) for p in records)
        ordered = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0] is None, str(kv[0])))
        out[name] = [
            {"value": value, "label": "none" if value is None else facet.label_of(value), "count": count}
            for value, count in ordered
        ]
    return out
