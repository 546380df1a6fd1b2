"""What dense Rocchio feedback costs a search: Engine.search with it on and off, first-time queries.

    .venv/bin/python -m benchmarks.ranking_lab.latency --index /tmp/lab/eval-test --queries eval/queries-test.tsv

Two rounds of each, alternating, so a load change on the shared box shows as a round difference.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from dataclasses import replace
from pathlib import Path

from evsearch.search.engine import Engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--queries", type=Path, required=True, help="tab-separated file with a 'query' column")
    args = ap.parse_args()
    with args.queries.open(encoding="utf-8", newline="") as fh:
        queries = [row["query"] for row in csv.DictReader(fh, delimiter="\t")]
    with Engine(args.index) as engine:
        base = engine.tuning
        for q in queries[:5]:  # warm the model and the in-memory structures
            engine.search(q)
        for name, tuning in (("feedback on", base), ("feedback off", replace(base, feedback_docs=0))) * 2:
            engine.tuning = tuning
            times = []
            for q in queries:
                engine.view.forget_queries()  # every query embedded again, as a first-time query
                started = time.perf_counter()
                engine.search(q, k=10)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
            print(f"{name:<13} p50 {statistics.median(times):6.2f} ms  p99 {p99:6.2f} ms  ({len(times)} queries)")


if __name__ == "__main__":
    main()
