"""The FastAPI app: routers, the error handler, CORS and the web page, over one Engine.

`create_app` opens nothing: the Engine is opened on its own thread (see
worker.py) at server start-up, so a missing or mismatched index fails before
the first request; `evsearch serve` opens it even earlier, to report a bad
index as one line. Settings are read once, here, from evsearch.config.
"""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from evsearch import __version__ as _version
from evsearch import config
from evsearch.api import routes_grades, routes_read, routes_write, upload_jobs
from evsearch.api.auth import KeyGate
from evsearch.api.docs_pages import RelativeRedirects, add_docs_routes
from evsearch.api.errors_http import install_error_handlers
from evsearch.api.worker import EngineWorker

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """Evidence search over inspection reports.

Every hit is one numbered paragraph with its report, section, grade and the
sentences that match highlighted. Errors are always JSON:
`{"error": "<Name>", "message": "...", "hint": "..."}`.
`POST /reports` is disabled unless the server has an API key (`EVSEARCH_API_KEY`).
"""


def _freeze_heap() -> None:
    """Move the start-up heap (model, vocabularies, metadata) out of the GC's reach.

    WHY: an opened index leaves ~250k long-lived objects; every full collection
    then walks them all (hundreds of ms on a busy machine), which shows up as
    p99 spikes on requests. ``gc.freeze`` is the standard fix for servers.
    """
    gc.collect()
    gc.freeze()


def _add_routes(app: FastAPI, router: APIRouter) -> None:
    """Copy a router's routes onto the app as plain APIRoutes.

    WHY not ``include_router``: FastAPI 0.163 keeps included routers as lazy
    ``_IncludedRouter`` entries, so ``app.routes`` (read by tests/test_docs.py
    and other tooling) would not list the endpoints.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        app.add_api_route(
            route.path,
            route.endpoint,
            methods=sorted(route.methods),
            name=route.name,
            status_code=route.status_code,
            tags=route.tags,
            summary=route.summary,
            description=route.description,
            responses=route.responses,
            openapi_extra=route.openapi_extra,
            include_in_schema=route.include_in_schema,
        )


def create_app(index_dir: str | Path | None = None, *, worker: EngineWorker | None = None) -> FastAPI:
    """Build the HTTP app over the index at ``index_dir`` (default: setting ``index``)."""
    index_path = Path(index_dir or config.get("index")).resolve()
    worker = worker or EngineWorker(index_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await worker.run(lambda engine: None)  # open the index before the first request
        upload_jobs.resume(worker, index_path)  # uploads accepted before a stop or crash
        _freeze_heap()
        yield
        worker.close()

    app = FastAPI(
        title="evsearch",
        version=_version,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from the package by add_docs_routes (offline), not from a CDN
        redoc_url=None,
    )
    app.state.worker = worker
    app.state.index_dir = index_path
    app.state.keys = KeyGate(config.get("api_key") or "", config.get("auth_failures_per_minute"),
                             str(config.get("trusted_proxies") or "").split(","))  # fmt: skip
    app.state.max_upload_mb = config.get("max_upload_mb")

    install_error_handlers(app)
    app.add_middleware(RelativeRedirects)
    origins = [o.strip() for o in str(config.get("cors_origins") or "").split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type"],
        )

    for router in (routes_read.router, routes_write.router, routes_grades.router):
        _add_routes(app, router)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    add_docs_routes(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
