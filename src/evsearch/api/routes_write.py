"""POST /reports: the one write endpoint, off unless the server has an API key.

Order of checks matters: writes enabled (403) -> client not braked for
this key or for guessing keys (429) -> key present and equal, as bytes, in constant time
(401; see auth.py) -> declared size (413, before the body is
parsed) -> multipart field -> extension and content (415) -> actual size
(413). Only then is the file written and its job journaled, both fsynced
(upload_jobs.py, off the event loop so reads do not wait on the fsyncs), and
the job queued: the answer is 202 with the job's id, and ``GET /jobs/{id}``
tells its state and, when done, the report id (``?wait=true`` answers 201 with the result
once indexed, or the job's error). The job indexes the file on the write
thread and opens the new generation there (worker.py), so searches never
wait for it. If the file is not indexed (unreadable, or another writer holds
the index), it is deleted again: nothing is left in ``uploads/`` that the
index does not hold. A job the server did not finish before it stopped (even
by kill -9) runs after the next start, under the same id.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from evsearch.api import uploads
from evsearch.api.schemas import ErrorOut, JobOut, UploadOut
from evsearch.api.upload_jobs import queue_upload
from evsearch.errors import InputError, PayloadTooLargeError

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
    job = await run_in_threadpool(queue_upload, request.app.state.worker, request.app.state.index_dir,
                                  upload.filename, suffix, data)  # fmt: skip
    if not wait:
        return JSONResponse(job.to_dict(), status_code=202, headers={"Location": f"/jobs/{job.job_id}"})
    await job.wait()
    if job.exception is not None:
        raise job.exception
    return JSONResponse({**(job.result or {}), "job_id": job.job_id}, status_code=201)


@router.get(
    "/jobs/{job_id}",
    tags=["reports"],
    responses={200: {"model": JobOut, "description": "The job's state, and its result or error"},
               404: {"model": ErrorOut, "description": "Unknown job id"}},
)  # fmt: skip
async def get_job(request: Request, job_id: str) -> Any:
    """State of a write job: queued, running, done (with `result`) or failed (with `error`)."""
    job = await run_in_threadpool(request.app.state.worker.jobs.get, job_id)  # a journal read: off the event loop
    return JSONResponse(job.to_dict())
