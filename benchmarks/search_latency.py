"""Search latency: library p50/p99 per query, per stage, and the warm CLI.

Run it on an index of the whole shared corpus, built by the store's
benchmark (benchmarks/index_corpus.py --index DIR) or by `evsearch index`:

    nice -n 10 .venv/bin/python benchmarks/search_latency.py --index /tmp/evsearch-bench/index [--rounds 5] [--cli 3] \\
        [--ranker learned,boosts]

Goal (issue): library p50 <= 10 ms, p99 <= 30 ms for first-time queries (every call here
embeds its query: the kept query vectors are dropped before each one). The CLI pays Python
start-up and model loading on every call, so it is reported separately.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]

# Our own queries (not the dev or held-out sets): topical, structured, filtered, awkward.
QUERIES: list[tuple[str, dict]] = [
    ("quality of supervision for social workers", {}),
    ("care leavers living in unsuitable accommodation", {}),
    ("children missing from home and return interviews", {}),
    ("private fostering arrangements", {}),
    ("management oversight of child protection plans", {}),
    ("caseloads and reliance on agency staff", {}),
    ("short breaks for disabled children", {}),
    ("domestic abuse referrals to the front door", {}),
    ("pre-proceedings and the public law outline", {}),
    ("corporate parenting board and elected members", {}),
    ("personal education plans for children in care", {}),
    ("timeliness of initial health assessments", {}),
    ("sufficiency of local foster placements", {}),
    ("adoption timescales and early permanence", {}),
    ("voice of the child in assessments", {}),
    ("evidence for health adequate grade", {}),
    ("outstanding", {}),
    ("inadequate help and protection grade", {}),
    ("what supports the good leadership grade in Leeds", {}),
    ("requires improvement care leavers 2019", {}),
    ("child sexual exploitation", {"grade": "inadequate"}),
    ("virtual school", {"year": 2022}),
    ("placement stability", {"theme": "children in care"}),
    ("workforce", {"section": "leadership"}),
    ('"unbalanced quote NEAR(x) -minus col:on *', {}),
    ("CAMHS waiting times", {}),
    ("LADO allegations", {}),
    ("MASH thresholds and strategy discussions", {}),
    ("young carers assessments", {}),
    ("independent reviewing officers challenge plans", {}),
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def stages(engine, text: str, options: dict) -> dict[str, float]:
    """Milliseconds spent in each pipeline stage for one query: parse + plan, the query embedding
    (first-time: nothing kept), retrieve (dense + BM25 given the vector), fuse, rank, assemble."""
    from evsearch.search.assemble import assemble
    from evsearch.search.fusion import fuse
    from evsearch.search.rank import rank
    from evsearch.search.retrieve import retrieve

    view = engine.view
    out = {}
    t = time.perf_counter()
    plan = engine.plan(text, k=10, **options)
    out["parse+plan"] = time.perf_counter() - t
    view.forget_queries()
    t = time.perf_counter()
    if plan.dense_text:
        view.query_vector(plan.dense_text)  # the embedding, kept: retrieve below reads it back
    out["embed"] = time.perf_counter() - t
    t = time.perf_counter()
    found = retrieve(plan, view)
    out["retrieve"] = time.perf_counter() - t
    t = time.perf_counter()
    found = fuse(found)
    out["fuse"] = time.perf_counter() - t
    t = time.perf_counter()
    found = rank(found, view)
    out["rank"] = time.perf_counter() - t
    t = time.perf_counter()
    assemble(found, view, offset=0, k=10)
    out["assemble"] = time.perf_counter() - t
    return {k: v * 1000 for k, v in out.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=5, help="times each query runs (shuffled order)")
    ap.add_argument("--cli", type=int, default=3, help="CLI calls to time (0 to skip)")
    ap.add_argument("--ranker", default="learned",
                    help="Tuning.ranker: learned, boosts or fusion (rank.py); several, comma-separated "
                         "(learned,boosts), are timed in the same run, query by query in turn")  # fmt: skip
    args = ap.parse_args()
    from evsearch.search.engine import Engine
    from evsearch.search.tuning import Tuning

    rankers = [r.strip() for r in args.ranker.split(",") if r.strip()]
    engines = {}
    for ranker in rankers:
        t = time.perf_counter()
        engines[ranker] = engine = Engine(args.index, tuning=Tuning(ranker=ranker))
        opened = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        engine.search("warm up the model", k=10)
        first = (time.perf_counter() - t) * 1000
        stats = engine.stats()
        print(f"index: {args.index} | {stats['reports']} reports, {stats['paragraphs']} paragraphs, "
              f"model {stats['model']} ({stats.get('model_backend')}), ann {stats['ann']}, ranker {ranker}")
        print(f"engine open {opened:.0f} ms; first query {first:.0f} ms")

    runs = [q for q in QUERIES for _ in range(args.rounds)]
    random.Random(7).shuffle(runs)
    times: dict[str, list[float]] = {r: [] for r in rankers}
    cpu: dict[str, list[float]] = {r: [] for r in rankers}
    for i, (text, options) in enumerate(runs):
        order = rankers[i % len(rankers):] + rankers[: i % len(rankers)]  # each ranker goes first in turn
        for ranker in order:
            engine = engines[ranker]
            engine.view.forget_queries()  # every call a first-time query: the embedding is computed
            t, c = time.perf_counter(), time.process_time()
            engine.search(text, k=10, **options)
            times[ranker].append((time.perf_counter() - t) * 1000)
            cpu[ranker].append((time.process_time() - c) * 1000)
    for ranker in rankers:
        ms, cp = times[ranker], cpu[ranker]
        print(f"library search, ranker {ranker}, first-time queries (k=10, {len(ms)} calls): p50 {pct(ms, 50):.1f} ms, "
              f"p90 {pct(ms, 90):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms")
        # on a shared box wall time includes waiting for a core; CPU time is what a search costs
        print(f"  CPU time per search (all threads): p50 {pct(cp, 50):.1f} ms, p99 {pct(cp, 99):.1f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    for ranker, engine in engines.items():
        per_stage: dict[str, list[float]] = {}
        for text, options in QUERIES:
            for name, ms in stages(engine, text, options).items():
                per_stage.setdefault(name, []).append(ms)
        print(f"stages, ranker {ranker} (median ms): "
              + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in per_stage.items()))
        engine.close()

    if args.cli:
        exe = REPO / ".venv" / "bin" / "evsearch"
        cli_times = []
        for i in range(args.cli + 1):
            t = time.perf_counter()
            proc = subprocess.run([str(exe), "search", QUERIES[i % len(QUERIES)][0], "--index", str(args.index), "--json"],
                                  capture_output=True, text=True)
            elapsed = (time.perf_counter() - t) * 1000
            if proc.returncode != 0:
                print(f"CLI failed: {proc.stderr.strip()}", file=sys.stderr)
                break
            if i:  # the first call warms the OS cache and any one-time exports
                cli_times.append(elapsed)
        if cli_times:
            print(f"warm CLI `evsearch search --json` ({len(cli_times)} calls): median {statistics.median(cli_times):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
