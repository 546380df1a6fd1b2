"""Highlight share: how much of a hit's text its highlights mark (issue 8 part 5: median <= 50%).

    .venv/bin/python benchmarks/highlight_share.py                      # the fixture reports, our queries
    .venv/bin/python benchmarks/highlight_share.py --index /tmp/eval-test --queries eval/queries-test.tsv

Share of one hit = characters in its highlighted sentences / characters of its text; a hit
with no highlight (nothing in it carries the query) counts 0. Printed: median and mean share
over the top-10 hits of every query, how many hits were marked whole or not at all, and the
median over the marked hits alone (the fixture reports' paragraphs are mostly one sentence, so
a marked one is marked whole).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = [REPO / "tests/search/data/fernhollow-2021-fixture-report.txt",
            REPO / "tests/search/data/brackenmoor-2023-fixture-ilacs.txt"]
# Our own queries about the fixture reports (the search tests ask the same kinds of thing).
FIXTURE_QUERIES = [
    "waiting lists for CAMHS therapy", "apprenticeships for care leavers", "foster carers support",
    "children in care council", "strategy meetings held quickly", "not enough foster homes for siblings",
    "management oversight of supervision", "health assessments late", "independent advocacy",
    "virtual school progress", "early help plans", "caseloads and agency staff", "placement stability",
    "family doctors attend conferences", "sexual health clinic", "leadership good",
]


def shares(engine, queries: list[str]) -> list[float]:
    out = []
    for query in queries:
        for hit in engine.search(query, k=10).hits:
            marked = sum(len(h) for h in hit.highlights)
            out.append(min(1.0, marked / max(1, len(hit.text))))
    return out


def report(name: str, values: list[float]) -> None:
    whole = sum(v >= 0.999 for v in values)
    marked = [v for v in values if v > 0]
    print(f"{name}: {len(values)} hits, median share {statistics.median(values):.2f}, "
          f"mean {statistics.mean(values):.2f}, marked whole {whole} ({whole / len(values):.0%}), "
          f"none {len(values) - len(marked)}; over marked hits only: median {statistics.median(marked):.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, help="an index to search (default: the fixture reports, indexed here)")
    ap.add_argument("--queries", type=Path, help="tab-separated file with a 'query' column")
    args = ap.parse_args()
    from evsearch.search.engine import Engine

    if args.index is None:
        from evsearch.indexer.build import build_index

        with tempfile.TemporaryDirectory(prefix="highlight-share-") as tmp:
            src = Path(tmp) / "src"
            src.mkdir()
            for path in FIXTURES:
                (src / path.name).write_bytes(path.read_bytes())
            build_index([src], Path(tmp) / "index")
            with Engine(Path(tmp) / "index") as engine:
                report("fixture reports", shares(engine, FIXTURE_QUERIES))
        return 0
    with open(args.queries, encoding="utf-8") as fh:
        queries = [row["query"] for row in csv.DictReader(fh, delimiter="\t")]
    with Engine(args.index) as engine:
        report(f"{args.index} ({len(queries)} queries)", shares(engine, queries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
