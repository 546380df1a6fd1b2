"""An upload answered 202 survives kill -9: the job id still answers after a restart and the report is indexed.

A real `evsearch serve` process on loopback over a copy of the session index.
The first server holds its write thread back (setting write_delay_seconds),
so the job is certainly still queued when it is killed; the restarted server
runs it from the journal (<index>/jobs.sqlite).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from api_helpers import EVSEARCH, FIXTURE_REPORT, assert_error_shape, evsearch_env, free_port, serve_app, wait_http

from evsearch.store.generations import writer_lock

KEY = "durable-key-7e21"


@contextmanager
def _serve(index: Path, **settings: str) -> Iterator[tuple[subprocess.Popen, str]]:
    port = free_port()
    env = evsearch_env(EVSEARCH_API_KEY=KEY, **{f"EVSEARCH_{k.upper()}": v for k, v in settings.items()})
    proc = subprocess.Popen(
        [EVSEARCH, "serve", "--index", str(index), "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/healthz", proc)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=60)


def _wait_for(c: httpx.Client, job_id: str) -> dict:
    """Poll until the job is finished; the deadline only stops a hang (a job never run), it times nothing."""
    deadline = time.monotonic() + 600
    while (body := c.get(f"/jobs/{job_id}").json())["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, f"job never finished: {body}"
        time.sleep(0.05)
    return body


def _report(marker: str) -> bytes:
    text = FIXTURE_REPORT.read_text("utf-8")
    extra = f"13. Inspectors saw a {marker} that the children's council keeps up to date.\n"
    return text.replace("Record of main findings", extra + "\nRecord of main findings").encode("utf-8")


@pytest.fixture()
def write_index(index_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    return copy


def test_an_accepted_upload_survives_kill_9_and_is_indexed_after_restart(write_index: Path) -> None:
    with _serve(write_index, write_delay_seconds="3600") as (proc, base), httpx.Client(base_url=base, timeout=60) as c:
        r = c.post("/reports", files={"file": ("Fernhollow report.txt", _report("fernhollow almanac"))},
                   headers={"X-API-Key": KEY})  # fmt: skip
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        assert c.get(f"/jobs/{job_id}").json()["state"] == "queued"  # held back by write_delay_seconds
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert [p.suffix for p in (write_index / "uploads").iterdir()] == [".txt"]  # the file was kept
    (write_index / "uploads" / ".upload-half-written.tmp").write_bytes(b"a write cut short by a kill")
    with _serve(write_index) as (_, base), httpx.Client(base_url=base, timeout=300) as c:
        done = _wait_for(c, job_id)
        assert done["state"] == "done", done
        assert done["result"]["filename"] == "Fernhollow report.txt" and done["result"]["indexed"]["indexed"] == 1
        hits = c.get("/search", params={"q": "fernhollow almanac", "k": 3}).json()["hits"]
        assert hits and hits[0]["report_id"] == done["result"]["report_id"] and "fernhollow" in hits[0]["text"]
        reports = [r["report_id"] for r in c.get("/reports").json()]
        assert reports.count(done["result"]["report_id"]) == 1
    assert [p.name.startswith(".upload-") for p in (write_index / "uploads").iterdir()] == [False]
    # a third start finds the job finished: it answers the same and nothing is indexed twice
    with _serve(write_index) as (_, base), httpx.Client(base_url=base, timeout=60) as c:
        assert c.get(f"/jobs/{job_id}").json() == done
        assert len(c.get("/reports").json()) == len(reports)


@pytest.mark.parametrize("point", ["before-swap", "after-swap"])
def test_a_server_killed_while_indexing_finishes_the_job_after_restart(write_index: Path, point: str) -> None:
    """Killed mid-job (EVSEARCH_CRASH_AT SIGKILLs the server inside the build): the job runs again, or, when
    the generation was already published, is marked done from the index; the report is held once."""
    reports_before = len(list((write_index / "uploads").glob("*"))) if (write_index / "uploads").exists() else 0
    with _serve(write_index, crash_at=point) as (proc, base), httpx.Client(base_url=base, timeout=60) as c:
        r = c.post("/reports", files={"file": ("Oxlade.txt", _report("oxlade weathervane"))},
                   headers={"X-API-Key": KEY})  # fmt: skip
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        assert proc.wait(timeout=600) == -signal.SIGKILL  # the crash point fired inside the job
    assert len(list((write_index / "uploads").glob("*"))) == reports_before + 1
    with _serve(write_index) as (_, base), httpx.Client(base_url=base, timeout=300) as c:
        done = _wait_for(c, job_id)
        assert done["state"] == "done", done
        summary = done["result"]["indexed"]
        assert (summary["indexed"], summary["unchanged"]) == ((1, 0) if point == "before-swap" else (0, 1))
        hits = c.get("/search", params={"q": "oxlade weathervane", "k": 3}).json()["hits"]
        assert hits and hits[0]["report_id"] == done["result"]["report_id"]
        listed = [r["report_id"] for r in c.get("/reports").json()]
        assert listed.count(done["result"]["report_id"]) == 1


def test_a_failed_job_names_no_server_path(write_index: Path) -> None:
    """GET /jobs/{id} strips paths from a job's error exactly as the ?wait=true answer does (fault 4)."""
    with serve_app(write_index, api_key=KEY) as live, httpx.Client(base_url=live.url, timeout=300) as c:
        with writer_lock(write_index):  # `evsearch index` is running: the job fails with IndexBusyError
            r = c.post("/reports", files={"file": ("busy.txt", _report("busy signal"))}, headers={"X-API-Key": KEY})
            assert r.status_code == 202, r.text
            failed = _wait_for(c, r.json()["job_id"])
            waited = c.post("/reports?wait=true", files={"file": ("busy.txt", _report("busy signal"))},
                            headers={"X-API-Key": KEY})  # fmt: skip
        assert failed["state"] == "failed" and failed["error"]["error"] == "IndexBusyError"
        assert str(write_index.parent) not in str(failed) and "/" not in failed["error"]["message"]
        assert failed["error"] == assert_error_shape(waited, 409)  # one conversion for both


def test_an_unreadable_journal_does_not_stop_reads(write_index: Path) -> None:
    """Reads go on; an upload is refused in one line that names the journal, not the index."""
    (write_index / "jobs.sqlite").write_bytes(b"this is not a SQLite database, it was overwritten " * 100)
    with serve_app(write_index, api_key=KEY) as live, httpx.Client(base_url=live.url, timeout=60) as c:
        assert c.get("/search", params={"q": "kayak club"}).status_code == 200
        r = c.post("/reports", files={"file": ("x.txt", _report("lost ledger"))}, headers={"X-API-Key": KEY})
        body = assert_error_shape(r, 500)
        assert body["error"] == "IndexCorruptError" and "write journal jobs.sqlite" in body["message"]
        assert str(write_index) not in r.text and "aside" in body["hint"]
    assert not list((write_index / "uploads").glob("x-*"))  # refused, so not kept
