"""``Index``: the read side of the orchestrator over SQLite, FTS5 BM25 and vectors.

Open once, share between threads. Opening reads ``CURRENT`` once and pins
that generation, so a concurrent ``evsearch index`` never changes what an
open ``Index`` sees; reopen (or call ``reload``) to see a newer build.
Writing lives in ``writer.py`` (``IndexWriter``), used by ``indexer.build``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from evsearch import config
from evsearch.errors import IndexBusyError, IndexMismatchError, IndexNotFoundError, NotFoundError
from evsearch.store import generations, manifest as manifest_mod, schema, vectors as vector_backends
from evsearch.store.database import Database
from evsearch.store.fts import fts_escape
from evsearch.store.rows import as_dict, paragraph_dict
from evsearch.store.vectors import VectorStore

__all__ = ["Index", "fts_escape"]

_OPEN_ATTEMPTS = 20


def _ids_param(ids: Iterable[int]) -> str:
    return json.dumps([int(i) for i in ids])


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so json and sqlite3 accept them."""
    return value.item() if hasattr(value, "item") else value


def _list_param(values: Iterable[Any] | Any) -> str:
    if isinstance(values, (str, int)) or hasattr(values, "item") and not hasattr(values, "__len__"):
        values = [values]
    return json.dumps([_plain(v) for v in values])


