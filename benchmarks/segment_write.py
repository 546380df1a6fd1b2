"""Writing one segment: time and peak memory of its steps, over an existing index's paragraphs.

Takes the live paragraphs of DIR's current generation (their vectors gathered from its
segments into one flat store, as a write that leaves the segmented layout does) and, --repeats
times, each step in a fresh child process so that every peak is its own:

* bm25: ``Bm25Matrix.from_texts`` over their texts and its ``save`` (the texts already read);
* lexicon: ``lexicon.counts`` over the lexicon kinds' texts and its JSON;
* write: the writer's whole ``building.write_segment`` into a temporary index folder (texts read
  back from the generation's SQLite file, ids, vectors, BM25, lexicon, PQ codes above 2,000
  vectors: PQ training is most of its time).

Memory is the child's peak RSS during the step above its RSS just before it (VmHWM reset through
``/proc/self/clear_refs`` once the inputs are loaded), and that peak itself. Prints each run and
the medians. The children import ``evsearch`` as this script does: ``PYTHONPATH=OTHER/src``
measures another checkout's code.

    nice -n 10 .venv/bin/python benchmarks/segment_write.py --index DIR [--repeats 3] [--steps bm25,lexicon,write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from procfs import status_mb

STEPS = ("bm25", "lexicon", "write")


def child(index_dir: Path, step: str) -> None:
    """One step in this (fresh) process; prints one JSON line."""
    import numpy as np

    from evsearch.store import building, lexicon, segments
    from evsearch.store.bm25_matrix import Bm25Matrix
    from evsearch.store.database import Database
    from evsearch.store.generations import read_current

    name = read_current(index_dir)
    if name is None:
        sys.exit(f"{index_dir} has no current generation")
    gen_dir = index_dir / name
    manifest = json.loads((gen_dir / "manifest.json").read_text(encoding="utf-8"))
    if "segments" not in manifest:
        sys.exit(f"{gen_dir} is not segmented (a faiss flat index is)")
    sqlite = gen_dir / manifest["files"]["sqlite"]
    deleted = segments.read_deleted(gen_dir, manifest)
    out = Path(tempfile.mkdtemp(prefix="evsearch-segment-write-"))
    try:
        if step == "write":
            store = building.gather_vectors(index_dir, manifest["segments"], deleted, int(manifest["dimension"]))
            rows = len(store)

            def run() -> None:
                new_segment, _ = building.write_segment(out, sqlite, store, "segment-write-benchmark")
                assert new_segment is not None
                new_segment.release()
        else:
            ids = np.sort(np.concatenate([segments.segment_ids(index_dir, e) for e in manifest["segments"]]))
            ids = np.setdiff1d(ids, deleted)
            db = Database(sqlite)
            try:
                found = db.rows("paragraph_texts_by_ids", (json.dumps(ids.tolist()),))
            finally:
                db.close()
            rows = len(found)
            if step == "bm25":
                texts = [r[1] for r in found]

                def run() -> None:
                    Bm25Matrix.from_texts(ids, texts).save(out / "bm25.npz")
            else:
                texts = [r[1] for r in found if r[2] in lexicon.KINDS]

                def run() -> None:
                    counts = lexicon.counts(texts)
                    (out / "lexicon.json").write_text(json.dumps(counts, sort_keys=True), encoding="utf-8")
            del found
        before = status_mb("VmRSS")
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS: the step's own peak from here
        t0 = time.perf_counter()
        run()
        seconds = time.perf_counter() - t0
        peak = status_mb("VmHWM")
        print(json.dumps({"step": step, "rows": rows, "seconds": seconds, "rss_before_mb": before, "peak_mb": peak,
                          "increase_mb": peak - before}))  # fmt: skip
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an existing (segmented) index folder; only read")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each step, each in a fresh process (median)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.index.resolve(), args.child)
        return
    steps = [s for s in args.steps.split(",") if s]
    if not steps or any(s not in STEPS for s in steps):
        sys.exit(f"--steps: comma-separated, of {', '.join(STEPS)}")
    import evsearch

    print(f"evsearch from {Path(evsearch.__file__).parent}; index {args.index}")
    results: dict[str, list[dict]] = {s: [] for s in steps}
    for i in range(args.repeats):
        for step in steps:  # alternating steps, so each sees the same spread of machine load
            cmd = [sys.executable, __file__, "--index", str(args.index), "--child", step]
            done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
            if done.returncode != 0:
                sys.exit(f"step {step} failed ({done.returncode}):\n{done.stderr[-2000:]}")
            got = json.loads(done.stdout.strip().splitlines()[-1])
            results[step].append(got)
            print(f"run {i + 1} {step:8} {got['rows']} rows: {got['seconds']:7.2f} s, peak RSS {got['peak_mb']:6.0f} MB "
                  f"(+{got['increase_mb']:.0f} MB over {got['rss_before_mb']:.0f} MB before the step)")  # fmt: skip
    for step, runs in results.items():
        print(f"{step:8} median {statistics.median(r['seconds'] for r in runs):7.2f} s, "
              f"+{statistics.median(r['increase_mb'] for r in runs):.0f} MB "
              f"(peak {statistics.median(r['peak_mb'] for r in runs):.0f} MB) over {len(runs)} runs")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
