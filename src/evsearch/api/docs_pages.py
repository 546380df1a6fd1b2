"""/docs (Swagger UI) and /redoc served from the package, and redirects that never name a host.

WHY local docs: FastAPI's defaults load Swagger UI, ReDoc, a favicon and Google
Fonts from CDNs, so /docs is a blank page on a locked-down council network.
The viewers are vendored by the same recorded npm step as Vega
(vendor/build.sh, static/vendor/VERSIONS.md) and served from /static.

WHY relative redirects: Starlette builds a redirect's ``location`` from the
request's Host header (``/static`` -> ``http://<Host>/static/``), so a forged
``Host: evil.example`` made the server send browsers to another site. The
location is cut to its path, which every browser resolves against the address
it actually asked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

VENDOR = "/static/vendor"
# Nothing leaves the server: ReDoc's sidebar always asks cdn.redoc.ly for a logo, which this refuses.
OFFLINE = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
}


def add_docs_routes(app: FastAPI) -> None:
    """GET /docs and /redoc over the app's own OpenAPI, with every asset served locally."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _offline(get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API docs",
            swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR}/swagger-ui.css",
            swagger_favicon_url=f"{VENDOR}/swagger-favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        ))

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _offline(get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API reference",
            redoc_js_url=f"{VENDOR}/redoc.standalone.js",
            redoc_favicon_url=f"{VENDOR}/swagger-favicon.png",
            with_google_fonts=False,
        ))


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(OFFLINE)
    return page


class RelativeRedirects:
    """ASGI middleware: a redirect's absolute ``location`` becomes its path, query and fragment."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (name, _relative(value) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_relative)


def _relative(location: bytes) -> bytes:
    """``http://any.host/static/?a=1`` -> ``/static/?a=1``; a path stays as it is."""
    parts = urlsplit(location.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return location
    path = "/" + parts.path.lstrip("/")  # "//evil.example" would be read as a host again
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return (path + query + fragment).encode("latin-1")
