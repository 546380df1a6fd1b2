"""The search filters, one row per field: the one contract every face reads.

WHY one table (Datasette's ``filters.py``: each operator once, as key, SQL and
human text): the paragraph filter used to be spelled out in the Engine, the
query options, the plan, every face and contrast, with up to three names per
field. Each ``Field`` here says once what users call it (name and accepted
aliases), how one typed value is read (``parse``), which store column it
filters (store/filters.py holds that column's SQL, numpy mask and Milvus
expression), how it reads back to a person (``phrase``), whether query
understanding may infer it from free text (``soft``: relaxed when it would
leave too few paragraphs), whether it takes a list, and whether search can
group or count by it. The CLI options, the HTTP query parameters, the MCP
arguments and the facet names are all built from ``FIELDS``.

A ``SearchRequest`` is the one typed request the faces build and
``Engine.search`` takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evsearch.errors import InputError
from evsearch.vocab.authorities import parse_la
from evsearch.vocab.grades import label_for, parse_grade

YEAR_MIN, YEAR_MAX = 1990, 2100
KINDS = ("paragraph", "summary", "recommendation", "text")
GROUP_BY = ("report", "year", "la", "grade")  # what ``group_by`` collapses on (each a Field below)
MAX_GROUPS = 20  # groups a grouped search returns at most (report/year/la; grade has four)


def _words(value: Any) -> str:
    text = " ".join(str(value).split())
    if not text:
        raise InputError("an empty filter value")
    return text


def _year(value: Any) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise InputError(f"year must be a year like 2019 ({YEAR_MIN}-{YEAR_MAX}), not {value!r}")
    return int(text)


def _kind(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, not {value!r}")
    return text


def _theme(value: Any) -> str:
    from evsearch.search.themes import get_theme

    return get_theme(str(value)).name


def _framework(value: Any) -> str:
    return _words(value).lower()


def _either(values: Sequence[Any]) -> str:
    return " or ".join(str(v) for v in values)


@dataclass(frozen=True)
class Field:
    """One filter as every face sees it."""

    name: str  # the parameter name on every face, and the key in SearchRequest.filters
    help: str  # one line for --help, /docs and the MCP schema
    parse: Callable[[Any], Any]  # one value as typed -> the typed value (InputError when it is not one)
    phrase: Callable[[Sequence[Any]], str]  # how the values read back: "graded inadequate", "from 2018 or 2022"
    column: str | None  # the store column it filters (store/filters.py); None: the theme's sections
    aliases: tuple[str, ...] = ()  # older or longer names still accepted everywhere
    many: bool = True  # takes a list (values ORed)
    soft: bool = False  # query understanding may infer it; an inferred value is relaxed if it leaves too few
    integer: bool = False  # the typed value is a whole number (HTTP/MCP schemas)
    example: str = ""
    facet: bool = False  # facets=NAME counts hits by it
    # a parsed value -> the index's spelling, given the index's query Vocabulary (None: kept as parsed)
    resolve: Callable[[Any, Any], Any] | None = None


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("grade", "Grade word or number (outstanding, good, adequate, requires improvement, inadequate or 1-4).",
              parse_grade, lambda v: "graded " + _either(label_for(g) for g in v), "grades",
              aliases=("grades",), soft=True, example="inadequate", facet=True),
        Field("la", "Local authority name.", _words, lambda v: "from " + _either(v), "local_authorities",
              aliases=("local_authority", "authority"), soft=True, example="East Sussex", facet=True,
              resolve=lambda name, vocabulary: parse_la(name, vocabulary.local_authorities)),
        Field("year", "Year inspected or published.", _year, lambda v: "in " + _either(v), "years",
              aliases=("years", "inspection_year", "published_year"), soft=True, integer=True, example="2019",
              facet=True),
        Field("framework", "Inspection framework: slac, sif, ilacs, ilacs-2026.", _framework,
              lambda v: "under " + _either(v), "frameworks", example="ilacs", facet=True),
        Field("report", "Report id, as in /reports.", _words, lambda v: "in report " + _either(v), "report_ids",
              aliases=("report_id",), example="east-sussex-2010"),
        Field("section", "Section title, or part of it.", _words, lambda v: "in section " + _either(v), "sections",
              example="Overall effectiveness"),
        Field("theme", "Theme name (GET /healthz lists them), e.g. health.", _theme,
              lambda v: "on " + _either(v), None, many=False, example="health"),
        Field("kind", "Record kind: paragraph, summary, recommendation or text.", _kind,
              lambda v: "of kind " + _either(v), "kinds", example="recommendation"),
    )
}  # fmt: skip
ALIASES: dict[str, str] = {alias: f.name for f in FIELDS.values() for alias in (f.name, *f.aliases)}
FACETS = tuple(name for name, f in FIELDS.items() if f.facet)
SOFT_FIELDS = tuple(name for name, f in FIELDS.items() if f.soft)


def field_named(name: str) -> Field | None:
    """The field a name or alias means (None when it is no filter)."""
    found = ALIASES.get(name.strip().lower())
    return None if found is None else FIELDS[found]


def parse_values(f: Field, raw: Any) -> tuple:
    """One value or a list of them, blank ones dropped, each parsed; () when none is left."""
    items = [raw] if isinstance(raw, (str, int)) else list(raw or ())
    items = [v for v in items if v is not None and str(v).strip()]
    if len(items) > 1 and not f.many:
        raise InputError(f"{f.name} takes one value, not {len(items)}")
    return tuple(dict.fromkeys(f.parse(v) for v in items))


def parse_names(value: str | Sequence[str] | None, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    """'grade,la' (or a list) -> canonical field names from ``allowed``; an unknown one is an InputError."""
    if not value:
        return ()
    names = [n.strip().lower() for part in ([value] if isinstance(value, str) else value) for n in part.split(",")]
    out = []
    for name in dict.fromkeys(n for n in names if n):
        canonical = ALIASES.get(name, name)
        if canonical not in allowed:
            raise InputError(f"unknown {what} {name!r}", hint=f"{what}: " + ", ".join(allowed))
        out.append(canonical)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class SearchRequest:
    """One search, as every face asks for it: ``Engine.search(SearchRequest.of("care leavers", la="Leeds"))``.

    ``filters`` maps field names (FIELDS) to parsed values; an explicit filter is
    hard (it always applies) and overrides what query understanding read."""

    query: str
    k: int = 10
    offset: int = 0
    filters: Mapping[str, tuple] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    group_by: str | None = None
    explain: bool = False  # per-hit explanation of the score (search/rank.py)
    ignore: tuple[str, ...] = ()  # soft fields not to read from the query text (a removed chip)

    @classmethod
    def of(
        cls,
        query: str,
        k: int = 10,
        offset: int = 0,
        *,
        facets: str | Sequence[str] | None = None,
        group_by: str | None = None,
        explain: bool = False,
        ignore: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> "SearchRequest":
        """Keyword arguments as the faces get them: names or aliases, one value or a list, None = unset.

        An unknown name is an InputError naming it and the known ones."""
        parsed: dict[str, tuple] = {}
        for name, raw in filters.items():
            f = field_named(name)
            if f is None:
                known = ", ".join(FIELDS)
                raise InputError(f"unknown filter {name!r}", hint=f"filters: {known}")
            values = parse_values(f, raw)
            if values:
                parsed[f.name] = tuple(dict.fromkeys(parsed.get(f.name, ()) + values))
        groups = parse_names(group_by, GROUP_BY, "group_by")
        if len(groups) > 1:
            raise InputError("group_by takes one field", hint="group_by: " + ", ".join(GROUP_BY))
        return cls(
            query=query, k=k, offset=offset, filters=parsed, facets=parse_names(facets, FACETS, "facet"),
            group_by=groups[0] if groups else None, explain=bool(explain),
            ignore=parse_names(ignore, SOFT_FIELDS, "ignore"),
        )  # fmt: skip

    def with_filter(self, name: str, values: tuple) -> "SearchRequest":
        """The same request with one field's values replaced (a group's search)."""
        return SearchRequest(self.query, self.k, self.offset, {**self.filters, name: values}, self.facets, None,
                             self.explain, self.ignore)  # fmt: skip


__all__ = [
    "ALIASES", "FACETS", "FIELDS", "Field", "GROUP_BY", "SearchRequest", "field_named", "parse_names",
    "parse_values",
]  # fmt: skip
