"""Index the whole shared corpus and print the figures: time, paragraphs, size on disk, peak RSS.

Usage: nice -n 10 .venv/bin/python benchmarks/index_corpus.py [--index DIR] [--corpus DIR]
Without --index a temporary folder is used and removed afterwards. After the
build it times a second (incremental, no-op) run and the read API's searches,
including filtered dense search by direct scoring vs. a FAISS IDSelectorBatch.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
QUERIES = [
    "placement stability for children in care", "quality of supervision for social workers",
    "care leavers in suitable accommodation", "children missing from home or care",
    "private fostering arrangements", "management oversight of child protection plans",
    "return home interviews", "workforce caseloads and agency staff", "disabled children short breaks",
    "domestic abuse referrals", "pre-proceedings work in the public law outline", "corporate parenting board",
]  # fmt: skip


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(fn, repeat: int = 1) -> float:
    """Median milliseconds per call."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: a temp dir, removed)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    from evsearch.indexer.build import build_index
    from evsearch.search.keywords import keyword_query
    from evsearch.store import Index
    from evsearch.store import faiss_vectors

    tmp = None
    index_dir = args.index
    if index_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="evsearch-bench-"))
        index_dir = tmp / "index"
    started = time.monotonic()

    def progress(done: int, total: int, paragraphs: int, embedded: int) -> None:
        if done % 25 == 0 or done == total:
            rate = paragraphs / max(time.monotonic() - started, 1e-9)
            print(f"  {done}/{total} files, {paragraphs} paragraphs ({embedded} embedded), {rate:.1f} paragraphs/s",
                  file=sys.stderr)  # fmt: skip

    try:
        result = build_index([args.corpus], index_dir, progress=progress)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(result.summary())
        for path, reason in result.failed:
            print(f"  failed: {path}: {reason}")
        with Index.open(index_dir) as index:
            stats = index.stats()
            print(f"paragraphs={stats['paragraphs']} reports={stats['reports']} judgements={stats['judgements']} "
                  f"vectors={stats['vectors']} fts_rows={stats['fts_rows']} ann={stats['ann']}")  # fmt: skip
            print(f"build_seconds={result.seconds:.1f} paragraphs_per_second={result.paragraphs / result.seconds:.1f}")
            print(f"size_on_disk_mb={du(index_dir) / 2**20:.1f} peak_rss_mb={peak_mb:.0f}")
            again = build_index([args.corpus], index_dir)
            print(f"second_run_seconds={again.seconds:.2f} embedded={again.embedded}")

            vectors = [index.embedder.encode_query(q) for q in QUERIES]
            terms = [keyword_query(q, frozenset()) for q in QUERIES]
            some_la = index.vocabulary()["local_authorities"][:3]
            small = index.ids_where(local_authorities=some_la)
            large = index.ids_where(grades=[2, 3])
            print(f"latency_ms open={timed(lambda: Index.open(index_dir).close(), 3):.1f}")
            print(f"latency_ms dense_k10={timed(lambda: [index.search_dense(v, 10) for v in vectors], 3) / len(QUERIES):.2f}")
            print(f"latency_ms bm25_k10={timed(lambda: [index.search_bm25(t, 10) for t in terms], 3) / len(QUERIES):.2f}")
            for label, candidates in (("small", small), ("large", large)):
                for route, limit in (("direct", 10**9), ("selector", -1)):
                    faiss_vectors.DIRECT_SCORING_MAX = limit
                    ms = timed(lambda: [index.search_dense(v, 10, candidates) for v in vectors], 3) / len(QUERIES)
                    print(f"latency_ms dense_filtered_{label}({len(candidates)} ids)_{route}={ms:.2f}")
            for label, candidates in (("small", small), ("large", large)):
                ms = timed(lambda: [index.search_bm25(t, 10, candidates) for t in terms], 3) / len(QUERIES)
                print(f"latency_ms bm25_filtered_{label}({len(candidates)} ids)={ms:.2f}")
            print(f"latency_ms ids_where_grades={timed(lambda: index.ids_where(grades=[2, 3]), 3):.1f}")
            print(f"latency_ms paragraphs_10={timed(lambda: index.paragraphs(large[:10]), 5):.2f}")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
