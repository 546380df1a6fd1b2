"""POST /reports answers 202 with a job; GET /jobs/{id} follows it; reads never wait on the write thread.

The write server works on a copy of the session index, so uploads here cannot
change what the read-only tests see.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_helpers import FIXTURE_REPORT, LiveServer, assert_error_shape, serve_app

KEY = "jobs-key-41c9"


@pytest.fixture(scope="module")
def jobs_server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    copy = tmp_path_factory.mktemp("jobs-index") / "index"
    shutil.copytree(index_dir, copy)
    with serve_app(copy, api_key=KEY) as server:
        yield server


@pytest.fixture()
def jc(jobs_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=jobs_server.url, timeout=300) as c:
        yield c


def _wait_for(jc: httpx.Client, job_id: str) -> dict:
    """Poll until the job is finished (bounded by the job, not by a clock)."""
    while True:
        body = jc.get(f"/jobs/{job_id}").json()
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.05)


def _report(marker: str) -> bytes:
    text = FIXTURE_REPORT.read_text("utf-8")
    extra = f"13. Inspectors found a {marker} that care leavers use to plan their budgets.\n"
    return text.replace("Record of main findings", extra + "\nRecord of main findings").encode("utf-8")


def test_upload_answers_202_and_the_job_gives_the_report(jc: httpx.Client) -> None:
    r = jc.post("/reports", files={"file": ("Quillby report.txt", _report("quillwort ledger"))}, headers={"X-API-Key": KEY})
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["state"] in ("queued", "running") and r.headers["location"] == f"/jobs/{accepted['job_id']}"
    done = _wait_for(jc, accepted["job_id"])
    assert done["state"] == "done", done
    result = done["result"]
    assert result["filename"] == "Quillby report.txt" and result["indexed"]["indexed"] == 1
    hits = jc.get("/search", params={"q": "quillwort ledger", "k": 3}).json()["hits"]
    assert hits and hits[0]["report_id"] == result["report_id"] and "quillwort" in hits[0]["text"]


def test_a_failed_job_keeps_its_error(jc: httpx.Client) -> None:
    r = jc.post("/reports", files={"file": ("empty.txt", b"\n\n   \n")}, headers={"X-API-Key": KEY})
    if r.status_code != 202:  # refused before any job: the content check caught it
        assert_error_shape(r, r.status_code)
        return
    done = _wait_for(jc, r.json()["job_id"])
    assert done["state"] == "failed" and set(done["error"]) >= {"error", "message"}
    assert "empty.txt" in done["error"]["message"] and "/tmp" not in str(done["error"])  # no server path


def test_wait_true_answers_201_with_the_result(jc: httpx.Client) -> None:
    r = jc.post("/reports", params={"wait": "true"}, files={"file": ("Ryebank.txt", _report("ryebank abacus"))},
                headers={"X-API-Key": KEY})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["indexed"]["paragraphs"] > 0 and r.json()["job_id"]


def test_unknown_job_is_404(jc: httpx.Client) -> None:
    assert assert_error_shape(jc.get("/jobs/0123456789abcdef"), 404)["error"] == "NotFoundError"


def test_searches_are_answered_while_a_write_job_runs(jobs_server: LiveServer, jc: httpx.Client) -> None:
    """A job holding the write thread does not hold up reads (the upload stall of issue 9)."""
    worker = jobs_server.server.config.app.state.worker
    release, started = threading.Event(), threading.Event()

    def slow_write(engine) -> dict:
        started.set()
        release.wait()
        return {"held": True}

    job = worker.submit("test-hold", slow_write)
    started.wait()
    try:
        for q in ("care leavers", "leadership", "health assessments"):
            assert jc.get("/search", params={"q": q}).status_code == 200
        assert jc.get(f"/jobs/{job.job_id}").json()["state"] == "running"
    finally:
        release.set()
    assert _wait_for(jc, job.job_id)["result"] == {"held": True}
