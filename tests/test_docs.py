"""The docs cannot drift from the code: every setting, command and route is documented."""

from __future__ import annotations

from pathlib import Path

from evsearch import config

REPO = Path(__file__).resolve().parents[1]


def test_configuration_doc_embeds_the_settings_table() -> None:
    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert config.markdown_table() in doc, "regenerate with: python -m evsearch.config"


def test_every_cli_command_is_in_the_readme() -> None:
    from evsearch.api.cli import app

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    assert {"parse", "index", "search", "eval", "serve", "mcp"} <= set(names)
    for name in names:
        assert f"evsearch {name}" in readme, f"command {name!r} is not documented in README.md"


def test_every_http_route_is_in_the_api_doc(tmp_path: Path) -> None:
    from fastapi.routing import APIRoute

    from evsearch.api.http import create_app

    # Building the app opens nothing: the engine is opened on first request.
    app = create_app(tmp_path / "no-index")
    doc = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    routes = [
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in sorted(route.methods - {"HEAD", "OPTIONS"})
    ]
    assert len(routes) >= 8
    for method, path in routes:
        assert f"{method} {path}" in doc, f"{method} {path} is not documented in docs/api.md"
