"""HTTP search latency beside the library's own, in the same run.

Starts `evsearch serve` in a child process on a free loopback port (so the
client's work does not share the server's GIL), then times the same queries
two ways, interleaved query by query after a warm-up pass:

- library: ``Engine.search`` (+ ``to_dict``) called in this process;
- HTTP: ``GET /search`` over a keep-alive httpx connection to the server,
  whose response also reports the server's own engine time (``took_ms``),
  so the HTTP overhead is measured directly.

Prints p50/p95/p99/mean for both and the HTTP overhead, plus a short
concurrent run. Goal: HTTP p50 <= 15 ms, p99 <= 40 ms on the whole-corpus
index built by benchmarks/index_corpus.py.

    .venv/bin/python benchmarks/index_corpus.py --index DIR    # once
    .venv/bin/python benchmarks/http_latency.py --index DIR [--rounds 5] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from loopback import free_port

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
QUERIES_TSV = SHARED / "queries" / "seed-dev.tsv"
EVSEARCH = str(Path(sys.executable).with_name("evsearch"))
GOAL_P50, GOAL_P99 = 15.0, 40.0

# Our own generic queries and filters, added to the dev queries so filters are exercised too.
EXTRA = [
    {"q": "children wait too long for an assessment"},
    {"q": "care leavers accommodation", "grade": "inadequate"},
    {"q": "health of children in care", "grade": "good"},
    {"q": "management oversight of casework", "year": "2019"},
    {"q": "missing from home and exploitation", "k": "20"},
    {"q": "quality of plans", "offset": "10"},
]


def load_queries() -> list[dict]:
    queries: list[dict] = []
    if QUERIES_TSV.exists():
        with open(QUERIES_TSV, encoding="utf-8") as fh:
            seen = set()
            for row in csv.DictReader(fh, delimiter="\t"):
                if row["query"] not in seen:
                    seen.add(row["query"])
                    queries.append({"q": row["query"]})
    return queries + EXTRA


def percentiles(ms: list[float]) -> dict:
    s = sorted(ms)

    def pct(p: float) -> float:
        return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]

    return {"n": len(s), "p50": statistics.median(s), "p95": pct(95), "p99": pct(99), "mean": statistics.fmean(s)}


def paired_latency(index: Path, base: str, queries: list[dict], rounds: int) -> tuple[list[float], list[float], list[float]]:
    """Library and HTTP timings of the same queries, interleaved so both see the same cache and load.

    Both sides are warmed over the whole query list first (the first pass
    pulls the index into the page cache). Returns (library, http, server
    engine time as reported in ``took_ms``), in milliseconds.
    """
    from evsearch.search.engine import Engine

    def kwargs_of(p: dict) -> dict:
        return {key: (int(v) if key in ("k", "offset", "year") else v) for key, v in p.items() if key != "q"}

    lib: list[float] = []
    web: list[float] = []
    took: list[float] = []
    with Engine(index) as engine, httpx.Client(base_url=base, timeout=60) as client:
        for p in queries:  # warm-up, both sides
            engine.search(p["q"], **kwargs_of(p)).to_dict()
            client.get("/search", params=p).raise_for_status()
        for r in range(rounds):
            for p in queries:
                for side in (("lib", "http") if r % 2 == 0 else ("http", "lib")):
                    t0 = time.perf_counter()
                    if side == "lib":
                        engine.search(p["q"], **kwargs_of(p)).to_dict()
                        lib.append((time.perf_counter() - t0) * 1000)
                    else:
                        resp = client.get("/search", params=p)
                        body = resp.json()
                        web.append((time.perf_counter() - t0) * 1000)
                        if resp.status_code != 200:
                            raise SystemExit(f"GET /search {p} -> {resp.status_code} {resp.text[:200]}")
                        took.append(float(body.get("took_ms") or 0.0))
    return lib, web, took


def concurrent_http(base: str, queries: list[dict], clients: int, seconds: float) -> dict:
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=60) as client:
            i = n
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                ok = client.get("/search", params=queries[i % len(queries)]).status_code == 200
                with lock:
                    times.append((time.perf_counter() - t0) * 1000)
                    errors += not ok
                i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = percentiles(times)
    out.update(clients=clients, rps=len(times) / (time.monotonic() - start), errors=errors)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True,
                    help="index of ../shared/corpus, built by: benchmarks/index_corpus.py --index DIR")
    ap.add_argument("--rounds", type=int, default=5, help="passes over the query list")
    ap.add_argument("--concurrency", type=int, default=8, help="clients for the concurrent run (0 skips it)")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the concurrent run")
    args = ap.parse_args()
    if not args.index.is_dir():
        raise SystemExit(f"no index at {args.index}; build it: .venv/bin/python benchmarks/index_corpus.py --index DIR")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    queries = load_queries()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("EVSEARCH_API_KEY",)}
    server = subprocess.Popen(
        [EVSEARCH, "serve", "--index", str(args.index), "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,  # fmt: skip
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise SystemExit(f"server exited: {server.stderr.read() if server.stderr else ''}")
            try:
                stats = httpx.get(f"{base}/healthz", timeout=5).json()["stats"]
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start within 300 s")
                time.sleep(0.25)
        lib_ms, web_ms, took_ms = paired_latency(args.index, base, queries, args.rounds)
        lib, web = percentiles(lib_ms), percentiles(web_ms)
        overhead = percentiles([w - t for w, t in zip(web_ms, took_ms)])
        conc = concurrent_http(base, queries, args.concurrency, args.seconds) if args.concurrency else None
    finally:
        server.terminate()
        server.wait(timeout=60)

    size = {k: stats.get(k) for k in ("reports", "paragraphs") if k in stats}
    print(f"index {args.index} {size}; {len(queries)} queries x {args.rounds} rounds, sequential")
    print(f"{'':10}{'p50':>9}{'p95':>9}{'p99':>9}{'mean':>9}  (ms)")
    for name, m in (("library", lib), ("http", web)):
        print(f"{name:10}{m['p50']:9.2f}{m['p95']:9.2f}{m['p99']:9.2f}{m['mean']:9.2f}")
    print(f"http overhead (round trip minus the server's own Engine.search time): "
          f"p50 {overhead['p50']:.2f} ms, p99 {overhead['p99']:.2f} ms")
    verdict = "PASS" if web["p50"] <= GOAL_P50 and web["p99"] <= GOAL_P99 else "MISS"
    print(f"goal http p50 <= {GOAL_P50:g} ms, p99 <= {GOAL_P99:g} ms: {verdict}")
    if conc:
        print(f"concurrent: {conc['clients']} clients {conc['rps']:.1f} req/s, p50 {conc['p50']:.1f} ms, "
              f"p99 {conc['p99']:.1f} ms, errors {conc['errors']}")
    print(json.dumps({"index": str(args.index), "library": lib, "http": web, "overhead": overhead, "concurrent": conc}))


if __name__ == "__main__":
    main()
