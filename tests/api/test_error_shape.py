"""One JSON error shape across every endpoint and every way of failing (after Datasette's test_error_shape).

Bad parameters are 400/422, unknown ids 404, disabled writes 403, wrong
methods 405; a bug is a 500 in the same shape on a connection that stays
open. That client input never produces a 500 is test_any_input.py's property.
"""

from __future__ import annotations

import http.client
import json

import httpx
import pytest
from api_helpers import SECOND_ID, LiveServer, assert_error_shape

CASES = [
    ("GET", "/search", 422, "ValidationError"),
    ("GET", "/search?q=", 422, "ValidationError"),
    ("GET", "/search?q=care&k=0", 422, "ValidationError"),
    ("GET", "/search?q=care&k=101", 422, "ValidationError"),
    ("GET", "/search?q=care&k=ten", 422, "ValidationError"),
    ("GET", "/search?q=care&offset=-1", 422, "ValidationError"),
    ("GET", "/search?q=care&year=abc", 422, "ValidationError"),
    ("GET", "/search?q=care&year=1066", 422, "ValidationError"),
    ("GET", "/search?q=care&grade=splendid", 400, "UnknownGradeError"),
    ("GET", "/search?q=%20%20%20", 400, "InputError"),
    ("GET", "/reports?year=soon", 422, "ValidationError"),
    ("GET", "/reports/no-such-report", 404, "NotFoundError"),
    ("GET", "/reports/no-such-report/paragraphs/1", 404, "NotFoundError"),
    ("GET", f"/reports/{SECOND_ID}/paragraphs/99999", 404, "NotFoundError"),
    ("GET", f"/reports/{SECOND_ID}/paragraphs/two", 422, "ValidationError"),
    ("GET", f"/reports/{SECOND_ID}/paragraphs/-3", 422, "ValidationError"),
    ("GET", "/judgements?grade=splendid", 400, "UnknownGradeError"),
    ("GET", "/judgements/99999999/evidence", 404, "NotFoundError"),
    ("GET", "/judgements/abc/evidence", 422, "ValidationError"),
    ("GET", "/judgements/9223372036854775808/evidence", 422, "ValidationError"),  # past SQLite's int64
    ("GET", "/judgements/-1/evidence", 422, "ValidationError"),
    ("GET", "/search?q=care&year=%C2%B2%C2%B2%C2%B2%C2%B2", 422, "ValidationError"),  # "²²²²" is no year
    ("GET", "/judgements/1/evidence?k=1000", 422, "ValidationError"),
    ("GET", "/no/such/endpoint", 404, "NotFound"),
    ("DELETE", "/search?q=care", 405, "MethodNotAllowed"),
    ("POST", "/reports", 403, "WritesDisabledError"),
]


@pytest.mark.parametrize(("method", "url", "status", "error"), CASES)
def test_error_shape(client: httpx.Client, method: str, url: str, status: int, error: str) -> None:
    body = assert_error_shape(client.request(method, url), status)
    assert body["error"] == error
    if status == 422:
        assert body["hint"]  # points at /docs


def test_validation_message_names_the_field(client: httpx.Client) -> None:
    body = assert_error_shape(client.get("/search", params={"q": "care", "k": 500}), 422)
    assert body["message"].startswith("k:")
    body = assert_error_shape(client.get("/search", params={"q": "care", "grade": "splendid"}), 400)
    assert "splendid" in body["message"] and "inadequate" in body["hint"]


def test_unexpected_errors_are_500_in_the_same_shape_without_internals() -> None:
    """A bug (not client input) is logged and answered with the shape, no traceback or message leak."""
    from fastapi import FastAPI

    from evsearch.api.errors_http import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail /etc/evsearch")

    @app.get("/fine")
    async def fine() -> dict:
        return {"ok": True}

    with LiveServer(app) as server:
        response = httpx.get(f"{server.url}/boom", timeout=30)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/boom")
        first = conn.getresponse()
        first.read()
        socket_after_error = conn.sock
        conn.request("GET", "/fine")  # on the same connection: the 500 did not close it
        second = conn.getresponse()
        assert second.status == 200 and json.loads(second.read()) == {"ok": True}
        assert socket_after_error is not None and conn.sock is socket_after_error
        conn.close()
    body = assert_error_shape(response, 500)
    assert body["error"] == "InternalError"
    assert "secret" not in response.text and first.status == 500
    assert first.getheader("connection") != "close"


def test_digits_that_int_cannot_read_are_searched_as_words(client: httpx.Client) -> None:
    """"²" passes str.isdigit() but not int(): it once made /search a 500."""
    response = client.get("/search", params={"q": "²²²²"})
    assert response.status_code == 200, response.text
    assert response.json()["parsed"].get("year") is None
