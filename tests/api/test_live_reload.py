"""A running server picks up reports that `evsearch index` adds in another process."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx

from api_helpers import EVSEARCH, FIXTURE_ID, FIXTURE_REPORT, evsearch_env, serve_app

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "sample-report.txt"


def _index(src: Path, out: Path) -> None:
    proc = subprocess.run([EVSEARCH, "index", str(src), "--index", str(out)], capture_output=True, text=True,
                          env=evsearch_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_server_sees_a_new_generation_without_restart(tmp_path: Path) -> None:
    src, out = tmp_path / "reports", tmp_path / "index"
    src.mkdir()
    shutil.copy(FIXTURE_REPORT, src / FIXTURE_REPORT.name)
    _index(src, out)
    with serve_app(out) as server:
        before = httpx.get(f"{server.url}/reports", timeout=30).json()
        assert [r["report_id"] for r in before] == [FIXTURE_ID]

        shutil.copy(SAMPLE, src / SAMPLE.name)
        _index(src, out)  # another process publishes a new generation
        deadline, ids = time.monotonic() + 20, []
        while time.monotonic() < deadline:
            ids = sorted(r["report_id"] for r in httpx.get(f"{server.url}/reports", timeout=30).json())
            if len(ids) == 2:
                break
            time.sleep(0.5)
        assert ids == sorted([FIXTURE_ID, "sample-report"])
        hits = httpx.get(f"{server.url}/search", params={"q": "pathway plans for care leavers", "k": 3}, timeout=30)
        assert hits.status_code == 200
        assert "sample-report" in {h["report_id"] for h in hits.json()["hits"]}
