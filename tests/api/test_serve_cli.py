"""`evsearch serve` as users start it: a real process on a free loopback port."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from api_helpers import EVSEARCH, FIXTURE_ID, evsearch_env, free_port, wait_http


def test_serve_answers_search_and_page_then_stops_cleanly(index_dir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [EVSEARCH, "serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port)],
        env=evsearch_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = wait_http(f"{base}/healthz", proc)
        assert health.status_code == 200 and health.json()["stats"]["reports"] == 2
        hits = httpx.get(f"{base}/search", params={"q": "lighthouse panel"}, timeout=60).json()["hits"]
        assert hits[0]["report_id"] == FIXTURE_ID and hits[0]["number"] == 7
        assert httpx.get(base + "/", timeout=10).headers["content-type"].startswith("text/html")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_serve_with_missing_index_fails_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [EVSEARCH, "serve", "--index", str(tmp_path / "absent"), "--port", str(free_port())],
        env=evsearch_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr


def test_serve_rejects_a_bad_port() -> None:
    proc = subprocess.run([EVSEARCH, "serve", "--port", "70000"], env=evsearch_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "65535" in proc.stderr
