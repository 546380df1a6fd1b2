"""``IndexWriter``: builds the next generation of an index, then publishes it atomically.

Lifecycle: ``open`` takes the writer lock and reads the live generation; the
first change copies its SQLite file into a new ``gen-N/`` folder (nothing is
copied when a run changes nothing); reports are replaced or deleted inside
one SQLite transaction while the new rows' vectors are added in memory.
``commit`` is two steps. Building (``_build``, with building.py) checks that
vectors, paragraph rows and FTS rows agree and writes and fsyncs the SQLite
file, then either one new segment of the new rows (faiss flat: older segments
are shared by reference, replaced rows tombstoned; segments.py) or the whole
vector file with its derived structures and the vector backend's own copy (a
Milvus collection), then the manifest. Publishing (publishing.py) swaps
CURRENT and deletes what no reader needs. A published generation is complete
and its first search pays for nothing. ``abort`` (or a crash) leaves the live
generation untouched; the next writer deletes the orphaned folders.
"""

from __future__ import annotations

import shutil
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexMismatchError
from evsearch.records import ParsedReport
from evsearch.store import building, derived, factory, generations, publishing, segments
from evsearch.store import manifest as manifest_mod
from evsearch.store.base import VectorIndex
from evsearch.store.database import Database
from evsearch.store.recipes import embedding_text as recipe_text
from evsearch.store.rows import judgement_row, paragraph_row, report_row
from evsearch.store.schema import SCHEMA_VERSION

SQLITE_FILE = "index.sqlite"
VECTORS_FILE = "vectors.faiss"


