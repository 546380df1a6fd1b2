"""kill -9 at random moments of a segment write and of a segment merge (issue 18: crash trials).

    nice .venv/bin/python benchmarks/crash_trials.py --trials 20
    nice .venv/bin/python benchmarks/crash_trials.py --trials 20 --backend milvus   # rows in the index's Lite file

Builds a small index of our own fixture reports, then per trial copies it and starts a child
process that either adds reports (``write``: one new segment, merges off) or merges four
small segments (``merge``). The parent waits until the child says it is about to write, then
SIGKILLs it after a random delay within the uninterrupted duration. After each kill the index
must open with paragraph rows = FTS rows = vectors (same ids), hold each report exactly once
(the old set or the new one, every report with its own paragraph count: none lost or doubled),
and a later write and merge must succeed and leave no orphaned segment. Prints one JSON line
per trial and a summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "index"

CHILD = r"""
import sys
from pathlib import Path
from evsearch import config
from evsearch.models.embedder import load_embedder
from evsearch.indexer.build import build_index
from evsearch.indexer.options import BuildOptions
from evsearch.store import merge
mode, index_dir, src = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
embedder = load_embedder(config.get("model"))
embedder.encode(["warm up"])
print("ready", flush=True)
if mode == "write":
    build_index([src], index_dir, BuildOptions.from_settings(index_dir, merge="off"), embedder=embedder)
else:
    merge.run(index_dir)
print("done", flush=True)
"""


def report(folder: Path, name: str, paragraphs: int) -> None:
    lines = [f"Inspection of {name} local authority children's services", "",
             "Inspection dates: 2 to 13 June 2025", "", "Lead inspector: Sam Example", ""]  # fmt: skip
    lines += [f"{i}. In {name}, workers in team {i} see children often and plans are checked.\n" for i in range(1, paragraphs + 1)]
    (folder / f"{name.lower().replace(' ', '-')}.txt").write_text("\n".join(lines), encoding="utf-8")


def state(index_dir: Path) -> dict:
    """Counts that must agree, and paragraphs per report (a lost or doubled report shows here)."""
    import numpy as np

    from evsearch.store import Index

    with Index.open(index_dir) as index:
        stats = index.stats()
        ids = np.asarray([r[0] for r in index.db.rows("all_paragraph_ids")], dtype=np.int64)
        assert stats["paragraphs"] == stats["fts_rows"] == stats["vectors"], stats
        assert np.array_equal(ids, index.dense.ids()), "vector ids differ from paragraph ids"
        per_report = {r["report_id"]: 0 for r in index.reports()}
        for p in index.paragraphs(ids.tolist()):
            per_report[p["report_id"]] += 1
        return {"per_report": per_report, "segments": stats["segments"], "generation": stats["generation"]}


def run_child(mode: str, index_dir: Path, src: Path, delay: float | None) -> tuple[float, bool]:
    """(seconds from 'ready' to exit or kill, killed?)"""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(index_dir), str(src)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", (line, proc.stderr.read() if proc.stderr else "")
    started = time.monotonic()
    if delay is not None:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed = proc.returncode == -signal.SIGKILL
    assert killed or proc.returncode == 0, proc.stderr.read() if proc.stderr else proc.returncode
    return time.monotonic() - started, killed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20, help="trials of each kind (write, merge)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--backend", default="faiss", help="the index's vector backend (faiss, milvus: Milvus Lite)")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    from evsearch.indexer.build import build_index
    from evsearch.indexer.options import BuildOptions
    from evsearch.store import merge

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base_src, new_src = work / "base-src", work / "new-src"
        shutil.copytree(FIXTURES, base_src)
        new_src.mkdir()
        for n in range(3):
            report(new_src, f"Crashvale {n}", 40)
        (base_src / "millbrook.txt").write_text((base_src / "millbrook.txt").read_text() + "\n3. A closing remark.\n")
        base = work / "base"
        build_index([FIXTURES], base, BuildOptions.from_settings(base, merge="off", backend=args.backend))
        build_index([base_src], base, BuildOptions.from_settings(base, merge="off"))  # a replaced report: tombstones
        before = state(base)
        # a base for merges: four more small segments, one report each
        merge_base = work / "merge-base"
        shutil.copytree(base, merge_base)
        for n in range(merge.MERGE_AT):
            one = work / f"one-{n}"
            one.mkdir()
            report(one, f"Mergeford {n}", 5)
            build_index([one], merge_base, BuildOptions.from_settings(merge_base, merge="off"))
        merge_before = state(merge_base)
        assert merge_before["segments"] == 2 + merge.MERGE_AT, merge_before

        after_write = None
        failures = 0
        for mode, origin, src in (("write", base, new_src), ("merge", merge_base, new_src)):
            calib = work / f"calibrate-{mode}"
            shutil.copytree(origin, calib)
            duration, _ = run_child(mode, calib, src, None)
            expected_new = state(calib)
            if mode == "write":
                after_write = expected_new
            shutil.rmtree(calib)
            old = (before if mode == "write" else merge_before)["per_report"]
            for trial in range(args.trials):
                index_dir = work / f"{mode}-{trial}"
                shutil.copytree(origin, index_dir)
                delay = rng.uniform(0, duration * 1.1)
                _, killed = run_child(mode, index_dir, src, delay)
                row = {"mode": mode, "trial": trial, "delay_s": round(delay, 3), "killed": killed}
                try:
                    seen = state(index_dir)
                    row["saw"] = "old" if seen["per_report"] == old else "new" if seen["per_report"] == expected_new["per_report"] else "MIX"
                    assert row["saw"] != "MIX", seen["per_report"]
                    run_child(mode, index_dir, src, None)  # the next run completes the work
                    merge.run(index_dir)
                    final = state(index_dir)
                    assert final["per_report"] == expected_new["per_report"]
                    named = {e["name"] for e in json.loads((index_dir / final["generation"] / "manifest.json").read_text())["segments"]}
                    on_disk = {p.name for p in index_dir.iterdir() if p.name.startswith("seg-")}
                    gens = [p.name for p in index_dir.iterdir() if p.name.startswith("gen-")]
                    assert on_disk == named and gens == [final["generation"]], (on_disk, named, gens)
                    row["ok"] = True
                except AssertionError as exc:
                    row["ok"], row["error"] = False, str(exc)[:300]
                    failures += 1
                print(json.dumps(row), flush=True)
                shutil.rmtree(index_dir)
        print(json.dumps({"backend": args.backend, "trials": 2 * args.trials, "failures": failures,
                          "base_reports": len(before["per_report"]),
                          "after_write_reports": len(after_write["per_report"]) if after_write else None}))  # fmt: skip
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
