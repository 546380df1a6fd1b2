"""``Index``: the read side of the orchestrator over a record store, a keyword index and a vector index.

Open once, share between threads. Opening reads ``CURRENT`` once and pins
that generation, so a concurrent ``evsearch index`` never changes what an
open ``Index`` sees; reopen (or call ``reload``) to see a newer build. Each
concern is a backend the manifest names (factory.py); the 'memory_indexes'
setting picks, for every concern, the derived in-memory structures built
into the generation or the SQLite/FAISS sources of truth (same answers).
Writing lives in ``writer.py`` (``IndexWriter``), used by ``indexer.build``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from evsearch import config
from evsearch.errors import IndexBusyError, IndexCorruptError, IndexMismatchError, IndexNotFoundError, NotFoundError
from evsearch.store import factory, generations, manifest as manifest_mod
from evsearch.store.base import (
    Candidates, FacetsRow, Filters, Generation, JudgementFilter, KeywordIndex, ParagraphRecord, RecordStore,
    VectorIndex,
)  # fmt: skip
from evsearch.store.database import Database

__all__ = ["Index"]

_OPEN_ATTEMPTS = 20


def _tidy(index_dir: Path, current: str | None, manifest: dict[str, Any] | None) -> None:
    """Delete retired generations no reader pins and segments no generation names: when a reader
    unpins a retired generation (``current`` None), and at open when a crash or an old reader left
    some. Skipped while a write runs (it tidies when it publishes) or when the folder is read-only."""
    from evsearch.store import merge

    try:
        if current is None or manifest is None or merge.untidy(index_dir, current, manifest):
            merge.tidy(index_dir)
    except OSError:
        pass


class Index:
    """One pinned generation of an index directory, read-only."""

    def __init__(self, index_dir: Path, gen_dir: Path, pin_fd: int | None, manifest: dict[str, Any]) -> None:
        self.index_dir = index_dir
        self.gen_dir = gen_dir
        self.manifest = manifest
        self._pin = pin_fd
        self._embedder = None
        self._embedder_lock = threading.Lock()
        self.db = Database(gen_dir / manifest["files"]["sqlite"])
        self._lexicon: dict[str, Any] | None = None
        try:
            fast = bool(config.get("memory_indexes"))
            gen = self._gen = Generation(gen_dir, manifest, self.db, fast)
            readers = manifest["readers"] if fast else {**manifest["readers"], **factory.PLAIN_READERS}
            if manifest["ann"] in factory.FAISS_ANN:
                from evsearch.store.faiss_vectors import use_search_threads

                use_search_threads(int(config.get("threads")) or 1)
            self.records: RecordStore = factory.record_class(readers["records"]).open(gen)
            self.keyword: KeywordIndex = factory.keyword_class(readers["keyword"]).open(gen)
            self.dense: VectorIndex = factory.vector_class(readers.get("vectors", manifest["ann"])).open(gen)
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
                opened = cls(index_dir, gen_dir, fd, found)
            except BaseException:
                generations.unpin(fd)
                raise
            _tidy(index_dir, name, found)
            return opened
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
        generations.unpin(self._pin)
        try:
            if self._pin is not None and self.is_stale():  # retired: delete it now that it is unpinned
                # before the backends close: a backend's own clean-up (the collections of the index's
                # Milvus Lite file) uses the connection this reader still holds
                _tidy(self.index_dir, None, None)
        finally:
            self._pin = None
            self.keyword.close()
            self.dense.close()
            self.records.close()
            self.db.close()

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
        return self.records.count("paragraphs")

    def stats(self) -> dict[str, Any]:
        folders = [self.gen_dir] + [self.index_dir / e["name"] for e in self.manifest.get("segments", [])]
        size = sum(p.stat().st_size for folder in folders for p in folder.iterdir() if p.is_file())
        return {
            "index_dir": str(self.index_dir),
            "generation": self.generation,
            "reports": self.records.count("reports"),
            "paragraphs": self.paragraph_count,
            "judgements": self.records.count("judgements"),
            "vectors": len(self.dense),
            "fts_rows": self.records.count("fts_docs"),
            "model": self.manifest["model"],
            "dimension": self.manifest["dimension"],
            "backend": self.manifest["backend"],
            "ann": self.manifest["ann"],
            "keyword": self.keyword.kind,
            "embedding_text": self.manifest["embedding_text"],
            "built_at": self.manifest["built_at"],
            "segments": len(self.manifest.get("segments", [])),
            "size_bytes": size,
        }

    @property
    def cheap_bm25_filter(self) -> bool:
        """True when BM25 restricted to any candidate set costs no more than unrestricted BM25."""
        return self.keyword.cheap_filter

    def lexicon(self) -> dict[str, Any]:
        """The corpus lexicon built into this generation: {"acronyms": {ACR: long form}, "common": [words]}."""
        if self._lexicon is None and self._gen.segmented:
            from evsearch.store.segment_readers import lexicon_of

            self._lexicon = lexicon_of(self._gen)
        if self._lexicon is None:
            path = self._gen.derived("lexicon")
            if path is None:
                raise IndexCorruptError(f"{self.gen_dir} has no lexicon (manifest 'derived' lacks 'lexicon')")
            self._lexicon = json.loads(path.read_text(encoding="utf-8"))
        return self._lexicon

    # -- retrieval
    def search_dense(
        self, vector: np.ndarray, k: int, candidate_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        return self.dense.search(np.asarray(vector, dtype=np.float32), k, candidate_ids)

    def search_bm25(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """BM25 over paragraph text; higher is better. ``fts_query`` must already be a safe MATCH expression."""
        if not fts_query or not fts_query.strip() or k <= 0:
            return []
        return self.keyword.search(fts_query, k, candidate_ids)

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        ids = np.asarray(list(ids), dtype=np.int64)
        try:
            return self.dense.vectors(ids)
        except KeyError as exc:
            raise NotFoundError(f"no paragraph with id {exc.args[0]} in {self.index_dir}") from exc

    def ids_where(self, filters: Filters | None = None, **given: Iterable[Any] | Any | None) -> Candidates | None:
        """Paragraph ids passing every clause (values within one are ORed); None when no filter.

        ``given`` names store columns (store/filters.py: grades, report_ids, sections, parts,
        local_authorities, years, kinds, frameworks), one clause each. The ids carry the
        filter (``Candidates``), so a backend that filters inside its own retrieval (Milvus)
        applies it there."""
        spec = (filters or Filters()).and_(Filters.of(**given))
        if not spec:
            return None
        return Candidates.of(self.records.ids_where(spec), spec)

    # -- records
    def paragraphs(self, ids: Iterable[int]) -> list[ParagraphRecord]:
        """Paragraph records in the order of ``ids`` (unknown ids are skipped)."""
        ids = [int(i) for i in ids]
        return self.records.paragraphs(ids) if ids else []

    def paragraph_facets(self, ids: Iterable[int]) -> list[FacetsRow]:
        """Like ``paragraphs`` but at least id, report_id, section, grade and kind (cheaper when in memory)."""
        ids = [int(i) for i in ids]
        return self.records.facets(ids) if ids else []

    def paragraph(self, report_id: str, number: int) -> ParagraphRecord:
        return self.records.paragraph(report_id, number)

    def report(self, report_id: str) -> dict[str, Any]:
        return self.records.report(report_id)

    def reports(
        self, local_authority: str | None = None, year: int | None = None, framework: str | None = None
    ) -> list[dict[str, Any]]:
        return self.records.reports(local_authority=local_authority, year=year, framework=framework)

    def judgements(self, where: JudgementFilter | None = None, **given: Any) -> list[dict[str, Any]]:
        """Judgements passing ``where`` or the same filters as keywords (JudgementFilter's fields, one
        value or several)."""
        return self.records.judgements(where or JudgementFilter.of(**given))

    def judgement(self, judgement_id: int) -> dict[str, Any]:
        return self.records.judgement(judgement_id)

    def vocabulary(self) -> dict[str, list]:
        """Distinct values that query understanding matches user words against."""
        return self.records.vocabulary()