class Index:
    """One pinned generation of an index directory, read-only."""

    def __init__(self, index_dir: Path, gen_dir: Path, pin_fd: int | None, manifest: dict[str, Any]) -> None:
        self.index_dir = index_dir
        self.gen_dir = gen_dir
        self.manifest = manifest
        self._pin = pin_fd
        self._embedder = None
        self._embedder_lock = threading.Lock()
        self._memory: Any = None  # in-memory search structures, set by use_memory_indexes()
        self.db = Database(gen_dir / manifest["files"]["sqlite"])
        try:
            if manifest["ann"] in ("flat", "hnsw"):
                from evsearch.store.faiss_vectors import use_search_threads

                use_search_threads(int(config.get("threads")) or 1)
            self.store: VectorStore = vector_backends.load(
                manifest["ann"], gen_dir / manifest["files"]["vectors"], int(manifest["dimension"])
            )
        except BaseException:
            self.db.close()
            raise

    # -- lifecycle
    @classmethod
    def open(cls, index_dir: str | Path | None = None, *, model: str | None = None) -> "Index":
        index_dir = Path(index_dir or config.get("index"))
        for _ in range(_OPEN_ATTEMPTS):
            name = generations.read_current(index_dir)
            if name is None:
                raise IndexNotFoundError(
                    f"no index at {index_dir}", hint=f"build one with `evsearch index PATH --index {index_dir}`"
                )
            gen_dir = index_dir / name
            fd = generations.pin(gen_dir)
            if fd is None:
                continue  # a writer just replaced and removed it: read CURRENT again
            try:
                found = manifest_mod.read(gen_dir)
                manifest_mod.check_schema(found, index_dir)
                manifest_mod.check_model(found, index_dir, model)
                return cls(index_dir, gen_dir, fd, found)
            except BaseException:
                generations.unpin(fd)
                raise
        raise IndexBusyError(f"index {index_dir} kept changing while opening it", hint="try again")

    def reload(self) -> "Index":
        """A new ``Index`` on the current generation (the caller closes this one)."""
        return Index.open(self.index_dir, model=self.manifest["model"])

    @property
    def generation(self) -> str:
        return self.gen_dir.name

    def is_stale(self) -> bool:
        """True when a newer generation has been published since this one was opened."""
        return generations.read_current(self.index_dir) != self.gen_dir.name

    def close(self) -> None:
        self.db.close()
        generations.unpin(self._pin)
        self._pin = None

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embedder(self):
        """The model that built the vectors, loaded on first use (queries must use the same one)."""
        with self._embedder_lock:
            if self._embedder is None:
                from evsearch.models.embedder import load_embedder

                embedder = load_embedder(self.manifest["model"])
                built_with = self.manifest.get("model_fingerprint")
                if built_with and embedder.fingerprint != built_with:
                    raise IndexMismatchError(
                        f"index {self.index_dir} was built by model {self.manifest['model']!r} with weights "
                        f"{built_with}; the installed weights are {embedder.fingerprint}",
                        hint=manifest_mod.rebuild_hint(self.index_dir, self.manifest["model"]),
                    )
                self._embedder = embedder
            return self._embedder

    # -- counts
    @property
    def paragraph_count(self) -> int:
        return int(self.db.scalar("count_paragraphs"))

    def stats(self) -> dict[str, Any]:
        size = sum(p.stat().st_size for p in self.gen_dir.iterdir() if p.is_file())
        return {
            "index_dir": str(self.index_dir),
            "generation": self.generation,
            "reports": int(self.db.scalar("count_reports")),
            "paragraphs": self.paragraph_count,
            "judgements": int(self.db.scalar("count_judgements")),
            "vectors": len(self.store),
            "fts_rows": int(self.db.scalar("count_fts_docs")),
            "model": self.manifest["model"],
            "dimension": self.manifest["dimension"],
            "ann": self.manifest["ann"],
            "embedding_text": self.manifest["embedding_text"],
            "built_at": self.manifest["built_at"],
            "size_bytes": size,
        }

    def use_memory_indexes(self, cache_dir: Path | None = None) -> None:
        """Load the derived in-memory search structures (BM25 matrix, filter columns, SQ8
        shortlist; memory_indexes.py). Same results as the SQL/FAISS paths, a fraction of the time."""
        from evsearch.store.memory_indexes import MemoryIndexes

        self._memory = MemoryIndexes.load(self.db, self.store, cache_dir)

    @property
    def cheap_bm25_filter(self) -> bool:
        """True when BM25 restricted to any candidate set costs no more than unrestricted BM25."""
        return self._memory is not None

    # -- retrieval
    def search_dense(
        self, vector: np.ndarray, k: int, candidate_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        if self._memory is not None and self._memory.dense is not None:
            return self._memory.dense.search(np.asarray(vector, dtype=np.float32), k, candidate_ids)
        return self.store.search(np.asarray(vector, dtype=np.float32), k, candidate_ids)

    def search_bm25(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """BM25 over paragraph text; higher is better. ``fts_query`` must already be a safe MATCH expression."""
        if not fts_query or not fts_query.strip() or k <= 0:
            return []
        if self._memory is not None and self._memory.can_bm25(fts_query):
            return self._memory.bm25.search(fts_query, k, candidate_ids)
        if candidate_ids is None:
            rows = self.db.rows("bm25", (fts_query, int(k)))
        else:
            if len(candidate_ids) == 0:
                return []
            rows = self.db.rows("bm25_within", (fts_query, _ids_param(candidate_ids), int(k)))
        return [(int(r[0]), float(r[1])) for r in rows]

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        ids = np.asarray(list(ids), dtype=np.int64)
        try:
            return self.store.vectors(ids)
        except KeyError as exc:
            raise NotFoundError(f"no paragraph with id {exc.args[0]} in {self.index_dir}") from exc

    def ids_where(
        self,
        grades: Iterable[int] | None = None,
        report_ids: Iterable[str] | None = None,
        sections: Iterable[str] | None = None,
        parts: Iterable[str] | None = None,
        local_authorities: Iterable[str] | None = None,
        years: Iterable[int] | None = None,
        kinds: Iterable[str] | None = None,
    ) -> np.ndarray | None:
        """Paragraph ids passing every given filter (values within a filter are ORed); None when no filter."""
        given = {
            "grades": grades, "report_ids": report_ids, "sections": sections, "parts": parts,
            "local_authorities": local_authorities, "years": years, "kinds": kinds,
        }  # fmt: skip
        active = {name: _list_param(value) for name, value in given.items() if value is not None}
        if not active:
            return None
        if self._memory is not None:
            return self._memory.columns.ids_where(**{name: json.loads(value) for name, value in active.items()})
        sql = schema.compose(schema.PARAGRAPH_IDS_WHERE, schema.PARAGRAPH_FILTERS, list(active))
        rows = self.db.rows_sql(sql, active)
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    # -- records
    def paragraphs(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        """Paragraph records in the order of ``ids`` (unknown ids are skipped)."""
        ids = [int(i) for i in ids]
        if not ids:
            return []
        if self._memory is not None:
            return self._memory.records.get(ids, self._paragraphs_by_id)
        found = self._paragraphs_by_id(ids)
        return [found[i] for i in ids if i in found]

    def paragraph_facets(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        """Like ``paragraphs`` but only id, report_id, section, grade and kind (from memory when loaded)."""
        ids = [int(i) for i in ids]
        if self._memory is not None:
            return self._memory.columns.facets(ids)
        return self.paragraphs(ids)

    def _paragraphs_by_id(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        return {r["id"]: paragraph_dict(r) for r in self.db.rows("paragraphs_by_ids", (_ids_param(ids),))}

    def paragraph(self, report_id: str, number: int) -> dict[str, Any]:
        row = self.db.row("paragraph_by_number", (report_id, int(number)))
        if row is None:
            raise NotFoundError(f"no paragraph {number} in report {report_id!r}")
        return paragraph_dict(row)

    def report(self, report_id: str) -> dict[str, Any]:
        row = self.db.row("report_by_id", (report_id,))
        if row is None:
            raise NotFoundError(f"no report {report_id!r} in {self.index_dir}")
        out = as_dict(row)
        out["judgements"] = [as_dict(r) for r in self.db.rows("judgements_of_report", (report_id,))]
        return out

    def reports(
        self, local_authority: str | None = None, year: int | None = None, framework: str | None = None
    ) -> list[dict[str, Any]]:
        params = {"local_authority": local_authority, "year": year, "framework": framework}
        active = {k: _plain(v) for k, v in params.items() if v is not None}
        sql = schema.compose(schema.REPORTS_WHERE, schema.REPORT_FILTERS, list(active))
        return [as_dict(r) for r in self.db.rows_sql(sql, active)]

    def judgements(
        self,
        grade: int | None = None,
        title: str | None = None,
        local_authority: str | None = None,
        report_id: str | None = None,
    ) -> list[dict[str, Any]]:
        params = {"grade": grade, "title": title, "local_authority": local_authority, "report_id": report_id}
        active = {k: _plain(v) for k, v in params.items() if v is not None}
        sql = schema.compose(schema.JUDGEMENTS_WHERE, schema.JUDGEMENT_FILTERS, list(active))
        return [as_dict(r) for r in self.db.rows_sql(sql, active)]

    def judgement(self, judgement_id: int) -> dict[str, Any]:
        row = self.db.row("judgement_by_id", (int(judgement_id),))
        if row is None:
            raise NotFoundError(f"no judgement {judgement_id} in {self.index_dir}")
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
