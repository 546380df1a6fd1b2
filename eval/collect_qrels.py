"""Turn graded pool files (eval/pools/<half>/<qid>.tsv) into eval/qrels-<half>.tsv.

Every row must carry a grade of 0, 1 or 2; an empty or other value stops the run with the
file and line named, so a half-graded pool never becomes qrels. The qrels keep every
judged row (0s too: they let ``judged@10`` tell how much of a new ranking the pool covers)
in the columns evsearch.search.evaluate reads:

    qid  query  report  number  rel  part  record

and the script prints the counts eval/README.md reports.

    python eval/collect_qrels.py                 # both halves
    python eval/collect_qrels.py --half tune
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

EVAL = Path(__file__).resolve().parent
QRELS_COLUMNS = ("qid", "query", "report", "number", "rel", "part", "record")
POOL_KEYS = ("qid", "query", "report", "part", "number", "record", "grade")


class Ungraded(Exception):
    pass


def read_pool(path: Path) -> list[dict]:
    """The graded rows of one pool file; raises Ungraded naming the file and line."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None)
        missing = [c for c in POOL_KEYS if c not in (reader.fieldnames or ())]
        if missing:
            raise Ungraded(f"{path}: missing column(s) {', '.join(missing)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            grade = (row.get("grade") or "").strip()
            if grade not in ("0", "1", "2"):
                shown = f"{grade!r}" if grade else "empty"
                raise Ungraded(f"{path}:{line}: grade is {shown}; every row needs 0, 1 or 2")
            rows.append({
                "qid": row["qid"], "query": row["query"], "report": row["report"], "number": row["number"],
                "rel": grade, "part": row["part"], "record": row["record"],
            })  # fmt: skip
    return rows


def collect(half: str, pools: Path, out: Path) -> dict:
    files = sorted(pools.glob("*.tsv"))
    if not files:
        raise Ungraded(f"{pools}: no pool files")
    rows = [row for path in files for row in read_pool(path)]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, QRELS_COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None,
                                lineterminator="\n")  # fmt: skip
        writer.writeheader()
        writer.writerows(rows)
    relevant = {path.stem: 0 for path in files}
    for row in rows:
        relevant[row["qid"]] += row["rel"] != "0"
    counts = list(relevant.values())
    return {
        "half": half,
        "queries": len(files),
        "judged": len(rows),
        "rel2": sum(r["rel"] == "2" for r in rows),
        "rel1": sum(r["rel"] == "1" for r in rows),
        "relevant_per_query_median": statistics.median(counts),
        "relevant_per_query_min": min(counts),
        "relevant_per_query_max": max(counts),
        "without_relevant": sorted(q for q, n in relevant.items() if n == 0),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=("tune", "test", "both"), default="both")
    ap.add_argument("--pools", type=Path, default=EVAL / "pools")
    ap.add_argument("--out", type=Path, default=EVAL, help="qrels go to OUT/qrels-<half>.tsv")
    args = ap.parse_args()
    for half in ("tune", "test") if args.half == "both" else (args.half,):
        try:
            counts = collect(half, args.pools / half, args.out / f"qrels-{half}.tsv")
        except Ungraded as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
