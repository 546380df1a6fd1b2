"""The FastAPI app: routers, the error handler, CORS and the web page, over one Engine.

`create_app` opens the Engine eagerly (on its own thread, see worker.py) so a
missing or mismatched index fails at start-up with a clear message rather
than on the first request. Settings are read once, here, from evsearch.config.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from evsearch import __version__ as _version
from evsearch import config
from evsearch.api import routes_read, routes_write
from evsearch.api.errors_http import install_error_handlers
from evsearch.api.worker import EngineWorker

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """Evidence search over inspection reports.

Every hit is one numbered paragraph with its report, section, grade and the
sentences that match highlighted. Errors are always JSON:
`{"error": "<Name>", "message": "...", "hint": "..."}`.
`POST /reports` is disabled unless the server has an API key (`EVSEARCH_API_KEY`).
"""


def create_app(index_dir: str | Path | None = None, *, worker: EngineWorker | None = None) -> FastAPI:
    """Build the HTTP app over the index at ``index_dir`` (default: setting ``index``)."""
    index_path = Path(index_dir or config.get("index")).resolve()
    worker = worker or EngineWorker(index_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        worker.close()

    app = FastAPI(
        title="evsearch",
        version=_version,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.worker = worker
    app.state.index_dir = index_path
    app.state.api_key = config.get("api_key") or ""
    app.state.max_upload_mb = config.get("max_upload_mb")

    install_error_handlers(app)
    origins = [o.strip() for o in str(config.get("cors_origins") or "").split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type"],
        )

    app.include_router(routes_read.router)
    app.include_router(routes_write.router)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
