"""The paragraph filter, written once per column: how SQL, numpy columns and Milvus each apply it.

WHY one table (Datasette's ``filters.py`` habit): a filter used to be spelled out
in the SQL fragments, the numpy masks and the Milvus expression separately, so
adding a column (framework) meant three edits that could drift. Each ``Column``
here names its SQL fragment (the text itself stays in schema.PARAGRAPH_FILTERS,
where all SQL lives), its numpy mask over ``ParagraphColumns`` and its Milvus
expression; tests/store/test_backends.py checks all three give the same ids.

What users type (aliases, grade words, authority spellings, soft filters read
from a query) is the search layer's table, search/filters.py, which names one
of these columns per field.

Semantics, identical on every path: values within a clause are ORed, clauses
ANDed (one column may carry two clauses: a section and a theme's sections);
text filters are case-insensitive substring tests with SQLite's ASCII-only
``lower()``; grade, year, report, kind and framework comparisons are exact;
NULL never matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from numbers import Integral
from typing import Any, Protocol

import numpy as np

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_UNSAFE_LIKE = re.compile(r'[%_"\\\n]')  # characters a Milvus LIKE pattern would read as syntax


def lower(text: str | None) -> str:
    """SQLite's ``lower()``: ASCII letters only, so every path folds case the same way."""
    return (text or "").translate(_ASCII_LOWER)


def plain(value: Any) -> Any:
    """A numpy scalar as the Python scalar (json and sqlite3 take only those)."""
    return value.item() if isinstance(value, np.generic) else value


def as_values(value: Iterable[Any] | Any) -> tuple:
    """One value or many (a list, tuple or numpy array) -> a tuple of plain Python values."""
    if isinstance(value, (str, bytes, Integral, np.generic)):
        value = [value]
    return tuple(plain(v) for v in value)


def _ints(values: tuple) -> list[int]:
    return [int(v) for v in values if isinstance(v, Integral) and not isinstance(v, bool)]


def _milvus_list(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _milvus_like(field: str) -> Callable[[tuple], str | None]:
    def expression(values: tuple) -> str | None:
        words = [lower(str(v)) for v in values]
        if any(_UNSAFE_LIKE.search(w) for w in words):
            return None  # the caller passes the ids instead
        return "(" + " or ".join(f'{field} like "%{w}%"' for w in words) + ")"

    return expression


class ReportFacts(Protocol):
    la: str | None
    inspection_year: int | None
    published_year: int | None
    framework: str | None


class ParagraphColumns(Protocol):
    """What a mask reads: per-paragraph integer codes and each code's value (store/columns.py)."""

    grade_code: np.ndarray
    grade_values: list[int | None]
    report: np.ndarray
    report_values: list[str]
    report_meta: list[ReportFacts]  # by report code
    kind: np.ndarray
    kind_values: list[str]
    part: np.ndarray
    part_values: list[str | None]
    section: np.ndarray
    section_values: list[tuple[str | None, str | None]]  # (section, section_path JSON)

    def select(self, codes: np.ndarray, wanted: list[bool]) -> np.ndarray: ...


def _mask_grades(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    wanted = set(_ints(values))
    return cols.select(cols.grade_code, [g is not None and g in wanted for g in cols.grade_values])


def _mask_reports(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    wanted = set(values)
    return cols.select(cols.report, [rid in wanted for rid in cols.report_values])


def _mask_kinds(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    wanted = set(values)
    return cols.select(cols.kind, [k in wanted for k in cols.kind_values])


def _mask_parts(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    words = [lower(str(v)) for v in values]
    return cols.select(cols.part, [any(w in lower(p) for w in words) for p in cols.part_values])


def _mask_sections(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    words = [lower(str(v)) for v in values]
    return cols.select(cols.section, [_section_match(s, path, words) for s, path in cols.section_values])


def _mask_authorities(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    names = {lower(str(v)) for v in values}
    return cols.select(cols.report, [m.la is not None and lower(m.la) in names for m in cols.report_meta])


def _mask_years(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    years = set(_ints(values))
    return cols.select(cols.report, [m.inspection_year in years or m.published_year in years for m in cols.report_meta])


def _mask_frameworks(cols: ParagraphColumns, values: tuple) -> np.ndarray:
    wanted = {lower(str(v)) for v in values}
    return cols.select(cols.report, [m.framework is not None and lower(m.framework) in wanted for m in cols.report_meta])


def _section_match(section: str | None, path_json: str | None, words: list[str]) -> bool:
    low = lower(section)
    try:
        path = json.loads(path_json or "[]")
    except ValueError:
        path = []
    lowered = [lower(p) for p in path if isinstance(p, str)]
    return any(w in low or any(w in p for p in lowered) for w in words)


def _years_expression(values: tuple) -> str:
    years = _milvus_list(_ints(values))
    return f"(inspection_year in {years} or published_year in {years})"


@dataclass(frozen=True)
class Column:
    """One filterable paragraph column. ``name`` is also its fragment's key in schema.PARAGRAPH_FILTERS."""

    name: str
    mask: Callable[[ParagraphColumns, tuple], np.ndarray]  # rows passing, over ParagraphColumns
    milvus: Callable[[tuple], str | None]  # boolean expression; None: Milvus cannot say it (use the ids)


COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("grades", _mask_grades, lambda v: f"grade in {_milvus_list(_ints(v))}"),
        Column("report_ids", _mask_reports, lambda v: f"report_id in {_milvus_list(str(x) for x in v)}"),
        Column("kinds", _mask_kinds, lambda v: f"kind in {_milvus_list(str(x) for x in v)}"),
        Column("parts", _mask_parts, _milvus_like("part")),
        Column("sections", _mask_sections, _milvus_like("section")),
        Column("local_authorities", _mask_authorities, lambda v: f"la in {_milvus_list(lower(str(x)) for x in v)}"),
        Column("years", _mask_years, _years_expression),
        # the Milvus collection holds no framework field: its searches take the ids
        Column("frameworks", _mask_frameworks, lambda v: None),
    )
}


@dataclass(frozen=True)
class Filters:
    """A paragraph filter: clauses of (column, values), ANDed; hashable, so views cache by it."""

    clauses: tuple[tuple[str, tuple], ...] = ()

    def __post_init__(self) -> None:
        for name, _values in self.clauses:
            if name not in COLUMNS:
                raise KeyError(f"no paragraph filter column {name!r}; known: {', '.join(COLUMNS)}")

    @classmethod
    def of(cls, **given: Iterable[Any] | Any | None) -> "Filters":
        """One clause per given column (``None`` = not filtered): ``Filters.of(grades=[3, 4], years=2019)``."""
        return cls(tuple((name, as_values(value)) for name, value in given.items() if value is not None))

    def and_(self, other: "Filters") -> "Filters":
        return Filters(self.clauses + other.clauses)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def active(self) -> list[tuple[str, tuple]]:
        """The clauses, in order."""
        return list(self.clauses)


__all__ = ["COLUMNS", "Column", "Filters", "as_values", "lower", "plain"]