class IndexWriter:
    def __init__(
        self, index_dir: Path, *, model: str, embedding_text: str, ann: str, rebuild: bool,
        backend: str | None = None, default_backend: str = factory.DEFAULT_PRESET,
        options: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        self.index_dir = index_dir
        self.model = model
        self.recipe = embedding_text
        self.ann = ann
        self.options = dict(options or {})  # backend options (milvus_uri)
        self._stack = ExitStack()
        self._stack.enter_context(generations.writer_lock(index_dir))
        self._started = time.monotonic()
        self.base_name = None if rebuild else generations.read_current(index_dir)
        self.base_manifest: dict[str, Any] | None = None
        self._base_db: Database | None = None
        if self.base_name is not None:
            base_dir = index_dir / self.base_name
            try:
                self.base_manifest = manifest_mod.read(base_dir)
                manifest_mod.check_compatible(
                    self.base_manifest, index_dir, model=model, model_fingerprint=None, dimension=None,
                    embedding_text=embedding_text,
                )  # fmt: skip
                self._base_db = Database(base_dir / SQLITE_FILE)
                built_with = self.base_manifest["backend"]
                if backend is not None and factory.preset(backend).name != built_with:
                    raise IndexMismatchError(
                        f"index {index_dir} uses backend {built_with!r}, not {backend!r}",
                        hint=f"add --rebuild to rebuild it with backend {backend!r}",
                    )
                backend = built_with
                self.options = {**self.base_manifest.get("backend_options", {}), **self.options}
            except BaseException:
                self._stack.close()
                raise
        self.preset = factory.preset(backend or default_backend)
        # a segmented base: the new generation shares its segments and adds one of the new rows only
        self.base_segmented = self.base_manifest is not None and "segments" in self.base_manifest
        self.gen_dir: Path | None = None
        self.db: Database | None = None
        self.store: VectorIndex | None = None
        self._fingerprint: str | None = None
        self._backend: str | None = None
        self._dimension: int | None = None
        self._next_id = 0
        self._removed: list[np.ndarray] = []
        self.changed = False

    @classmethod
    def open(
        cls, index_dir: str | Path, *, model: str, embedding_text: str, ann: str = "auto", rebuild: bool = False,
        backend: str | None = None, default_backend: str = factory.DEFAULT_PRESET,
        options: dict[str, Any] | None = None,
    ) -> "IndexWriter":  # fmt: skip
        """``backend``: a preset of factory.PRESETS (default: the live generation's, else ``default_backend``)."""
        return cls(Path(index_dir), model=model, embedding_text=embedding_text, ann=ann, rebuild=rebuild,
                   backend=backend, default_backend=default_backend, options=options)  # fmt: skip

    # -- what the live generation holds
    def report_hashes(self) -> dict[str, str]:
        db = self.db or self._base_db
        return {} if db is None else {r[0]: r[1] for r in db.rows("report_hashes")}

    def report_paths(self) -> dict[str, str]:
        db = self.db or self._base_db
        return {} if db is None else {r[0]: r[1] for r in db.rows("report_paths")}

    def meta(self, key: str) -> str | None:
        """A value of the index's meta table (None when unset)."""
        db = self.db or self._base_db
        return None if db is None else db.scalar("meta_get", (key,))

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value in the new generation (e.g. the extra paths of duplicate files)."""
        self._begin()
        assert self.db is not None
        self.db.run("meta_set", (key, value))

    def bind_model(self, *, fingerprint: str, dimension: int, backend: str | None) -> None:
        """Record the loaded embedder; refuse it when it would not reproduce the existing vectors."""
        if self.base_manifest is not None:
            manifest_mod.check_compatible(
                self.base_manifest, self.index_dir, model=self.model, model_fingerprint=fingerprint,
                dimension=dimension, embedding_text=self.recipe,
            )  # fmt: skip
        self._fingerprint, self._dimension, self._backend = fingerprint, dimension, backend

    # -- the new generation, created on the first change
    def _begin(self) -> None:
        if self.db is not None:
            return
        if self._dimension is None and self.base_manifest is not None:
            # deleting or moving reports needs no model: keep the live generation's
            self._fingerprint = self.base_manifest.get("model_fingerprint")
            self._dimension = int(self.base_manifest["dimension"])
            self._backend = self.base_manifest.get("model_backend")
        if self._dimension is None:
            raise RuntimeError("bind_model() must be called before the first report is added")
        # the vector backend's own store (the index's Milvus Lite file) is held from here to the end
        # of the write, so a busy one fails before any embedding (the kind is resolved at size 0:
        # only FAISS kinds depend on the size, and they hold nothing)
        vector_class = factory.vector_class(factory.resolve_ann(self.preset, self.ann, 0))
        self._stack.enter_context(vector_class.hold(self.index_dir, self.options))
        self.gen_dir = self.index_dir / generations.gen_name(generations.next_generation(self.index_dir))
        self.gen_dir.mkdir()
        (self.gen_dir / generations.IN_USE).touch()
        target = self.gen_dir / SQLITE_FILE
        if self.base_name is not None:
            base_dir = self.index_dir / self.base_name
            shutil.copyfile(base_dir / SQLITE_FILE, target)
            self.db = Database(target, writable=True)
            if self.base_segmented:
                self.store = factory.create_vectors("flat", self._dimension)
            else:
                self.store = factory.load_vectors(
                    self.base_manifest["stored_as"], base_dir / VECTORS_FILE, int(self.base_manifest["dimension"])
                )
            self._next_id = int(self.db.scalar("max_paragraph_id")) + 1
        else:
            self.db = Database(target, writable=True)
            self.db.create_schema()
            self.db.run("meta_set", ("schema_version", str(SCHEMA_VERSION)))
            self.store = factory.create_vectors("flat", self._dimension)
        self.db.begin()
        self.changed = True
        generations.crash_point("after-begin")

    def replace_report(
        self, parsed: ParsedReport, *, content_hash: str, mtime: float | None, size: int | None
    ) -> list[tuple[int, str]]:
        """Swap in a report's rows; returns (paragraph id, text to embed) for the caller to vectorise."""
        self._begin()
        assert self.db is not None
        report_id = parsed.report.report_id
        self._delete_rows(report_id)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.db.run("report_insert", report_row(parsed.report, content_hash=content_hash, mtime=mtime, size=size,
                                                 indexed_at=now))  # fmt: skip
        self.db.run_many("judgement_insert", (judgement_row(j, i) for i, j in enumerate(parsed.judgements)))
        out: list[tuple[int, str]] = []
        rows = []
        for paragraph in parsed.paragraphs:
            pid = self._next_id
            self._next_id += 1
            rows.append(paragraph_row(pid, paragraph))
            out.append((pid, recipe_text(self.recipe, paragraph)))
        self.db.run_many("paragraph_insert", rows)
        return out

    def set_path(self, report_id: str, path: str) -> None:
        """Record that an unchanged report now lives at another path (so --prune keeps it)."""
        self._begin()
        assert self.db is not None
        self.db.run("report_set_path", (path, report_id))

    def delete_report(self, report_id: str) -> None:
        self._begin()
        self._delete_rows(report_id)

    def _delete_rows(self, report_id: str) -> None:
        assert self.db is not None
        old = [r[0] for r in self.db.rows("paragraph_ids_of_report", (report_id,))]
        if old:
            self._removed.append(np.asarray(old, dtype=np.int64))
        self.db.run("paragraphs_delete", (report_id,))
        self.db.run("judgements_delete", (report_id,))
        self.db.run("report_delete", (report_id,))

    def add_vectors(self, ids: list[int] | np.ndarray, vectors: np.ndarray) -> None:
        assert self.store is not None
        self.store.add(np.asarray(ids, dtype=np.int64), vectors)

    # -- build the generation's contents, then publish
    def commit(self) -> dict[str, Any] | None:
        """Build and publish the new generation; returns its manifest (None when nothing changed)."""
        if not self.changed:
            if self.base_name is not None and self.base_manifest is not None:  # nothing to publish: still tidy up
                publishing.collect(self.index_dir, self.base_name, self.base_manifest["ann"], self.options)
            self.close()
            return None
        manifest, new_segment = self._build()
        assert self.gen_dir is not None
        try:
            publishing.publish(self.index_dir, self.gen_dir, manifest["ann"], self.options)
        finally:
            if new_segment is not None:
                new_segment.release()
        if self._base_db is not None:
            self._base_db.close()
            self._base_db = None
        self._stack.close()
        return manifest

    def _build(self) -> tuple[dict[str, Any], segments.NewSegment | None]:
        """Finish the new generation folder (and its new segment); nothing is visible to readers yet."""
        assert self.db is not None and self.store is not None and self.gen_dir is not None
        dead = np.zeros(0, dtype=np.int64)  # rows of shared segments this write deletes or replaces
        if self._removed:
            removed = np.concatenate(self._removed)
            if self.base_segmented:
                mine = np.isin(removed, self.store.ids())
                self.store.remove(removed[mine])
                dead = removed[~mine]
            else:
                self.store.remove(removed)
            self._removed = []
        paragraphs = int(self.db.scalar("count_paragraphs"))
        kind = factory.resolve_ann(self.preset, self.ann, paragraphs)
        segmented = kind in self.preset.segmented
        base_segments: list[dict[str, Any]] = []
        deleted = np.zeros(0, dtype=np.int64)
        if self.base_segmented:
            assert self.base_manifest is not None and self.base_name is not None
            base_dir = self.index_dir / self.base_name
            deleted = np.union1d(segments.read_deleted(base_dir, self.base_manifest), dead)
            if segmented:
                base_segments = list(self.base_manifest["segments"])
            else:  # leaving the segmented layout (ann changed): one store of every live row
                self.store = building.gather_vectors(self.index_dir, self.base_manifest["segments"], deleted,
                                                     self.store.dimension, extra=self.store)  # fmt: skip
                deleted = np.zeros(0, dtype=np.int64)
        if segmented and base_segments:  # only this write's rows are checked one by one (below)
            shared = sum(int(e["rows"]) for e in base_segments) - len(deleted)
            counts = building.check_counts(self.db, self.gen_dir, shared + len(self.store), new=self.store.ids(),
                                           dead=dead)  # fmt: skip
        else:
            counts = building.check_counts(self.db, self.gen_dir, len(self.store), ids=np.sort(self.store.ids()))
        vector_class = factory.vector_class(kind)
        stored_as = kind if kind in factory.FAISS_ANN else "flat"  # other engines keep a flat source copy
        if not segmented:
            self.store = factory.convert(self.store, stored_as)
        self.db.commit()
        if not segmented or len(self.store) * 10 >= paragraphs:  # optimize rewrites all of FTS5: big writes only
            self.db.run("fts_optimize")
        if float(self.db.scalar("freelist_ratio") or 0) > 0.25:
            self.db.vacuum()
        self.db.close()
        generations.fsync_path(self.gen_dir / SQLITE_FILE)
        generations.crash_point("after-sqlite")
        new_segment = None
        if segmented:  # the vector backend adds the segment's rows to its own store (a Milvus collection)
            new_segment, entry = building.write_segment(self.index_dir, self.gen_dir / SQLITE_FILE, self.store,
                                                        "after-segment", vector_class, self.options)  # fmt: skip
        try:  # a failure from here on must not leave the new segment locked
            extra: dict[str, Any] = {}
            if segmented:
                extra = {"segments": base_segments + ([entry] if entry else []),
                         "deleted": segments.write_deleted(self.gen_dir, deleted)}  # fmt: skip
                built: dict[str, str] = {}
                ann_params = vector_class.segment_params(self.index_dir, self.options, self.store.dimension)
            else:
                self.store.save(self.gen_dir / VECTORS_FILE)
                generations.crash_point("after-vectors")
                source = derived.Source(self.gen_dir, Database(self.gen_dir / SQLITE_FILE), self.store)
                try:
                    built = derived.build(self.preset.derived, source)
                    ann_params = vector_class.publish(source, self.options)
                finally:
                    source.db.close()
            manifest = manifest_mod.make(
                generation=generations.gen_number(self.gen_dir.name), model=self.model,
                model_fingerprint=self._fingerprint or "", model_backend=self._backend,
                dimension=int(self._dimension or 0), embedding_text=self.recipe,
                backend=self.preset.name, backend_options=self.options, ann=kind, ann_params=ann_params,
                stored_as=stored_as, readers={"keyword": self.preset.keyword, "records": self.preset.records},
                derived=built, counts=counts,
                build_seconds=time.monotonic() - self._started,
                created_at=(self.base_manifest or {}).get("created_at"),
            )  # fmt: skip
            if segmented:  # readers: the segment backends (segment_readers.py)
                readers = dict(self.preset.segment_readers)
                manifest.update(extra, files={"sqlite": SQLITE_FILE}, readers=readers)
            manifest_mod.write(self.gen_dir, manifest)
        except BaseException:
            if new_segment is not None:
                new_segment.discard()
            raise
        return manifest, new_segment

    def abort(self) -> None:
        """Drop the unpublished generation; the live one is untouched."""
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.gen_dir is not None and self.gen_dir.exists():
            shutil.rmtree(self.gen_dir, ignore_errors=True)
        self.close()

    def close(self) -> None:
        if self._base_db is not None:
            self._base_db.close()
            self._base_db = None
        self._stack.close()

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
        elif self._stack is not None:
            self.close()
