"""Which answer a request wants (a page or JSON), and the static pages that are the HTML answers.

WHY content negotiation: a link to ``/authorities/leeds`` or ``/reports/{id}#p-12``
should open a readable page in a browser and give a program JSON, so one URL
is both the citation and the data (Datasette's habit). A browser's navigation
asks for ``text/html`` first; ``fetch`` from our own pages and API clients ask
for JSON (or anything), and get JSON.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent / "static"


def wants_html(request: Request) -> bool:
    """True when the client prefers HTML over JSON (a browser opening the URL)."""
    accept = request.headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    json_at = accept.find("application/json")
    return json_at < 0 or accept.find("text/html") < json_at


def page(name: str) -> FileResponse:
    """A static page shell; its script reads the same URL as JSON.

    ``Vary: Accept`` keeps a browser from answering the script's JSON fetch with this page from its cache.
    """
    return FileResponse(STATIC / name, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
