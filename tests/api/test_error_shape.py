"""One JSON error shape across every endpoint and every way of failing (after Datasette's test_error_shape).

Bad parameters are 400/422, unknown ids 404, disabled writes 403, wrong
methods 405, and client input never produces a 500.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from api_helpers import SEED_ID, LiveServer, assert_error_shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    ("GET", f"/reports/{SEED_ID}/paragraphs/99999", 404, "NotFoundError"),
    ("GET", f"/reports/{SEED_ID}/paragraphs/two", 422, "ValidationError"),
    ("GET", f"/reports/{SEED_ID}/paragraphs/-3", 422, "ValidationError"),
    ("GET", "/judgements?grade=splendid", 400, "UnknownGradeError"),
    ("GET", "/judgements/99999999/evidence", 404, "NotFoundError"),
    ("GET", "/judgements/abc/evidence", 422, "ValidationError"),
    ("GET", "/judgements/1/evidence?k=1000", 422, "ValidationError"),
    ("GET", "/no/such/endpoint", 404, "NotFound"),
    ("DELETE", "/search?q=care", 405, "MethodNotAllowed"),
    ("POST", "/reports", 403, "WritesDisabledError"),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("method", "url", "status", "error"), CASES)
def test_error_shape(client: httpx.Client, method: str, url: str, status: int, error: str) -> None:
    body = assert_error_shape(client.request(method, url), status)
    assert body["error"] == error
    if status == 422:
        assert body["hint"]  # points at /docs


@pytest.mark.corpus
def test_validation_message_names_the_field(client: httpx.Client) -> None:
    body = assert_error_shape(client.get("/search", params={"q": "care", "k": 500}), 422)
    assert body["message"].startswith("k:")
    body = assert_error_shape(client.get("/search", params={"q": "care", "grade": "splendid"}), 400)
    assert "splendid" in body["message"] and "inadequate" in body["hint"]


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300)


@pytest.mark.corpus
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=_text,
    grade=st.one_of(st.none(), _text),
    la=st.one_of(st.none(), _text),
    report_id=_text.filter(lambda s: "/" not in s),
    k=st.one_of(st.none(), st.integers(-5, 500), _text),
)
def test_client_input_never_causes_500(
    live_server: LiveServer, q: str, grade: str | None, la: str | None, report_id: str, k: object
) -> None:
    params = {"q": q, "grade": grade, "la": la, "k": k, "theme": la, "section": grade}
    params = {key: value for key, value in params.items() if value is not None}
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        for response in (
            c.get("/search", params=params),
            c.get("/reports", params={"la": la} if la else {}),
            c.get("/judgements", params={"grade": grade} if grade else {}),
            c.get(f"/reports/{quote(report_id, safe='') or 'x'}"),
        ):
            assert response.status_code < 500, (response.request.url, response.text)
            if response.status_code >= 400:
                assert_error_shape(response, response.status_code)


def test_unexpected_errors_are_500_in_the_same_shape_without_internals() -> None:
    """A bug (not client input) is logged and answered with the shape, no traceback or message leak."""
    from fastapi import FastAPI

    from evsearch.api.errors_http import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail /etc/evsearch")

    with LiveServer(app) as server:
        response = httpx.get(f"{server.url}/boom", timeout=30)
    body = assert_error_shape(response, 500)
    assert body["error"] == "InternalError"
    assert "secret" not in response.text
