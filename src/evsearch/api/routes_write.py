"""POST /reports: the one write endpoint, off unless the server has an API key.

Order of checks matters: writes enabled (403) -> client not blocked for
guessing keys (429) -> key present and equal, as bytes, in constant time
(401; see auth.py) -> declared size (413, before the body is
parsed) -> multipart field -> extension and content (415) -> actual size
(413). Only then is a file written (see uploads.py) and indexed on the engine
thread, followed by ``engine.refresh()`` so the next search sees it. If the
file is not indexed (unreadable, or another writer holds the index: 409), it
is deleted again: nothing is left in ``uploads/`` that the index does not hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from evsearch.api import uploads
from evsearch.api.schemas import ErrorOut, UploadOut
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


def _index(engine: Any, index_dir: Path, path: Path) -> tuple[str, dict]:
    """Runs on the engine thread: index one file with the engine's own model, then refresh.

    Returns the id the index holds the report under (the id of an earlier
    report when the bytes are the same: one report, both files recorded) and a
    summary of the build.
    """
    from evsearch.indexer.build import build_index

    result = build_index([path], index_dir, embedder=engine.embedder)
    if result.failed:
        raise ReportReadError(str(path), result.failed[0][1])
    engine.refresh()
    report_id = result.ids[str(path.resolve())]
    summary = {"indexed": result.indexed, "unchanged": result.unchanged, "paragraphs": result.paragraphs,
               "seconds": round(result.seconds, 3), "generation": result.generation}  # fmt: skip
    return report_id, summary


@router.post(
    "/reports",
    status_code=201,
    tags=["reports"],
    responses={
        201: {"model": UploadOut, "description": "Indexed"},
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
async def upload_report(request: Request) -> Any:
    """Index an uploaded .pdf or .txt report (multipart field `file`; needs X-API-Key)."""
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
    worker = request.app.state.worker
    try:
        report_id, summary = await worker.run(_index, index_dir, path)
    except Exception as exc:  # IndexBusyError (409), unreadable file (422), a bug: the file was not indexed
        if created:
            path.unlink(missing_ok=True)
        if isinstance(exc, ReportReadError):
            raise ReportReadError(name, exc.reason) from None  # the client's name, never the server path
        raise
    body = {"report_id": report_id, "filename": name, "indexed": summary}
    return JSONResponse(body, status_code=201)
