"""The one place HTTP errors get their shape.

Every failure leaves the HTTP API as ``{"error": <name>, "message": <text>}``
plus an optional ``"hint"``, whatever raised it: a domain error from the core
(status taken from the error class), a request that fails FastAPI validation
(422), a Starlette routing error (404/405), or an unexpected bug (logged with
its traceback, answered 500 with no internals). Clients, the web page and the
shape test in tests/api/test_error_shape.py all rely on this one shape.

Domain errors' messages pass through ``public_text`` (no server paths leave the server), and
an unexpected error is answered by ``CatchAll`` rather than Starlette's
ServerErrorMiddleware, which re-raises after answering and so makes uvicorn
drop the client's keep-alive connection: the client's next request would fail
too.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evsearch.api.public import public_text
from evsearch.errors import EvsearchError, TooManyRequestsError

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


def public_error(exc: EvsearchError) -> dict:
    """A domain error as it may leave the server: the JSON shape with server paths taken out.

    The one conversion for both ways an error reaches a client: an answer
    (the handler below, so also ``POST /reports?wait=true``) and a failed
    job's record (``GET /jobs/{id}``, jobs.py).
    """
    return error_body(type(exc).__name__, public_text(exc.message), exc.hint and public_text(exc.hint))


async def _domain_error(request: Request, exc: EvsearchError) -> JSONResponse:
    if exc.status_code >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequestsError) else None
    return JSONResponse(public_error(exc), status_code=exc.status_code,
                        headers=headers)  # fmt: skip


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


class CatchAll:
    """Answer any unexpected exception with the JSON 500 and keep the connection open.

    Sits inside Starlette's ServerErrorMiddleware, so nothing reaches the one
    that re-raises. An error after the response has started can only be logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            response = JSONResponse(
                error_body("InternalError", "the server hit an unexpected error; it has been logged"),
                status_code=500,
            )
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception kind through the single JSON error shape."""
    app.add_exception_handler(EvsearchError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_middleware(CatchAll)
