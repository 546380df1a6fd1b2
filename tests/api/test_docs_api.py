"""Every HTTP route and both serve commands are documented (a new endpoint without docs fails here)."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from evsearch.api import routes_read, routes_write

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_route_is_in_docs_api_md() -> None:
    doc = (DOCS / "api.md").read_text("utf-8")
    routes = [r for r in routes_read.router.routes + routes_write.router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 8
    for route in routes:
        for method in route.methods:
            assert f"`{method} {route.path}" in doc, f"{method} {route.path} is not documented in docs/api.md"


def test_serve_commands_are_documented() -> None:
    assert "evsearch serve" in (DOCS / "api.md").read_text("utf-8")
    assert "evsearch mcp" in (DOCS / "mcp.md").read_text("utf-8")
