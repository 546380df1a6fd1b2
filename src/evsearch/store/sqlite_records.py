"""Record store backends over the generation's SQLite file.

* ``sqlite``: every read is a named SQL statement (schema.py): the source of truth.
* ``columns``: the same answers with filters over numpy columns (columns.py) and
  a record cache (record_cache.py): a published generation never changes, so
  what it reads once is kept (ids_where ~1 ms instead of 60-180 ms).

Reports, judgements and vocabularies are small and read through SQL by both.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

import numpy as np

from evsearch.errors import NotFoundError
from evsearch.store import schema
from evsearch.store.base import FacetsRow, Filters, Generation, JudgementFilter, ParagraphRecord, RecordStore
from evsearch.store.columns import ParagraphColumns
from evsearch.store.filters import plain
from evsearch.store.record_cache import RecordCache
from evsearch.store.rows import as_dict, paragraph_dict, report_dict


class SqliteRecords(RecordStore):
    kind = "sqlite"

    def __init__(self, db: Any, where: str = "") -> None:
        self.db = db
        self.where = where  # the index directory, for messages

    @classmethod
    def open(cls, gen: Generation) -> "SqliteRecords":
        return cls(gen.db, str(gen.gen_dir.parent))

    def close(self) -> None:
        pass  # the Index owns the Database

    # -- paragraphs
    def ids_where(self, filters: Filters) -> np.ndarray:
        sql, params = schema.where_clauses([(name, json.dumps(list(values))) for name, values in filters.active()])
        rows = self.db.rows_sql(sql, params)
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def paragraphs(self, ids: list[int]) -> list[ParagraphRecord]:
        found = self.by_id(ids)
        return [found[i] for i in ids if i in found]

    def facets(self, ids: list[int]) -> list[FacetsRow]:
        return list(self.paragraphs(ids))

    def by_id(self, ids: list[int]) -> dict[int, ParagraphRecord]:
        rows = self.db.rows("paragraphs_by_ids", (json.dumps([int(i) for i in ids]),))
        return {r["id"]: paragraph_dict(r) for r in rows}

    def paragraph(self, report_id: str, number: int) -> ParagraphRecord:
        row = self.db.row("paragraph_by_number", (report_id, int(number)))
        if row is None:
            raise NotFoundError(f"no paragraph {number} in report {report_id!r}")
        return paragraph_dict(row)

    def texts(self, kinds: Iterable[str]) -> list[str]:
        """Text of every paragraph of these kinds (derived structures read the whole corpus)."""
        return [r[0] for r in self.db.rows("paragraph_texts_of_kinds", (json.dumps(list(kinds)),))]

    # -- reports and judgements
    def report(self, report_id: str) -> dict[str, Any]:
        row = self.db.row("report_by_id", (report_id,))
        if row is None:
            raise NotFoundError(f"no report {report_id!r} in {self.where}")
        out = report_dict(row)
        out["judgements"] = [as_dict(r) for r in self.db.rows("judgements_of_report", (report_id,))]
        return out

    def reports(
        self, *, local_authority: str | None = None, year: int | None = None, framework: str | None = None
    ) -> list[dict[str, Any]]:
        given = dict(local_authority=local_authority, year=year, framework=framework)
        active = {k: plain(v) for k, v in given.items() if v is not None}
        sql = schema.compose(schema.REPORTS_WHERE, schema.REPORT_FILTERS, list(active))
        return [report_dict(r) for r in self.db.rows_sql(sql, active)]

    def judgements(self, where: JudgementFilter) -> list[dict[str, Any]]:
        active = {k: v if k == "title" else json.dumps(list(v)) for k, v in where.active().items()}
        sql = schema.compose(schema.JUDGEMENTS_WHERE, schema.JUDGEMENT_FILTERS, list(active))
        return [as_dict(r) for r in self.db.rows_sql(sql, active)]

    def judgement(self, judgement_id: int) -> dict[str, Any]:
        row = self.db.row("judgement_by_id", (int(judgement_id),))
        if row is None:
            raise NotFoundError(f"no judgement {judgement_id} in {self.where}")
        return as_dict(row)

    def vocabulary(self) -> dict[str, list]:
        """Distinct values that query understanding matches user words against."""

        def column(name: str) -> list:
            return [r[0] for r in self.db.rows(name)]

        return {
            "local_authorities": column("vocab_local_authorities"),
            "years": column("vocab_years"),
            "sections": column("vocab_sections"),
            "parts": column("vocab_parts"),
            "judgement_titles": column("vocab_judgement_titles"),
            "frameworks": column("vocab_frameworks"),
            "kinds": column("vocab_kinds"),
        }

    def count(self, what: str) -> int:
        return int(self.db.scalar(f"count_{what}"))


class ColumnRecords(SqliteRecords):
    kind = "columns"

    def __init__(self, db: Any, where: str = "", columns: ParagraphColumns | None = None) -> None:
        super().__init__(db, where)
        self.columns = columns if columns is not None else ParagraphColumns(db)
        self.cache = RecordCache()

    def ids_where(self, filters: Filters) -> np.ndarray:
        found = self.columns.ids_where(filters)
        return np.zeros(0, dtype=np.int64) if found is None else found

    def paragraphs(self, ids: list[int]) -> list[ParagraphRecord]:
        return self.cache.get(ids, self.by_id)

    def facets(self, ids: list[int]) -> list[FacetsRow]:
        return self.columns.facets(ids)
