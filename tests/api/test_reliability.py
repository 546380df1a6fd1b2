"""The server as a hostile or unlucky client finds it: keys, brakes, refused writes, copies, paths, MCP arguments.

Each test is one failure once found by hand (issue 11), now held by a real
uvicorn server on loopback over a copy of the session index.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from api_helpers import EVSEARCH, FIXTURE_REPORT, SECOND_ID, LiveServer, assert_error_shape, evsearch_env, serve_app

from evsearch.store.generations import writer_lock

KEY = "clé-secrète-ü"  # non-ASCII: must match when sent as the UTF-8 bytes a client types
LIMIT = 3


@pytest.fixture(scope="module")
def write_index(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("reliability-index") / "index"
    shutil.copytree(index_dir, copy)
    return copy


@pytest.fixture(scope="module")
def server(write_index: Path) -> Iterator[LiveServer]:
    with serve_app(write_index, api_key=KEY, max_upload_mb="1", auth_failures_per_minute=str(LIMIT)) as live:
        yield live


@pytest.fixture()
def wc(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=300) as c:
        yield c


def _report(marker: str) -> bytes:
    text = FIXTURE_REPORT.read_text("utf-8")
    extra = f"13. Inspectors read about a {marker} that young people designed themselves.\n"
    return text.replace("Record of main findings", extra + "\nRecord of main findings").encode("utf-8")


def _upload(c: httpx.Client, name: str, content: bytes, key: bytes = KEY.encode("utf-8"), **headers) -> httpx.Response:
    return c.post("/reports?wait=true", files={"file": (name, content)}, headers={"X-API-Key": key, **headers})


def test_a_non_ascii_key_matches_as_the_utf8_bytes_sent(wc: httpx.Client) -> None:
    r = _upload(wc, "garden.txt", _report("rooftop garden"))
    assert r.status_code == 201, r.text
    # the same characters sent as latin-1 bytes are not the key
    assert_error_shape(_upload(wc, "garden.txt", _report("rooftop garden"), key=KEY.encode("latin-1")), 401)


def test_repeated_wrong_keys_get_429_with_retry_after(write_index: Path) -> None:
    # a fresh server: the brake counts the peer (127.0.0.1), which the test above already failed once from
    with serve_app(write_index, api_key=KEY, auth_failures_per_minute=str(LIMIT)) as live, \
            httpx.Client(base_url=live.url, timeout=60, headers={"X-Forwarded-For": "ignored"}) as c:  # fmt: skip
        statuses = [_upload(c, "x.txt", b"1. Text.\n", key=b"guess-%d" % n).status_code for n in range(LIMIT)]
        assert statuses == [401] * LIMIT
        blocked = _upload(c, "x.txt", b"1. Text.\n", key=KEY.encode("utf-8"))  # even the right key waits now
        body = assert_error_shape(blocked, 429)
        assert body["error"] == "TooManyRequestsError" and 1 <= int(blocked.headers["retry-after"]) <= 60


def test_an_upload_refused_while_another_writer_works_leaves_no_file(write_index: Path) -> None:
    # a fresh server, so the brake of the test above does not apply
    with serve_app(write_index, api_key=KEY) as live, httpx.Client(base_url=live.url, timeout=300) as c:
        before = sorted((write_index / "uploads").glob("*")) if (write_index / "uploads").exists() else []
        with writer_lock(write_index):  # `evsearch index` is running
            r = _upload(c, "busy.txt", _report("busy signal"))
        assert assert_error_shape(r, 409)["error"] == "IndexBusyError"
        after = sorted((write_index / "uploads").glob("*"))
        assert after == before  # nothing left behind that the index does not hold
        assert str(write_index) not in r.text  # no server path in the message


def test_same_bytes_under_another_name_are_one_report(write_index: Path) -> None:
    with serve_app(write_index, api_key=KEY) as live, httpx.Client(base_url=live.url, timeout=300) as c:
        content = _report("paper lantern")
        first = _upload(c, "lantern.txt", content)
        second = _upload(c, "Lantern (copy).txt", content)
        assert first.status_code == second.status_code == 201, (first.text, second.text)
        report_id = first.json()["report_id"]
        assert second.json()["report_id"] == report_id
        listed = [r["report_id"] for r in c.get("/reports").json()]
        assert listed.count(report_id) == 1 and len(listed) == len(set(listed))
        judgements = c.get("/judgements", params={"la": "Northmoor"}).json()
        keys = [(j["report_id"], j["part"], j["title"]) for j in judgements]
        assert len(keys) == len(set(keys))
        stored = sorted(p.name for p in (write_index / "uploads").iterdir() if "lantern" in p.name)
        assert len(stored) == 2  # both files kept: the second is recorded as another path of the report


def test_no_server_paths_in_answers(wc: httpx.Client, write_index: Path) -> None:
    health = wc.get("/healthz")
    assert health.status_code == 200 and str(write_index.parent) not in health.text
    missing = wc.get("/reports/no-such-report")
    assert_error_shape(missing, 404)
    assert "/" not in missing.json()["message"].replace("'no-such-report'", "")
    report = wc.get(f"/reports/{SECOND_ID}").json()
    assert report["path"] == f"{SECOND_ID}.txt"


def test_mcp_tools_refuse_unknown_arguments_and_odd_digits(index_dir: Path) -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from evsearch.api.mcp_server import build_server
    from evsearch.api.worker import EngineWorker

    worker = EngineWorker(index_dir)
    try:
        server = build_server(worker)
        with pytest.raises(ToolError, match="colour"):
            anyio.run(server.call_tool, "search_evidence", {"query": "kayak", "colour": "blue"})
        with pytest.raises(ToolError, match="no judgement '²'"):
            anyio.run(server.call_tool, "evidence_for_judgement", {"report_id": SECOND_ID, "judgement": "²"})
        with pytest.raises(ToolError, match="out of range"):
            anyio.run(server.call_tool, "evidence_for_judgement", {"report_id": SECOND_ID, "judgement": "9" * 30})
        with pytest.raises(ToolError) as missing:
            anyio.run(server.call_tool, "get_report", {"report_id": "nowhere"})
        assert str(index_dir) not in str(missing.value) and "nowhere" in str(missing.value)
    finally:
        worker.close()


def test_cli_answers_odd_digits_and_reports_a_bug_in_one_line(index_dir: Path) -> None:
    odd = subprocess.run([EVSEARCH, "search", "²²²²", "--index", str(index_dir), "--json"], env=evsearch_env(),
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert odd.returncode == 0 and "Traceback" not in odd.stderr, odd.stderr
    assert json.loads(odd.stdout)["query"] == "²²²²"
    bug = (
        "import sys\n"
        "from evsearch.api.cli import main\n"
        "from evsearch.api.cli.app import app\n"
        "@app.command('boom')\n"
        "def boom() -> None:\n"
        "    raise RuntimeError('disk on fire\\nsecond line')\n"
        "sys.argv = ['evsearch', 'boom']\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", bug], env=evsearch_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 70
    assert proc.stderr.startswith("error: unexpected RuntimeError: disk on fire (a bug;") and proc.stderr.count("\n") == 1
