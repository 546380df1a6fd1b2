"""Facet counts over a search's matching set: how the evidence splits by grade, authority, year, framework.

Counted over the whole matching set (every paragraph that passed the filters
and was scored: the ``total`` of the response), not over the page, so
"inadequate: 41" means 41 matching paragraphs sit under inadequate grades,
whatever page is shown. Each facet is one small object with one job
(Datasette's habit): name a paragraph's value, and say how its values are
ordered: grades on their scale, years ascending, names by count.
The facet names are the filter fields that count (search/filters.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from evsearch.search.filters import FACETS as FACET_NAMES
from evsearch.search.filters import parse_names
from evsearch.vocab.grades import label_for


@dataclass(frozen=True)
class Facet:
    name: str  # a filter field's name: facets=grade,la,year,framework
    value_of: Callable[[dict[str, Any], dict[str, Any]], Any]  # (paragraph facets record, report record) -> value
    label_of: Callable[[Any], str] = str
    scale: bool = False  # values in their own order (grade 1..4, years ascending), not by count


def year_of(report: dict[str, Any]) -> int | None:
    """A report's year: inspected, else published (the ``year`` every face shows)."""
    return report.get("inspection_year") or report.get("published_year")


FACETS: dict[str, Facet] = {
    facet.name: facet
    for facet in (
        Facet("grade", lambda p, r: p["grade"], lambda g: f"{g} {label_for(g)}", scale=True),
        Facet("la", lambda p, r: r.get("local_authority")),
        Facet("year", lambda p, r: year_of(r), scale=True),
        Facet("framework", lambda p, r: r.get("framework")),
    )
}


def parse_facets(value: str | Sequence[str] | None) -> list[str]:
    """'grade,la' (or a list) -> ['grade', 'la']; an unknown name is an InputError listing the valid ones."""
    return list(parse_names(value, FACET_NAMES, "facet"))


def _order(facet: Facet, item: tuple[Any, int]) -> tuple:
    value, count = item
    if facet.scale:
        return (value is None, value if value is not None else 0)
    return (-count, value is None, str(value))


def facet_counts(
    pool_ids: Iterable[int], index: Any, reports: dict[str, dict[str, Any]], names: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """``{facet: [{"value", "label", "count"}, ...]}`` over the paragraphs ``pool_ids``.

    ``index`` is the store's ``Index`` (its cheap ``paragraph_facets`` read), ``reports``
    the report records by id. Paragraphs with no value for a facet (an ungraded
    paragraph) are counted under ``value: null``, last.
    """
    ids = [int(i) for i in pool_ids]
    records = index.paragraph_facets(ids) if ids and names else []
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        facet = FACETS[name]
        tally = Counter(facet.value_of(p, reports.get(p["report_id"], {})) for p in records)
        ordered = sorted(tally.items(), key=lambda item: _order(facet, item))
        out[name] = [
            {"value": value, "label": "none" if value is None else facet.label_of(value), "count": count}
            for value, count in ordered
        ]
    return out
