"""The one place HTTP errors get their shape.

Every failure leaves the HTTP API as ``{"error": <name>, "message": <text>}``
plus an optional ``"hint"``, whatever raised it: a domain error from the core
(status taken from the error class), a request that fails FastAPI validation
(422), a Starlette routing error (404/405), or an unexpected bug (logged with
its traceback, answered 500 with no internals). Clients, the web page and the
shape test in tests/api/test_error_shape.py all rely on this one shape.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from evsearch.errors import EvsearchError

log = logging.getLogger("evsearch.http")


def error_body(error: str, message: str, hint: str | None = None) -> dict:
    """The JSON error shape, built in one place."""
    body = {"error": error, "message": message}
    if hint:
        body["hint"] = hint
    return body


def _status_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.title().replace(" ", "").replace("-", "")
    except ValueError:
        return "HttpError"


def _describe_validation(exc: RequestValidationError) -> tuple[str, str | None]:
    """One readable sentence per invalid field, naming where it came from."""
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body", "header")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid value')}")
    message = "; ".join(parts) or "invalid request"
    return message, "see /docs for the parameters each endpoint accepts"


async def _domain_error(request: Request, exc: EvsearchError) -> JSONResponse:
    if exc.status_code >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return JSONResponse(exc.to_dict(), status_code=exc.status_code)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    message, hint = _describe_validation(exc)
    return JSONResponse(error_body("ValidationError", message, hint), status_code=422)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else _status_name(exc.status_code)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such endpoint: {request.url.path}"
    return JSONResponse(
        error_body(_status_name(exc.status_code), message),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        error_body("InternalError", "the server hit an unexpected error; it has been logged"),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception kind through the single JSON error shape."""
    app.add_exception_handler(EvsearchError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
