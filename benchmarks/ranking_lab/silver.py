"""Silver qrels from eval/lookups-<half>.tsv, for when the graded qrels are not there yet.

The look-ups were written with the queries, before any result list was seen
(eval/README.md): per query, groups of regular expressions that a relevant
record's text must all match, optionally within one LA's report. Every
matching record counts as relevant (rel 1). They reward records that use the
query's words, so they favour lexical mechanisms; the lab uses them only to
compare variants of one mechanism until graded qrels land.

    .venv/bin/python -m benchmarks.ranking_lab.silver --half tune --index /tmp/eval-tune --out /tmp/silver-tune.tsv
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

from evsearch.search.evaluate import record_hash
from evsearch.store.index import Index

EVAL = Path(__file__).resolve().parents[2] / "eval"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=("tune", "test"), required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    read = lambda p: list(csv.DictReader(p.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))  # noqa: E731
    queries = {row["qid"]: row["query"] for row in read(EVAL / f"queries-{args.half}.tsv")}
    with Index.open(args.index) as index:
        records = index.paragraphs(sorted(int(i) for i in index.dense.ids()))
    rows = []
    for rule in read(EVAL / f"lookups-{args.half}.tsv"):
        groups = [re.compile(g.strip(), re.I) for g in rule["patterns"].split(";") if g.strip()]
        within = (rule.get("report") or "").strip()
        for r in records:
            if groups and (not within or within in r["report_id"]) and all(g.search(r["text"]) for g in groups):
                number = "" if r["number"] is None else str(r["number"])
                rows.append((rule["qid"], queries[rule["qid"]], r["report_id"], r.get("part") or "", number,
                             record_hash(r["text"]), "1"))
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("qid\tquery\treport\tpart\tnumber\trecord\trel\n")
        for row in rows:
            fh.write("\t".join(" ".join(str(v).split()) for v in row) + "\n")
    print(f"{len(rows)} relevant records for {len({r[0] for r in rows})} queries -> {args.out}")


if __name__ == "__main__":
    main()
