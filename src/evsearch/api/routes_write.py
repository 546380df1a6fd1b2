"""POST /reports: the one write endpoint, off unless the server has an API key.

Order of checks matters: writes enabled (403) -> client not blocked for
guessing keys (429) -> key present and equal, as bytes, in constant time
(401; see auth.py) -> declared size (413, before the body is
parsed) -> multipart field -> extension and content (415) -> actual size
(413). Only then is a file written (see uploads.py) and a write job queued:
the answer is 202 with the job's id, and ``GET /jobs/{id}`` tells its state
and, when done, the report id (``?wait=true`` answers 201 with the result
once indexed, or the job's error). The job indexes the file on the write
thread and opens the new generation there (worker.py), so searches never
wait for it. If the file is not indexed (unreadable, or another writer holds
the index), it is deleted again: nothing is left in ``uploads/`` that the
index does not hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from evsearch.api import uploads
from evsearch.api.schemas import ErrorOut, JobOut, UploadOut
from evsearch.errors import InputError, PayloadTooLargeError, ReportReadError

router = APIRouter()

_MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file


def _declared_size(request: Request, limit: int) -> None:
    raw = request.headers.get("content-length")
    if raw is None:
        raise InputError("Content-Length header required for uploads")
    try:
        size = int(raw)
    except ValueError as exc:
        raise InputError("Content-Length header is not a number") from exc
    if size > limit + _MULTIPART_SLACK:
        raise PayloadTooLargeError(
            f"upload is larger than {limit // (1024 * 1024)} MiB",
            hint="raise EVSEARCH_MAX_UPLOAD_MB on the server to accept larger files",
        )


def _index(engine: Any, index_dir: Path, path: Path, name: str, created: bool) -> dict[str, Any]:
    """The write job: index one file with the engine's own model, then swap in the new generation.

    Returns the id the index holds the report under (the id of an earlier
    report when the bytes are the same: one report, both files recorded) and a
    summary of the build.
    """
    from evsearch.indexer.build import build_index
    from evsearch.indexer.options import BuildOptions

    try:  # segment merges run on their own nice'd thread: the job ends when its segment is published
        options = BuildOptions.from_settings(index_dir, model=engine.embedder.name, merge="background")
        result = build_index([path], options=options, embedder=engine.embedder)
        if result.failed:
            raise ReportReadError(name, result.failed[0][1])  # the client's name, never the server path
    except Exception:  # IndexBusyError, unreadable file, a bug: the file was not indexed
        if created:
            path.unlink(missing_ok=True)
        raise
    engine.refresh()
    report_id = result.ids[str(path.resolve())]
    summary = {"indexed": result.indexed, "unchanged": result.unchanged, "paragraphs": result.paragraphs,
               "seconds": round(result.seconds, 3), "generation": result.generation}  # fmt: skip
    return {"report_id": report_id, "filename": name, "indexed": summary}


@router.post(
    "/reports",
    status_code=202,
    tags=["reports"],
    responses={
        202: {"model": JobOut, "description": "Accepted: indexing runs as a job (GET /jobs/{job_id})"},
        201: {"model": UploadOut, "description": "Indexed (only with ?wait=true)"},
        401: {"model": ErrorOut, "description": "Missing or wrong X-API-Key"},
        409: {"model": ErrorOut, "description": "Another writer holds the index; nothing was kept"},
        429: {"model": ErrorOut, "description": "Too many wrong keys from this client; see Retry-After"},
        403: {"model": ErrorOut, "description": "Uploads disabled (no api_key setting)"},
        413: {"model": ErrorOut, "description": "Over max_upload_mb"},
        415: {"model": ErrorOut, "description": "Not a .pdf or .txt report"},
        422: {"model": ErrorOut, "description": "File could not be read as a report"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
async def upload_report(request: Request, wait: bool = False) -> Any:
    """Queue an uploaded .pdf or .txt report for indexing (multipart field `file`; needs X-API-Key).

    Answers 202 with a job id at once; `GET /jobs/{job_id}` gives the state and, when done,
    the report id. With `wait=true` it answers 201 with the result once indexed."""
    request.app.state.keys.check(request)
    limit = int(request.app.state.max_upload_mb) * 1024 * 1024
    _declared_size(request, limit)
    form = await request.form(max_files=1, max_fields=4)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InputError("send the report as the multipart form field 'file'")
        name = uploads.display_name(upload.filename)
        suffix = uploads.suffix_of(upload.filename)
        data = await upload.read(limit + 1)
    finally:
        await form.close()
    uploads.check_content(name, suffix, data, limit)
    index_dir: Path = request.app.state.index_dir
    path, created = uploads.store(index_dir, uploads.report_id_for(upload.filename, data), suffix, data)
    job = request.app.state.worker.submit("index-report", _index, index_dir, path, name, created)
    if not wait:
        return JSONResponse(job.to_dict(), status_code=202, headers={"Location": f"/jobs/{job.job_id}"})
    await job.wait()
    if job.error is not None:
        raise job.error
    return JSONResponse({**(job.result or {}), "job_id": job.job_id}, status_code=201)


@router.get(
    "/jobs/{job_id}",
    tags=["reports"],
    responses={200: {"model": JobOut, "description": "The job's state, and its result or error"},
               404: {"model": ErrorOut, "description": "Unknown job id"}},
)  # fmt: skip
async def get_job(request: Request, job_id: str) -> Any:
    """State of a write job: queued, running, done (with `result`) or failed (with `error`)."""
    return JSONResponse(request.app.state.worker.jobs.get(job_id).to_dict())
