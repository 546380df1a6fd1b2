"""Paragraph filter columns held in numpy, so ``ids_where`` is a few mask operations.

WHY: the SQL filters (schema.PARAGRAPH_FILTERS) read every paragraph and, for
sections, walk each paragraph's JSON section path: 60-180 ms per new filter
on the 35k-paragraph corpus. A published generation never changes, so the
columns a filter reads are loaded once (one pass, ~0.1 s) and each filter is
evaluated over the DISTINCT values of its column (a few hundred strings),
then mapped to paragraphs with ``np.isin`` on integer codes (< 1 ms).

Semantics match the SQL exactly: values within a filter are ORed, filters
ANDed; text filters are case-insensitive substring tests with SQLite's
ASCII-only ``lower()``; grade/year/report comparisons are exact; NULL never
matches an IN list.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import numpy as np

from evsearch.store.base import FacetsRow
from evsearch.store.filters import COLUMNS, Filters

_PARAGRAPHS = "SELECT id, report_id, grade, kind, part, section, section_path FROM paragraphs ORDER BY id"
_PARAGRAPHS_OF = (
    "SELECT id, report_id, grade, kind, part, section, section_path FROM paragraphs "
    "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
)
_REPORTS = "SELECT report_id, local_authority, inspection_year, published_year, framework FROM reports"


class ReportMeta(NamedTuple):
    """What a paragraph filter reads from its report."""

    la: str | None
    inspection_year: int | None
    published_year: int | None
    framework: str | None


# A coded column: per-row integer codes and the distinct values they index.
Coded = tuple[np.ndarray, list[Any]]
CODED_COLUMNS = 5  # grade, report, kind, part, section: ParagraphColumns._coded()


def _codes(values: list[Any]) -> Coded:
    """Integer codes of ``values`` and the distinct values, in first-seen order."""
    index: dict[Any, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values))
    return codes, list(index)


def _remap(pieces: list[tuple[Coded, np.ndarray]], order: np.ndarray) -> Coded:
    """One coded column from segments' (column, live-row mask) pieces: codes remapped to one value list,
    rows put in ``order``."""
    index: dict[Any, int] = {}
    mapped = []
    for (codes, values), live in pieces:
        lookup = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values))
        mapped.append(lookup[codes[live]] if len(values) else np.zeros(0, dtype=np.int32))
    return (np.concatenate(mapped)[order] if mapped else np.zeros(0, dtype=np.int32)), list(index)


class ParagraphColumns:
    """Per-paragraph codes for every filter ``Index.ids_where`` accepts."""

    def __init__(self, db: Any, ids: np.ndarray | None = None) -> None:
        """Columns of every paragraph, or of the paragraphs ``ids`` (one segment's rows)."""
        rows = db.rows_sql(_PARAGRAPHS) if ids is None else db.rows_sql(_PARAGRAPHS_OF, (json.dumps(ids.tolist()),))
        self.ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.grade = np.fromiter((-(2**31) if r[2] is None else r[2] for r in rows), dtype=np.int64, count=len(rows))
        self._set_coded([_codes([r[2] for r in rows]), _codes([r[1] for r in rows]), _codes([r[3] for r in rows]),
                         _codes([r[4] for r in rows]), _codes([(r[5], r[6]) for r in rows])])  # fmt: skip
        self._read_reports(db)

    def _coded(self) -> list[Coded]:
        """The (codes, distinct values) columns, in the one order ``_set_coded`` takes them."""
        return [(self.grade_code, self.grade_values), (self.report, self.report_values), (self.kind, self.kind_values),
                (self.part, self.part_values), (self.section, self.section_values)]  # fmt: skip

    def _set_coded(self, coded: list[Coded]) -> None:
        (
            (self.grade_code, self.grade_values), (self.report, self.report_values), (self.kind, self.kind_values),
            (self.part, self.part_values), (self.section, self.section_values),
        ) = coded  # fmt: skip

    def _read_reports(self, db: Any) -> None:
        reports = {r[0]: ReportMeta(r[1], r[2], r[3], r[4]) for r in db.rows_sql(_REPORTS)}
        self.report_meta = [reports.get(rid, ReportMeta(None, None, None, None)) for rid in self.report_values]

    @classmethod
    def combine(cls, parts: list[tuple["ParagraphColumns", np.ndarray]], db: Any) -> "ParagraphColumns":
        """The columns of a segmented generation: each segment's (cached) columns restricted to its
        live rows (``parts``: columns, row mask), codes remapped to one value list per column;
        report facts are read from ``db`` (a few hundred rows)."""
        out = cls.__new__(cls)
        ids = np.concatenate([c.ids[m] for c, m in parts]) if parts else np.zeros(0, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        out.ids = ids[order]
        out.grade = np.concatenate([c.grade[m] for c, m in parts])[order] if parts else np.zeros(0, dtype=np.int64)
        masks = [m for _, m in parts]
        by_column = zip(*(c._coded() for c, _ in parts)) if parts else [()] * CODED_COLUMNS
        out._set_coded([_remap(list(zip(column, masks)), order) for column in by_column])
        out._read_reports(db)
        return out

    def facets(self, ids: list[int]) -> list[FacetsRow]:
        """Light records (id, report_id, section, grade, kind) of ``ids`` in that order, unknown ids
        skipped: what ranking boosts read, without fetching and decoding whole paragraphs."""
        if not ids:
            return []
        want = np.asarray(ids, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.ids, want), len(self.ids) - 1)
        out = []
        for pid, p, ok in zip(ids, pos.tolist(), (self.ids[pos] == want).tolist()):
            if not ok:
                continue
            grade = int(self.grade[p])
            out.append(FacetsRow(**{
                "id": int(pid), "report_id": self.report_values[self.report[p]],
                "section": self.section_values[self.section[p]][0],
                "grade": None if grade == -(2**31) else grade, "kind": self.kind_values[self.kind[p]],
            }))  # fmt: skip
        return out

    def select(self, codes: np.ndarray, wanted: list[bool]) -> np.ndarray:
        """Rows whose code is wanted: one gather through a lookup table (np.isin sorts: ~10x slower at 1M)."""
        return np.asarray(wanted, dtype=bool)[codes] if len(wanted) else np.zeros(len(codes), dtype=bool)

    def ids_where(self, filters: Filters | None = None, **given: Any) -> np.ndarray | None:
        """Same contract as ``Index.ids_where`` (sorted ids; None when no filter is given)."""
        spec = (filters or Filters()).and_(Filters.of(**given))
        if not spec:
            return None
        mask = np.ones(len(self.ids), dtype=bool)
        for name, values in spec.active():
            mask &= COLUMNS[name].mask(self, values)
        return self.ids[mask]
