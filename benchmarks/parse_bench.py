"""Parse benchmark: the whole ilacs/ folder, reports/s and paragraphs/s.

Goal: the whole folder (373 files) in under 60 s on 2 cores.

    nice -n 10 .venv/bin/python benchmarks/parse_bench.py            # 2 worker processes
    nice -n 10 .venv/bin/python benchmarks/parse_bench.py --workers 1 --phases

--phases (single process only) splits the time into reading the PDF text,
metadata + judgements, paragraph splitting and linking.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from evsearch.errors import ReportReadError
from evsearch.parser.judgements import extract_judgements
from evsearch.parser.linking import link_judgements
from evsearch.parser.metadata import extract_report, refine_framework
from evsearch.parser.paragraphs import split_paragraphs
from evsearch.parser.pipeline import iter_report_files, parse_paths, report_id_for
from evsearch.parser.reader import read_document

DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "ilacs"


def _cpu_seconds() -> float:
    """User+system CPU of this process and its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_pipeline(folder: Path, workers: int) -> None:
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    reports = paragraphs = judgements = failed = 0
    for result in parse_paths([folder], workers=workers):
        if isinstance(result, ReportReadError):
            failed += 1
            continue
        reports += 1
        paragraphs += len(result.paragraphs)
        judgements += len(result.judgements)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu0
    print(f"folder: {folder.resolve()}  workers: {workers}  cpus: {os.cpu_count()}")
    print(f"files: {reports + failed}  parsed: {reports}  failed: {failed}")
    print(f"paragraphs: {paragraphs}  judgements: {judgements}")
    print(f"wall: {seconds:.1f} s  reports/s: {reports / seconds:.2f}  paragraphs/s: {paragraphs / seconds:.0f}")
    # On a shared machine wall time depends on the load; CPU time does not, and
    # CPU / workers is the wall time the same run would take on idle cores.
    print(f"cpu: {cpu:.1f} s  (~{cpu / max(workers, 1):.1f} s wall on {workers} idle cores)  load: {os.getloadavg()[0]:.1f}")
    print(f"goal (< 60 s for the folder): {'met' if seconds < 60 else 'NOT met'} by wall time")


def run_phases(folder: Path) -> None:
    phases = dict.fromkeys(("read", "metadata+judgements", "paragraphs", "linking"), 0.0)
    for path in iter_report_files([folder]):
        t0 = time.perf_counter()
        try:
            doc = read_document(path)
        except ReportReadError:
            continue
        t1 = time.perf_counter()
        report = extract_report(doc.pages, report_id_for(path, folder), str(path))
        found = extract_judgements(doc.pages, report.report_id, report.framework)
        report.framework = refine_framework(report.framework, found, report.inspection_start)
        t2 = time.perf_counter()
        paras = split_paragraphs(doc, report.report_id)
        t3 = time.perf_counter()
        link_judgements(found, paras)
        t4 = time.perf_counter()
        for name, spent in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            phases[name] += spent
    total = sum(phases.values())
    for name, spent in phases.items():
        print(f"{name:22s} {spent:7.1f} s  {spent / total:5.1%}")
    print(f"{'total (1 process)':22s} {total:7.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--phases", action="store_true", help="single-process time per parse step")
    args = parser.parse_args()
    if not args.folder.is_dir():
        raise SystemExit(f"no such folder: {args.folder}")
    if args.phases:
        run_phases(args.folder)
    else:
        run_pipeline(args.folder, args.workers)


if __name__ == "__main__":
    main()
