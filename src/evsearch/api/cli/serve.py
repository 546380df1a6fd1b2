"""`evsearch serve` (HTTP API + web page) and `evsearch mcp` (MCP over stdio).

Both open the index before serving, so a missing or incompatible index is a
one-line error and a non-zero exit, not a server that fails per request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from evsearch.api.cli.app import app, fail
from evsearch.errors import EvsearchError

IndexOpt = typer.Option(None, "--index", "-i", help="Index directory (default: setting 'index', EVSEARCH_INDEX).")


@app.command()
def serve(
    index: Optional[Path] = IndexOpt,
    host: str = typer.Option("127.0.0.1", help="Interface to bind; keep loopback unless behind a proxy."),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port (0 picks a free one)."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Serve the JSON API, its /docs and the search page over HTTP (uvicorn)."""
    import uvicorn

    from evsearch.api.http import create_app

    try:
        web = create_app(index)
        web.state.worker.open()  # a bad index is one line here, not a traceback from uvicorn
    except EvsearchError as exc:
        fail(exc)
    # proxy_headers off: the trusted_proxies setting alone decides whose X-Forwarded-For is believed (auth.py)
    uvicorn.run(web, host=host, port=port, log_level=log_level, access_log=log_level == "debug", proxy_headers=False)


@app.command()
def mcp(index: Optional[Path] = IndexOpt) -> None:
    """Serve the search tools to AI assistants over MCP (stdio)."""
    from evsearch.api.mcp_server import serve_stdio

    try:
        serve_stdio(index)
    except EvsearchError as exc:
        fail(exc)
