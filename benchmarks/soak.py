"""Soak: N clients of mixed reads for S seconds while an upload is indexed and a generation swaps.

Starts `evsearch serve` (with an API key) in a child process on a free
loopback port, then runs ``--clients`` threads, each on its own keep-alive
connection, cycling through search (with and without filters, paging),
/reports, /reports/{id}, /reports/{id}/paragraphs/{n}, /judgements and
/judgements/{id}/evidence. Meanwhile a writer thread uploads a new report
through POST /reports (indexed by the server, which then swaps generation)
and afterwards runs `evsearch index` on a further report in a separate
process (a generation published from outside, picked up by the server).
Any non-2xx answer or transport error is an error; the run prints one JSON
line: requests, errors, throughput, p50/p99/max latency, and the writes.

    .venv/bin/python benchmarks/soak.py                      # fixture index, 8 clients x 60 s
    .venv/bin/python benchmarks/soak.py --index DIR --seconds 60 --clients 8

With no --index it indexes the repository's two own-words fixture reports
(tests/api/data) into a temporary folder first. tests/api/test_soak.py runs
``soak()`` and asserts zero errors.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from loopback import free_port, server_env, wait_healthy

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "api" / "data"
EVSEARCH = str(Path(sys.executable).with_name("evsearch"))
KEY = "soak-key"

QUERIES = (
    {"q": "health assessments for children in care"},
    {"q": "social workers change too often", "k": "5"},
    {"q": "children who go missing from home", "grade": "adequate"},
    {"q": "foster carers training", "offset": "5"},
    {"q": "inadequate overall effectiveness"},
    {"q": "education of looked after children", "year": "2010"},
    {"q": "plans lack clear actions", "la": "Northmoor"},
    {"q": "dental checks", "section": "Being healthy"},
)


def _variant(marker: str) -> bytes:
    """One of our fixture reports with a sentence of its own, so its bytes are new."""
    text = (DATA / "northmoor-2019-fixture-report.txt").read_text("utf-8")
    extra = f"13. Inspectors were shown a {marker} that care leavers use to plan their first home.\n"
    return text.replace("Record of main findings", extra + "\nRecord of main findings").encode("utf-8")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _reader(base: str, n: int, stop: threading.Event, out: dict, lock: threading.Lock) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    with httpx.Client(base_url=base, timeout=60) as c:
        judgements = c.get("/judgements").json()
        reports = [r["report_id"] for r in c.get("/reports").json()]
        cited = [(h["report_id"], h["number"]) for rid in reports
                 for h in c.get("/search", params={"q": "children", "report": rid, "k": 10}).json()["hits"]
                 if h["number"] is not None]  # fmt: skip
        i = n
        while not stop.is_set():
            kind = i % 8
            if kind < 3:
                method, url, params = "GET", "/search", QUERIES[i % len(QUERIES)]
            elif kind == 3:
                method, url, params = "GET", "/reports", {}
            elif kind == 4:
                method, url, params = "GET", f"/reports/{reports[i % len(reports)]}", {}
            elif kind == 5:
                report_id, number = cited[i % len(cited)]
                method, url, params = "GET", f"/reports/{report_id}/paragraphs/{number}", {}
            elif kind == 6:
                method, url, params = "GET", "/judgements", {"grade": ("good", "adequate", "inadequate")[i % 3]}
            else:
                method, url, params = "GET", f"/judgements/{judgements[i % len(judgements)]['judgement_id']}/evidence", {"k": "5"}
            t0 = time.perf_counter()
            try:
                r = c.request(method, url, params=params)
                if r.status_code >= 300:
                    errors.append(f"{r.status_code} {url}: {r.text[:200]}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {url}: {exc}")
            latencies.append(time.perf_counter() - t0)
            i += 1
    with lock:
        out["latencies"].extend(latencies)
        out["errors"].extend(errors)


def _writer(base: str, index_dir: Path, start_after: float, out: dict) -> None:
    """Upload a report through the server, then publish another generation from outside."""
    time.sleep(start_after)
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, timeout=600) as c:
        r = c.post("/reports?wait=true", files={"file": ("soak upload.txt", _variant("paper map"))},
                   headers={"X-API-Key": KEY})  # answers once indexed (201)
        out["upload"] = {"status": r.status_code, "seconds": round(time.perf_counter() - t0, 2)}
        if r.status_code >= 300:
            out["errors"].append(f"upload {r.status_code}: {r.text[:300]}")
    folder = Path(tempfile.mkdtemp(prefix="evsearch-soak-"))
    try:
        (folder / "soak-external.txt").write_bytes(_variant("cardboard model"))
        t0 = time.perf_counter()
        proc = subprocess.run([EVSEARCH, "index", str(folder), "--index", str(index_dir)], env=server_env(KEY),
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        out["external_index"] = {"rc": proc.returncode, "seconds": round(time.perf_counter() - t0, 2)}
        if proc.returncode != 0:
            out["errors"].append(f"evsearch index failed: {proc.stderr[-300:]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def soak(index_dir: Path, *, seconds: float = 60.0, clients: int = 8) -> dict:
    """Run the soak against a server over ``index_dir`` (which it writes to); returns the figures."""
    port = free_port()
    server = subprocess.Popen([EVSEARCH, "serve", "--index", str(index_dir), "--port", str(port), "--log-level",
                               "warning"], env=server_env(KEY), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        generation_before = httpx.get(f"{base}/healthz", timeout=30).json()["stats"]["generation"]
        out: dict = {"latencies": [], "errors": []}
        lock = threading.Lock()
        stop = threading.Event()
        readers = [threading.Thread(target=_reader, args=(base, n, stop, out, lock)) for n in range(clients)]
        writer = threading.Thread(target=_writer, args=(base, index_dir, min(5.0, seconds / 6), out))
        started = time.perf_counter()
        for t in readers:
            t.start()
        writer.start()
        time.sleep(seconds)
        writer.join()  # the writes must finish inside the run; a slow machine stretches it
        stop.set()
        for t in readers:
            t.join()
        elapsed = time.perf_counter() - started
        health = httpx.get(f"{base}/healthz", timeout=30).json()
    finally:
        server.terminate()
        server.wait(timeout=60)
    latencies = out["latencies"]
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": len(out["errors"]),
        "error_samples": out["errors"][:5],
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=0) * 1000, 1),
        "upload": out.get("upload"),
        "external_index": out.get("external_index"),
        "generation_before": generation_before,
        "generation_after": health["stats"]["generation"],
        "reports_after": health["stats"]["reports"],
    }


def fixture_index(folder: Path) -> Path:
    """Index the repository's two own-words fixture reports into ``folder``/index with the real CLI."""
    index_dir = folder / "index"
    reports = [str(DATA / "northmoor-2019-fixture-report.txt"), str(DATA / "ashcombe-2010-fixture-report.txt")]
    proc = subprocess.run([EVSEARCH, "index", *reports, "--index", str(index_dir)], env=server_env(KEY),
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"evsearch index failed: {proc.stderr}")
    return index_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index to COPY and soak (default: the fixture reports)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evsearch-soak-index-"))
    try:
        if args.index:
            index_dir = work / "index"
            shutil.copytree(args.index, index_dir)
        else:
            index_dir = fixture_index(work)
        print(json.dumps(soak(index_dir, seconds=args.seconds, clients=args.clients)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
