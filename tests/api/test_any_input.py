"""Property: no client input makes a 5xx, drops the keep-alive connection or escapes a tool's errors.

Every GET route the app declares (found from the app itself, so new routes
are covered without editing this file) gets arbitrary Unicode, huge and
negative integers and digit look-alikes ("²", "٣") in every path and query
parameter, over ONE keep-alive connection to a real uvicorn server: each
answer must be < 500 in the one error shape, and the socket must still be the
same open one afterwards. POST /reports gets arbitrary names, bytes and keys.
Every MCP tool gets arbitrary values for its arguments (and an unknown one):
it must answer, or fail with a ToolError carrying a message, never a crash
and never a server path.
"""

from __future__ import annotations

import http.client
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import anyio
import pytest
from api_helpers import LiveServer, serve_app
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsearch.api.params import query_names

KEY = "kéy-ü-7d1f"  # non-ASCII on purpose: compared as the bytes sent

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
_tricky = st.sampled_from(
    ["²", "²²²²", "٣", "1e3", "-0", "NaN", "0x10", " 7 ", "\x00", "9223372036854775807", "9223372036854775808",
     "-9223372036854775809", "１２", "%00", "..", "/", "' OR 1=1 --", 'NEAR("a" "b")', "*", "grade 3"]
)  # fmt: skip
_value = st.one_of(_text, st.integers(-(2**70), 2**70).map(str), _tricky)
_FAST = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _get_routes(app) -> list[tuple[str, list[str], list[str]]]:
    return [
        (r.path, [p.alias for p in r.dependant.path_params], query_names(r.dependant))  # filters' aliases too
        for r in app.routes
        if isinstance(r, APIRoute) and "GET" in r.methods
    ]


class Connection:
    """One keep-alive HTTP/1.1 connection; fails the test if the server ever closes it."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.connect()
        self.sock = self.conn.sock

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        self.conn.request(method, url, body=body, headers=headers or {})
        response = self.conn.getresponse()
        data = response.read()
        assert response.getheader("connection") != "close", (url, response.status, data[:300])
        assert self.conn.sock is self.sock, f"the server closed the connection after {url}"
        return response.status, data


def _check(status: int, data: bytes, url: str) -> None:
    assert status < 500, (url, status, data[:500])
    if status >= 400:
        body = json.loads(data)
        assert {"error", "message"} <= set(body) <= {"error", "message", "hint"}, body
        assert "Traceback" not in body["message"]


@pytest.fixture(scope="module")
def get_connection(live_server: LiveServer) -> Iterator[tuple[Connection, list]]:
    conn = Connection(live_server.port)
    yield conn, _get_routes(live_server.server.config.app)
    conn.conn.close()


@settings(max_examples=250, **_FAST)
@given(data=st.data())
def test_any_get_request_is_answered_below_500_on_the_same_connection(
    get_connection: tuple[Connection, list], data: st.DataObject
) -> None:
    conn, routes = get_connection
    path, path_params, query_params = data.draw(st.sampled_from(routes))
    url = path
    for name in path_params:
        url = url.replace("{" + name + "}", quote(data.draw(_value.filter(bool)), safe=""))
    chosen = data.draw(st.lists(st.sampled_from(query_params), unique=True) if query_params else st.just([]))
    query = {name: data.draw(_value) for name in chosen}
    if "q" in query_params and "q" not in query and data.draw(st.booleans()):
        query["q"] = data.draw(_value)
    if query:
        url += "?" + urlencode(query)
    status, body = conn.request("GET", url)
    _check(status, body, url)


@pytest.fixture(scope="module")
def write_server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    copy = tmp_path_factory.mktemp("any-input-write") / "index"
    shutil.copytree(index_dir, copy)
    with serve_app(copy, api_key=KEY, max_upload_mb="1", auth_failures_per_minute="100000") as server:
        yield server


def _header_value(text: str) -> str:
    """Text a client can send as a header value at all (HTTP forbids control characters there)."""
    return "".join(ch for ch in text if ch >= " " and ch != "\x7f").strip()


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "evsearch-test-boundary-8f2c"
    quoted = name.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n\r\n'
    return head.encode("utf-8") + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@settings(max_examples=40, **_FAST)
@given(
    name=st.one_of(_text, st.sampled_from(["r.pdf", "r.txt", "../../x.txt", "a.PDF", ".txt", "²².txt"])),
    content=st.one_of(st.binary(max_size=2000), st.sampled_from([b"%PDF-1.4\n%%EOF", b"1. Words.\n", b""])),
    key=st.one_of(st.none(), st.just(KEY), _text.map(_header_value)),
)
def test_any_upload_is_answered_below_500(write_server: LiveServer, name: str, content: bytes, key: str | None) -> None:
    body, content_type = _multipart(name, content)
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    if key is not None:
        headers["X-API-Key"] = key.encode("utf-8")
    conn = Connection(write_server.port)
    try:
        status, data = conn.request("POST", "/reports", body=body, headers=headers)
    finally:
        conn.conn.close()
    _check(status, data, f"POST /reports {name!r}")
    if key != KEY:
        assert status in (401, 413, 400, 415), (status, data)  # never indexed without the key


@pytest.fixture(scope="module")
def mcp_tools(index_dir: Path) -> Iterator[tuple[object, dict]]:
    from evsearch.api.mcp_server import build_server
    from evsearch.api.worker import EngineWorker

    worker = EngineWorker(index_dir)
    worker.open()
    server = build_server(worker)
    tools = anyio.run(server.list_tools)
    yield server, {t.name: t.input_schema for t in tools}
    worker.close()


@settings(max_examples=120, **_FAST)
@given(data=st.data())
def test_any_mcp_call_answers_or_fails_with_a_message(mcp_tools: tuple[object, dict], data: st.DataObject) -> None:
    from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError

    server, tools = mcp_tools
    name = data.draw(st.sampled_from(sorted(tools)))
    props = list(tools[name].get("properties", {}))
    chosen = data.draw(st.lists(st.sampled_from(props), unique=True)) if props else []
    anything = st.one_of(_value, st.integers(-(2**70), 2**70), st.none(), st.booleans(), st.floats(allow_nan=True))
    args = {arg: data.draw(anything) for arg in chosen}
    if data.draw(st.integers(0, 9)) == 0:
        args["colour"] = "blue"  # not an argument of any tool
    try:
        result = anyio.run(server.call_tool, name, args)
    except UnexpectedToolError as exc:  # pragma: no cover - the failure we test for
        pytest.fail(f"{name}({args!r}) crashed: {exc.__cause__!r}")
    except ToolError as exc:
        message = str(exc)
        assert message.split(":", 1)[-1].strip(), f"{name}({args!r}) failed without a message"
        assert str(Path.cwd()) not in message and "/tmp/" not in message, message
        if "colour" in args:
            return
    else:
        assert "colour" not in args, f"{name} accepted an unknown argument"
        assert result is not None
