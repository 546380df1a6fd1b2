"""Do the judged keys still find their records in an index built by today's parser?

For every row of a half's qrels (or, before grading, its pool files) it looks the key up in
the index the way ``evsearch eval`` does and counts:

- ``same``: the numbered key finds a record with the judged text (or the hash finds it);
- ``by_text``: the number moved (a part renumbered), the text hash still finds the record;
- ``changed``: the numbered key finds a record whose text differs (a cleaning change, or a
  different paragraph now holds that number: read these before trusting the figures);
- ``lost``: neither key finds a record (re-pool and grade those).

    python eval/check_keys.py --half tune --index /tmp/eval-tune
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from evsearch.search.evaluate import normal_part, record_hash
from evsearch.store.index import Index

EVAL = Path(__file__).resolve().parent


def judged_rows(half: str) -> list[dict]:
    qrels = EVAL / f"qrels-{half}.tsv"
    paths = [qrels] if qrels.is_file() else sorted((EVAL / "pools" / half).glob("*.tsv"))
    rows = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None))
    return rows


def check(half: str, index_dir: Path) -> Counter:
    with Index.open(index_dir) as index:
        ids = [row[0] for row in index.db.rows("all_paragraph_ids")]
        by_number: dict[tuple, str] = {}
        by_hash: set[tuple] = set()
        for r in index.paragraphs(ids):
            digest = record_hash(r["text"])
            by_hash.add((r["report_id"], digest))
            if r.get("number") is not None:
                by_number[(r["report_id"], normal_part(r.get("part")), int(r["number"]))] = digest
    counts: Counter = Counter()
    for row in {(r["report"], r["part"], r["number"], r["record"]) for r in judged_rows(half)}:
        report, part, number, digest = row
        found = by_number.get((report, normal_part(part), int(number))) if number else None
        if found is not None:
            counts["same" if found == digest else "changed"] += 1
        elif (report, digest) in by_hash:
            counts["same" if not number else "by_text"] += 1
        else:
            counts["lost"] += 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=("tune", "test"), required=True)
    ap.add_argument("--index", type=Path, required=True)
    args = ap.parse_args()
    counts = check(args.half, args.index)
    total = sum(counts.values())
    print(f"{args.half}: {total} judged records: " + ", ".join(f"{k} {counts[k]}" for k in ("same", "by_text", "changed", "lost")))


if __name__ == "__main__":
    main()
