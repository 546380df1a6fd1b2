"""POST /reports: the one write endpoint, off unless the server has an API key.

Order of checks matters: writes enabled (403) -> key present and equal,
compared in constant time (401) -> declared size (413, before the body is
parsed) -> multipart field -> extension and content (415) -> actual size
(413). Only then is a file written (see uploads.py) and indexed on the engine
thread, followed by ``engine.refresh()`` so the next search sees it.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from evsearch.api import uploads
from evsearch.api.schemas import ErrorOut, UploadOut
from evsearch.errors import (
    AuthError,
    InputError,
    NotFoundError,
    PayloadTooLargeError,
    ReportReadError,
    WritesDisabledError,
)

router = APIRouter()

_MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file


def _authorise(request: Request) -> None:
    expected: str = request.app.state.api_key
    if not expected:
        raise WritesDisabledError(
            "uploads are disabled on this server", hint="start it with EVSEARCH_API_KEY set to enable POST /reports"
        )
    given = request.headers.get("x-api-key")
    if not given:
        raise AuthError("missing X-API-Key header", hint="send the server's API key in the X-API-Key header")
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise AuthError("wrong API key")


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

    Returns the id the index holds the report under (our generated name, which
    the indexer's id rule keeps; looked up by file name otherwise) and a
    summary of the build.
    """
    from evsearch.indexer.build import build_index

    result = build_index([path], index_dir, embedder=engine.embedder)
    if result.failed:
        raise ReportReadError(str(path), result.failed[0][1])
    engine.refresh()
    try:
        report_id = engine.report(path.stem)["report_id"]
    except NotFoundError:
        named = [r["report_id"] for r in engine.reports() if Path(str(r.get("path") or "")).name == path.name]
        report_id = named[0] if named else path.stem
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
    _authorise(request)
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
    path = uploads.store(index_dir, uploads.report_id_for(upload.filename, data), suffix, data)
    worker = request.app.state.worker
    try:
        report_id, summary = await worker.run(_index, index_dir, path)
    except ReportReadError as exc:
        path.unlink(missing_ok=True)
        raise ReportReadError(name, exc.reason) from None  # the client's name, never the server path
    body = {"report_id": report_id, "filename": name, "indexed": summary}
    return JSONResponse(body, status_code=201)
