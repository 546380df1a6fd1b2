"""Incremental, crash-safe indexing: hash, parse, embed in large batches, publish.

A file is re-parsed only when the sha256 of its bytes differs from the hash
stored for its report id, so a second run over unchanged files embeds
nothing (and does not even load the model). Parsing runs in a background
thread while the main thread embeds, and embedding is batched across reports
(``EMBED_CHUNK`` texts per call) because per-report calls leave the model
under-fed on short reports. All changes land in a new generation that is
published atomically by ``IndexWriter.commit``.

Identity (identity.py): every file is hashed first, so slug collisions get
distinct ids and identical bytes under another name become one more path of
one report (kept in the index's meta table under ``COPIES_KEY``), never a
second report. Entries a walk cannot read are listed in ``skipped``.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from evsearch import config
from evsearch.errors import EvsearchError, ReportReadError
from evsearch.indexer import identity
from evsearch.models.files import sha256_of_file
from evsearch.records import ParsedReport
from evsearch.store.recipes import resolve as resolve_recipe
from evsearch.store.writer import IndexWriter

EMBED_CHUNK = 512
_QUEUE_DEPTH = 16
COPIES_KEY = "copies"  # meta: {report id: [paths of other files with the same bytes]}

# (files done, files total, paragraphs parsed so far, paragraphs embedded so far)
ProgressFn = Callable[[int, int, int, int], None]
ParseFn = Callable[[Path, str], ParsedReport]


@dataclass
class BuildResult:
    index_dir: Path
    indexed: int = 0  # reports (re)indexed
    paragraphs: int = 0  # paragraphs (re)indexed
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    pruned: int = 0
    embedded: int = 0  # texts sent to the model
    seconds: float = 0.0
    generation: str | None = None  # published generation, None when nothing changed
    manifest: dict[str, Any] | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): not read at all
    copies: list[tuple[str, str]] = field(default_factory=list)  # (path, report id it is a copy of)
    notes: list[str] = field(default_factory=list)  # id collisions, over-long paragraphs
    ids: dict[str, str] = field(default_factory=dict)  # resolved file path -> report id it is held under

    def summary(self) -> str:
        extra = "".join(
            f", {n} {what}" for n, what in ((len(self.copies), "copies"), (len(self.skipped), "skipped")) if n
        )
        return (
            f"indexed {self.indexed} reports ({self.paragraphs} paragraphs), {self.unchanged} unchanged, "
            f"{len(self.failed)} failed, {self.pruned} pruned{extra} in {self.seconds:.1f}s"
        )


def discover(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """(file, report id) for every report file under the given files and folders, and
    (path, reason) for every given path that does not exist."""
    from evsearch.parser.pipeline import report_jobs

    files: list[tuple[Path, str]] = []
    missing: list[tuple[str, str]] = []
    for job in report_jobs(paths):
        if isinstance(job, ReportReadError):
            missing.append((job.path, job.reason))
        else:
            files.append((Path(job[0]).resolve(), job[1]))
    return files, missing


@dataclass
class _Item:
    path: Path
    report_id: str
    digest: str | None = None
    parsed: ParsedReport | None = None
    error: str | None = None
    mtime: float | None = None
    size: int | None = None


def _hashed(files: list[tuple[Path, str]]) -> list[_Item]:
    """Stat and hash every file up front (identity needs all hashes before any parsing)."""
    items = []
    for path, report_id in files:
        item = _Item(path, report_id)
        try:
            stat = path.stat()
            item.mtime, item.size = stat.st_mtime, stat.st_size
            item.digest = sha256_of_file(path)
        except OSError as exc:
            item.error = f"cannot be read ({exc.strerror or exc})"
        items.append(item)
    return items


def _produce(
    items: list[_Item], known: dict[str, str], copies: dict[Path, identity.Copy], parse: ParseFn
) -> Iterator[_Item]:
    """Parse only the changed files that are not copies of another (runs in the background thread)."""
    for item in items:
        path, report_id = item.path, item.report_id
        if item.error is not None or path in copies:
            yield item
            continue
        try:
            if known.get(report_id) != item.digest:
                item.parsed = parse(path, report_id)
                item.parsed.report.path = str(path)
        except ReportReadError as exc:
            item.error = exc.reason
        except EvsearchError as exc:
            item.error = exc.message
        except Exception as exc:  # a parser bug must not stop the other files
            item.error = f"could not be parsed ({type(exc).__name__}: {exc})"
        yield item


def _threaded(iterator: Iterator[_Item]) -> Iterator[_Item]:
    """Run ``iterator`` in a daemon thread so parsing overlaps embedding."""
    q: queue.Queue = queue.Queue(maxsize=_QUEUE_DEPTH)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for element in iterator:
                if stop.is_set():
                    return
                q.put(element)
        finally:
            q.put(done)

    thread = threading.Thread(target=work, name="evsearch-parse", daemon=True)
    thread.start()
    try:
        while (element := q.get()) is not done:
            yield element
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue, then let it stop
            try:
                q.get(timeout=0.1)
            except queue.Empty:
                pass


def build_index(
    paths: Iterable[str | Path],
    index_dir: str | Path | None = None,
    *,
    model: str | None = None,
    embedder: Any = None,
    prune: bool = False,
    rebuild: bool = False,
    ann: str | None = None,
    embedding_text: str | None = None,
    backend: str | None = None,
    milvus_uri: str | None = None,
    batch_size: int | None = None,
    parse: ParseFn | None = None,
    progress: ProgressFn | None = None,
) -> BuildResult:
    """Bring the index at ``index_dir`` up to date with the report files under ``paths``."""
    started = time.monotonic()
    index_dir = Path(index_dir or config.get("index"))
    model_name = model or (embedder.name if embedder is not None else config.get("model"))
    recipe = resolve_recipe(embedding_text or config.get("embedding_text"))
    if parse is None:
        from evsearch.parser.pipeline import parse_file as parse
    paths = list(paths)
    files, missing = discover(paths)
    result = BuildResult(index_dir, failed=list(missing), skipped=identity.skipped_entries(paths))
    if paths and not files and len(missing) == len(paths):  # nothing given exists: touch nothing (no LOCK, no folder)
        result.seconds = time.monotonic() - started
        return result
    uri = milvus_uri or config.get("milvus_uri")
    options = {"milvus_uri": uri} if uri else None
    with IndexWriter.open(
        index_dir, model=model_name, embedding_text=recipe, ann=ann or config.get("ann"), rebuild=rebuild,
        backend=backend, options=options,
    ) as writer:  # fmt: skip
        done = 0

        def tick() -> None:
            if progress:
                progress(done, len(files), result.paragraphs, result.embedded)

        state = _Embedding(writer, embedder, model_name, batch_size, result, tick)
        known = writer.report_hashes()
        known_paths = writer.report_paths()
        stored_copies: dict[str, list[str]] = json.loads(writer.meta(COPIES_KEY) or "{}")
        files, result.notes = identity.distinct_ids(files, known_paths)
        items = _hashed(files)
        takes_over, copies = identity.same_bytes(
            [(i.path, i.report_id, i.digest) for i in items], known, known_paths, stored_copies
        )
        for item in items:
            item.report_id = takes_over.get(item.path, item.report_id)
        failed_ids: dict[str, str] = {}
        for item in _threaded(_produce(items, known, copies, parse)):
            done += 1
            copy = copies.get(item.path)
            if copy is not None and copy.report_id in failed_ids:
                result.failed.append((str(item.path), f"same bytes as {failed_ids[copy.report_id]}, which failed"))
            elif copy is not None:
                result.copies.append((str(item.path), copy.report_id))
                result.ids[str(item.path)] = copy.report_id
                if copy.report_id != item.report_id and item.report_id in known:  # indexed twice before
                    writer.delete_report(item.report_id)
            elif item.error is not None:
                result.failed.append((str(item.path), item.error))
                failed_ids[item.report_id] = item.path.name
            elif item.parsed is None:
                result.unchanged += 1
                if known_paths.get(item.report_id) != str(item.path):
                    writer.set_path(item.report_id, str(item.path))
            else:
                _note_long_paragraphs(item, result)
                state.ensure_model()
                pending = writer.replace_report(item.parsed, content_hash=item.digest or "", mtime=item.mtime,
                                                size=item.size)  # fmt: skip
                result.indexed += 1
                result.paragraphs += len(pending)
                state.queue(pending)
            if copy is None and item.error is None:
                result.ids[str(item.path)] = item.report_id
            tick()
        state.flush(final=True)
        if prune:
            for report_id, stored in writer.report_paths().items():
                if not Path(stored).exists():
                    writer.delete_report(report_id)
                    result.pruned += 1
        _record_copies(writer, stored_copies, result)
        result.manifest = writer.commit()
    result.generation = None if result.manifest is None else f"gen-{result.manifest['generation']:06d}"
    result.seconds = time.monotonic() - started
    return result


def _note_long_paragraphs(item: _Item, result: BuildResult) -> None:
    """Note paragraphs long enough to mean the splitter merged several (a numbering it lost)."""
    assert item.parsed is not None
    limit = int(config.get("long_paragraph_chars"))
    for paragraph in item.parsed.paragraphs:
        if len(paragraph.text) > limit:
            where = f"paragraph {paragraph.number}" if paragraph.number is not None else f"record {paragraph.seq}"
            result.notes.append(
                f"{item.path.name}: {where} is {len(paragraph.text):,} characters long (over {limit:,}, "
                "setting long_paragraph_chars): the report may be split wrongly there"
            )


def _record_copies(writer: IndexWriter, stored: dict[str, list[str]], result: BuildResult) -> None:
    """Keep the index's list of copies: this run's, plus earlier ones whose files still exist."""
    held = writer.report_paths()
    merged: dict[str, set[str]] = {}
    for report_id, paths in stored.items():
        merged.setdefault(report_id, set()).update(p for p in paths if Path(p).exists() and p != held.get(report_id))
    for path, report_id in result.copies:
        merged.setdefault(report_id, set()).add(path)
    updated = {rid: sorted(paths) for rid, paths in sorted(merged.items()) if paths and rid in held}
    if updated != stored:
        writer.set_meta(COPIES_KEY, json.dumps(updated, ensure_ascii=False))


class _Embedding:
    """Collects (id, text) across reports and embeds them in large batches."""

    def __init__(self, writer: IndexWriter, embedder: Any, model: str, batch_size: int | None, result: BuildResult,
                 tick: Callable[[], None]):  # fmt: skip
        self.writer, self.embedder, self.model, self.tick = writer, embedder, model, tick
        self.batch_size = batch_size or config.get("batch_size")
        self.result = result
        self.ids: list[int] = []
        self.texts: list[str] = []
        self.bound = False

    def _batch(self, count: int) -> None:
        """One batch embedded: count it and tell the progress display (embedding is most of the time)."""
        self.result.embedded += count
        self.tick()

    def ensure_model(self) -> None:
        if self.bound:
            return
        if self.embedder is None:
            from evsearch.models.embedder import load_embedder

            self.embedder = load_embedder(self.model)
        self.writer.bind_model(
            fingerprint=str(getattr(self.embedder, "fingerprint", "")),
            dimension=int(self.embedder.dimension),
            backend=getattr(self.embedder, "backend", None),
        )
        self.bound = True

    def queue(self, pending: list[tuple[int, str]]) -> None:
        for pid, text in pending:
            self.ids.append(pid)
            self.texts.append(text)
        self.flush(final=False)

    def flush(self, *, final: bool) -> None:
        while self.texts and (final or len(self.texts) >= EMBED_CHUNK):
            ids, texts = self.ids[:EMBED_CHUNK], self.texts[:EMBED_CHUNK]
            del self.ids[:EMBED_CHUNK], self.texts[:EMBED_CHUNK]
            vectors = np.asarray(self.embedder.encode(texts, batch_size=self.batch_size, progress=self._batch), dtype=np.float32)
            self.writer.add_vectors(ids, vectors)
