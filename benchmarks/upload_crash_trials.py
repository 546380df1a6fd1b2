"""Crash trials of the durable upload queue: upload, kill -9 at a random moment, restart, count losses.

Each trial starts `evsearch serve` (with an API key) on a free loopback port,
uploads a report with a marker of its own, waits for the 202, then SIGKILLs
the server after a random delay (0 to ``--max-delay`` seconds, default 1: the job may be
queued, mid-build, or done by then). A second server is started on the same
index; the trial polls ``GET /jobs/{id}`` until the job is finished and
checks that the report is listed exactly once and found by its marker. The
run prints one JSON line: trials, lost (job unknown, failed, or report not
indexed), doubled (listed more than once), and the job states seen at the
kill.

    .venv/bin/python benchmarks/upload_crash_trials.py                    # 20 trials, fixture index
    .venv/bin/python benchmarks/upload_crash_trials.py --trials 8 --max-delay 3 --seed 7

With no --index it indexes the repository's two own-words fixture reports
(tests/api/data) into a temporary folder first; --index DIR is copied, never
written.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from loopback import free_port, server_env, wait_healthy

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "api" / "data"
FIXTURE = DATA / "northmoor-2019-fixture-report.txt"
EVSEARCH = str(Path(sys.executable).with_name("evsearch"))
KEY = "crash-trial-key"


def _start(index: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([EVSEARCH, "serve", "--index", str(index), "--host", "127.0.0.1", "--port", str(port)],
                            env=server_env(KEY), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    return proc, base


def _report(marker: str) -> bytes:
    text = FIXTURE.read_text("utf-8")
    extra = f"13. Inspectors noted the {marker} register that staff keep for every visit.\n"
    return text.replace("Record of main findings", extra + "\nRecord of main findings").encode("utf-8")


def trial(index: Path, n: int, delay: float) -> dict:
    marker = f"crashtrial{n:03d}"
    proc, base = _start(index)
    try:
        r = httpx.post(base + "/reports", files={"file": (f"trial {n}.txt", _report(marker))},
                       headers={"X-API-Key": KEY}, timeout=60)  # fmt: skip
        r.raise_for_status()
        job_id = r.json()["job_id"]
        time.sleep(delay)
        state = httpx.get(f"{base}/jobs/{job_id}", timeout=30).json()["state"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    proc, base = _start(index)
    try:
        while True:
            job = httpx.get(f"{base}/jobs/{job_id}", timeout=30)
            if job.status_code != 200 or job.json()["state"] in ("done", "failed"):
                break
            time.sleep(0.1)
        body = job.json()
        report_id = body.get("result", {}).get("report_id")
        listed = [x["report_id"] for x in httpx.get(base + "/reports", timeout=30).json()]
        hits = httpx.get(base + "/search", params={"q": f"{marker} register", "k": 3}, timeout=60).json()["hits"]
        found = bool(hits) and hits[0]["report_id"] == report_id and marker in hits[0]["text"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    return {"state_at_kill": state, "job": body.get("state"), "lost": body.get("state") != "done" or not found,
            "doubled": listed.count(report_id) > 1}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="index to copy (default: index the fixture reports)")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--max-delay", type=float, default=1.0, help="longest wait between the 202 and the kill")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="evsearch-crash-") as tmp:
        index = Path(tmp) / "index"
        if args.index:
            shutil.copytree(args.index, index)
        else:
            src = Path(tmp) / "src"
            src.mkdir()
            for name in ("northmoor-2019-fixture-report.txt", "ashcombe-2010-fixture-report.txt"):
                shutil.copy(DATA / name, src / name)
            subprocess.run([EVSEARCH, "index", str(src), "--index", str(index)], env=server_env(KEY), check=True,
                           capture_output=True)  # fmt: skip
        results = [trial(index, n, rng.uniform(0, args.max_delay)) for n in range(args.trials)]
    print(json.dumps({
        "trials": len(results),
        "lost": sum(r["lost"] for r in results),
        "doubled": sum(r["doubled"] for r in results),
        "state_at_kill": dict(Counter(r["state_at_kill"] for r in results)),
        "max_delay_s": args.max_delay,
        "seed": args.seed,
    }))


if __name__ == "__main__":
    main()
