"""The upload job: index one kept upload file; queue it durably; run what a dead server left unfinished.

WHY durable: an upload answered 202 is a promise. Its file is written and
fsynced (file, then folder: models/files.atomic_write_bytes) and its job
journaled (store/journal.py) before the answer goes out, so the promise
survives a kill -9. On start, ``resume`` goes through the journal's
unfinished jobs: an upload whose bytes the index already holds (the server
died after publishing, before recording ``done``) is done with that report's
id; one whose file is gone fails saying so; every other one is queued again,
in the order it was accepted. Indexing is idempotent by content hash
(indexer/identity.py), so running a job twice never doubles a report.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from evsearch.api import uploads
from evsearch.api.jobs import Job
from evsearch.api.worker import EngineWorker
from evsearch.errors import EvsearchError, ReportReadError

log = logging.getLogger(__name__)

KIND = "index-report"


def index_upload(engine: Any, index_dir: Path, path: Path, name: str, created: bool) -> dict[str, Any]:
    """The write job: index one file with the engine's own model, then swap in the new generation.

    Returns the id the index holds the report under (the id of an earlier
    report when the bytes are the same: one report, both files recorded) and a
    summary of the build. A report that yields no paragraphs fails: an
    "indexed" report nobody can find would be a silent loss.
    """
    from evsearch.indexer.build import build_index

    try:
        result = build_index([path], index_dir, embedder=engine.embedder)
        if result.failed:
            raise ReportReadError(name, result.failed[0][1])  # the client's name, never the server path
    except Exception:  # IndexBusyError, unreadable or empty file, a bug: the file was not indexed
        if created:
            path.unlink(missing_ok=True)
        raise
    engine.refresh()
    report_id = result.ids[str(path.resolve())]
    summary = {"indexed": result.indexed, "unchanged": result.unchanged, "paragraphs": result.paragraphs,
               "seconds": round(result.seconds, 3), "generation": result.generation}  # fmt: skip
    return {"report_id": report_id, "filename": name, "indexed": summary}


def queue_upload(worker: EngineWorker, index_dir: Path, filename: str | None, suffix: str, data: bytes) -> Job:
    """Keep the upload's bytes and journal its job (both durable), then queue it on the write thread."""
    name = uploads.display_name(filename)
    path, created = uploads.store(index_dir, uploads.report_id_for(filename, data), suffix, data)
    payload = {"upload": path.name, "filename": name, "created": created, "sha256": hashlib.sha256(data).hexdigest()}
    try:
        return worker.submit(KIND, index_upload, index_dir, path, name, created, payload=payload)
    except EvsearchError:  # not journaled, so not accepted: keep nothing the index does not hold
        if created:
            path.unlink(missing_ok=True)
        raise


def resume(worker: EngineWorker, index_dir: Path) -> int:
    """Queue again the jobs a stopped server left unfinished; returns how many were queued."""
    uploads.remove_partial(index_dir)
    try:
        pending = worker.jobs.unfinished()
    except EvsearchError as exc:  # an unreadable journal must not stop the server answering reads
        log.error("cannot read the write journal, no jobs resumed: %s", exc)
        return 0
    if not pending:
        return 0
    held = {report["content_hash"]: report["report_id"] for report in worker.call(lambda engine: engine.reports())}
    queued = 0
    for job in pending:
        payload = job.payload
        if job.kind != KIND:
            worker.jobs.failed(job, EvsearchError("the server stopped before this job finished", hint="send it again"))
            continue
        path = index_dir / uploads.UPLOADS_DIR / payload["upload"]
        report_id = held.get(payload["sha256"])
        if report_id is not None:
            summary = {"indexed": 0, "unchanged": 1, "paragraphs": 0, "seconds": 0.0, "generation": None}
            worker.jobs.done(job, {"report_id": report_id, "filename": payload["filename"], "indexed": summary})
        elif not path.is_file():
            gone = ReportReadError(payload["filename"], "the uploaded file is no longer on the server")
            worker.jobs.failed(job, gone)
        else:
            worker.queue(job, index_upload, index_dir, path, payload["filename"], payload["created"])
            queued += 1
    log.info("resumed %d unfinished upload job(s) of %d in the journal", queued, len(pending))
    return queued
