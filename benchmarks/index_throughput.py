"""Indexing throughput: the whole `evsearch index` process vs plain SentenceTransformer.encode (batch 32).

Picks corpus PDFs (seed first, then ILACS folders in name order) until they hold
at least N paragraphs, or with --files N the first N ILACS PDFs in name order
(those that parse), parses them here to get exactly the texts the index embeds
(the default embedding recipe), then alternates, --repeats times:

* torch: ``SentenceTransformer(model).encode(texts, batch_size=32)`` in this
  process (the model loaded once beforehand, so only encoding is timed);
* index: ``evsearch index FILES --index <fresh temp dir>`` as a child process,
  timed from spawn to exit: interpreter start, imports, model load, parsing,
  embedding, SQLite/FAISS writes and publishing all count against it.

Alternating the two keeps them under the same machine load (the box is shared).
It prints paragraphs/s for both (medians) and the ratio index/torch (higher is
better) by wall clock and per CPU-second: the median of each run's own ratio, as
the two halves of a run share the machine's load; and the peak RSS of each
indexing process (its VmHWM, read from /proc every 20 ms until it exits; its
PDF-parsing child processes are not counted) with their median. It also checks
that the index holds every paragraph.

The child is the ``evsearch`` script beside ``sys.executable``; it imports the
``evsearch`` package the way this script does, so ``PYTHONPATH=OTHER/src``
measures another checkout's code with this script.

    nice -n 10 .venv/bin/python benchmarks/index_throughput.py [--paragraphs 2000 | --files 80] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from procfs import status_mb

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()

from evsearch.models import offline  # noqa: E402,F401  (before any Hugging Face import; the installed package)


def corpus_files() -> list[Path]:
    if not CORPUS.exists():
        sys.exit(f"corpus not found at {CORPUS}")
    return sorted((CORPUS / "seed").glob("*.txt")) + sorted((CORPUS / "ilacs").glob("*/*.pdf"))


def pick(target: int, files_wanted: int | None = None) -> tuple[list[Path], list[str]]:
    """Files holding at least `target` paragraphs (or the first `files_wanted` ILACS PDFs that
    parse), and the texts the index embeds for them."""
    from evsearch.errors import EvsearchError
    from evsearch.parser.pipeline import parse_file, report_id_for
    from evsearch.store.recipes import DEFAULT_RECIPE, embedding_text

    files: list[Path] = []
    texts: list[str] = []
    candidates = corpus_files()
    if files_wanted is not None:
        candidates = [p for p in candidates if p.suffix == ".pdf"][:files_wanted]
    for path in candidates:
        if files_wanted is None and len(texts) >= target:
            break
        try:
            parsed = parse_file(path, report_id_for(path, path.parent))
        except EvsearchError:
            continue  # the corpus holds a few unreadable PDFs on purpose
        files.append(path)
        texts += [embedding_text(DEFAULT_RECIPE, p) for p in parsed.paragraphs]
    return files, texts


def run_index(files: list[Path], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, summary line) of one cold `evsearch index` into a fresh folder."""
    folder = Path(tempfile.mkdtemp(prefix="evsearch-throughput-"))
    try:
        cmd = [str(Path(sys.executable).with_name("evsearch")), "index", *map(str, files), "--index", str(folder / "ix")]
        with open(folder / "stdout", "w+") as out, open(folder / "stderr", "w+") as err:
            t0 = time.perf_counter()
            child = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
            peak_mb = 0.0
            while True:  # its VmHWM until it exits (ru_maxrss would count this process too: procfs.py)
                peak_mb = max(peak_mb, status_mb("VmHWM", child.pid))
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.02)
            wall = time.perf_counter() - t0
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0), err.seek(0)
            stdout, stderr = out.read(), err.read()
        cpu = usage.ru_utime + usage.ru_stime
        if child.returncode != 0:
            sys.exit(f"evsearch index failed ({child.returncode}):\n{stderr[-2000:]}")
        return wall, cpu, peak_mb, stdout.strip().splitlines()[-1]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=2000, help="at least this many paragraphs")
    parser.add_argument("--files", type=int, default=None,
                        help="instead: the first N ILACS PDFs in name order (those that parse)")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="alternating timed runs of each (median)")
    args = parser.parse_args()

    import evsearch

    print(f"evsearch from {Path(evsearch.__file__).parent}")
    files, texts = pick(args.paragraphs, args.files)
    words = sum(len(t.split()) for t in texts) / max(1, len(texts))
    print(f"{len(files)} files, {len(texts)} paragraphs (mean {words:.0f} words)")

    from sentence_transformers import SentenceTransformer

    from evsearch.models.resolve import resolve_model

    model = SentenceTransformer(str(resolve_model().folder), device="cpu", local_files_only=True)
    model.encode(texts[:32], batch_size=32)
    env = dict(os.environ)
    env.pop("EVSEARCH_BACKEND", None)  # the default path is what is measured
    torch_runs: list[tuple[float, float]] = []
    index_runs: list[tuple[float, float]] = []
    peaks: list[float] = []
    for i in range(args.repeats):
        cpu0, t0 = time.process_time(), time.perf_counter()
        model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        torch_runs.append((time.perf_counter() - t0, time.process_time() - cpu0))
        wall, cpu, peak_mb, summary = run_index(files, env)
        index_runs.append((wall, cpu))
        peaks.append(peak_mb)
        n = len(texts)
        print(f"run {i + 1}: torch {n / torch_runs[-1][0]:6.1f} p/s, index {n / wall:6.1f} p/s "
              f"(ratio {torch_runs[-1][0] / wall:.2f}x), index peak RSS {peak_mb:.0f} MB  [{summary}]")  # fmt: skip
        if f"({n} paragraphs)" not in summary:
            sys.exit(f"the index did not hold the {n} paragraphs parsed here: {summary}")

    torch_wall = statistics.median(r[0] for r in torch_runs)
    torch_cpu = statistics.median(r[1] for r in torch_runs)
    index_wall = statistics.median(r[0] for r in index_runs)
    index_cpu = statistics.median(r[1] for r in index_runs)
    n = len(texts)
    print(f"torch SentenceTransformer.encode(batch 32): {n / torch_wall:7.1f} p/s ({n / torch_cpu:.1f} per CPU-s)")
    print(f"evsearch index (whole process):           {n / index_wall:7.1f} p/s ({n / index_cpu:.1f} per CPU-s), "
          f"peak RSS {statistics.median(peaks):.0f} MB (median; runs {', '.join(f'{p:.0f}' for p in peaks)})")  # fmt: skip
    # each run's own ratio, torch and index timed back to back under the same load; then their median
    paired_wall = statistics.median(t[0] / i[0] for t, i in zip(torch_runs, index_runs))
    paired_cpu = statistics.median(t[1] / i[1] for t, i in zip(torch_runs, index_runs))
    print(f"ratio index/torch: {paired_wall:.2f}x wall, {paired_cpu:.2f}x per CPU-s "
          f"(median of the {args.repeats} runs' own ratios; load average {os.getloadavg()[0]:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
