"""Cold-start time of `evsearch search QUERY --index DIR`: the median of N fresh processes.

Each run is a new interpreter, exactly as a user types the command: imports,
opening the index, loading the ONNX query encoder, parsing the query, searching
and printing. It prints every run's wall-clock and CPU seconds, the medians,
the machine's load average (the box is shared: wall time waits for a CPU when
it is busy; CPU time does not), and which heavy modules the process imported,
read from a wrapper that lists sys.modules when the command ends.

Without --index it indexes the seed report into a temporary folder first.

    nice -n 10 .venv/bin/python benchmarks/cold_start.py [--runs 11] [--index DIR] [--query TEXT]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = (REPO / ".." / "shared" / "corpus" / "seed").resolve()
HEAVY = ("torch", "spacy", "thinc", "transformers", "sentence_transformers", "onnxruntime", "faiss", "tokenizers")
# The console script's own code (evsearch.api.cli:main) plus a report of the heavy modules at exit.
WRAPPER = (
    "import sys, atexit\n"
    f"atexit.register(lambda: sys.stderr.write('MODULES=' + ','.join(m for m in {HEAVY!r} if m in sys.modules) + '\\n'))\n"
    "from evsearch.api.cli import main\n"
    "sys.argv = ['evsearch', *sys.argv[1:]]\n"
    "main()\n"
)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(index: Path, query: str, env: dict[str, str]) -> tuple[float, float, str]:
    cmd = [sys.executable, "-c", WRAPPER, "search", query, "--index", str(index), "--json"]
    cpu0, t0 = children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if done.returncode != 0:
        sys.exit(f"evsearch search failed ({done.returncode}):\n{done.stderr[-2000:]}")
    modules = next((line[8:] for line in done.stderr.splitlines() if line.startswith("MODULES=")), "?")
    return wall, cpu, modules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="cold processes to time (median)")
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: the seed, indexed now)")
    parser.add_argument("--query", default="how well are care leavers supported into accommodation")
    args = parser.parse_args()

    env = dict(os.environ)
    env.pop("EVSEARCH_BACKEND", None)  # the default path is what is measured
    temp = None
    index = args.index
    if index is None:
        if not SEED.exists():
            sys.exit(f"corpus not found at {SEED}; pass --index DIR")
        temp = Path(tempfile.mkdtemp(prefix="evsearch-cold-"))
        index = temp / "index"
        built = subprocess.run([str(REPO / ".venv" / "bin" / "evsearch"), "index", str(SEED), "--index", str(index)],
                               env=env, capture_output=True, text=True)  # fmt: skip
        if built.returncode != 0:
            sys.exit(f"indexing the seed failed:\n{built.stderr[-2000:]}")
    try:
        one_run(index, args.query, env)  # warm the OS page cache, as a user's second command would find it
        walls, cpus = [], []
        for i in range(args.runs):
            wall, cpu, modules = one_run(index, args.query, env)
            walls.append(wall)
            cpus.append(cpu)
            print(f"run {i + 1:2d}: {wall:.3f} s wall, {cpu:.3f} s CPU  heavy modules: {modules or 'none'}")
        print(f"median of {args.runs} cold runs: {statistics.median(walls):.3f} s wall, "
              f"{statistics.median(cpus):.3f} s CPU (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
