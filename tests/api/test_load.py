"""Bounded load: 8 concurrent clients against the real server for ~12 s, zero errors allowed."""

from __future__ import annotations

import statistics
import threading
import time

import httpx
import pytest
from api_helpers import LiveServer

CLIENTS = 8
SECONDS = 12.0
QUERIES = (
    "health assessments for children in care",
    "social workers change too often",
    "kayak club",
    "quality of assessments",
    "inadequate overall effectiveness",
    "education of looked after children",
    "lighthouse panel exploitation",
    "foster carers training",
)


@pytest.mark.slow
def test_eight_clients_no_errors(live_server: LiveServer) -> None:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def worker(n: int) -> None:
        with httpx.Client(base_url=live_server.url, timeout=30) as c:
            i = n
            while time.monotonic() < stop_at:
                params = {"q": QUERIES[i % len(QUERIES)], "k": 10, "grade": None if i % 3 else "good"}
                t0 = time.perf_counter()
                try:
                    r = c.get("/search", params={k: v for k, v in params.items() if v})
                    ok = r.status_code == 200 and "hits" in r.json()
                    why = f"{r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    ok, why = False, repr(exc)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if not ok:
                        failures.append(why)
                i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ms = sorted(x * 1000 for x in latencies)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"\nload: {CLIENTS} clients, {len(ms)} requests in {elapsed:.1f}s = {len(ms) / elapsed:.1f} req/s; "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {len(failures)}")
    assert not failures, failures[:5]
    assert len(ms) >= CLIENTS * 5
