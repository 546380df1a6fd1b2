"""Pool the candidates to grade: for every query of a half, the union of the top DEPTH of each
ranker (BM25 alone, dense alone, their RRF, the engine as it is) and of the hand-written
keyword look-ups in eval/lookups-<half>.tsv, written to eval/pools/<half>/<qid>.tsv.

One row per candidate record, sorted by report and position in the report (not by any
ranker's order, so graders do not see a ranking). Columns:

    qid  query  report  part  number  record  rankers  la_year  kind  section  section_grade  text  grade

``report, part, number, record`` are the qrels key (evsearch.search.evaluate); ``grade`` is
left empty for the graders (0, 1 or 2; eval/README.md). Re-pooling keeps grades already
given to a record that is still in the pool.

    python eval/pool.py                      # both halves, indexes /tmp/eval-tune and /tmp/eval-test
    python eval/pool.py --half tune --depth 20 --indexes /tmp
    python eval/pool.py --half test --qids te73 te74    # only these queries' pools
    python eval/pool.py --extend text --indexes /work/evaltext --ranker-model /tmp/ranker-text.json

``--extend TAG`` widens the existing pools instead of rewriting them: the top DEPTH of the
dense, RRF and engine rankers over INDEXES/eval-<half> (an index of the same reports built
another way, e.g. ``EVSEARCH_EMBEDDING_TEXT=text``) join each pool as sources ``<ranker>:TAG``;
every row already there keeps its grade, and new rows come with an empty grade to fill.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

EVAL = Path(__file__).resolve().parent
sys.path.insert(0, str(EVAL.parent / "benchmarks"))

from eval_baselines import RANKERS, bm25_ids, dense_ids, rrf_ids  # noqa: E402

from evsearch.search.evaluate import record_hash  # noqa: E402
from evsearch.store.index import Index  # noqa: E402

COLUMNS = ("qid", "query", "report", "part", "number", "record", "rankers", "la_year", "kind", "section",
           "section_grade", "text", "grade")  # fmt: skip
LOOKUP_DEPTH = 20


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None))


def one_line(text: str) -> str:
    return " ".join((text or "").split())


class Lookups:
    """Hand-written look-ups: every ';'-separated group of '|'-separated regular expressions
    (case-insensitive) must match the record's text; an optional third column keeps only
    reports whose id contains it (an LA slug)."""

    def __init__(self, path: Path, records: list[dict]) -> None:
        self.rules = {row["qid"]: row for row in read_tsv(path)} if path.is_file() else {}
        self.records = records

    def __call__(self, qid: str) -> list[int]:
        rule = self.rules.get(qid)
        if rule is None:
            return []
        groups = [re.compile(g.strip(), re.I) for g in rule["patterns"].split(";") if g.strip()]
        within = (rule.get("report") or "").strip()
        scored = []
        for r in self.records:
            if within and within not in r["report_id"]:
                continue
            counts = [len(g.findall(r["text"])) for g in groups]
            if groups and all(counts):
                scored.append((-sum(counts), r["id"]))
        return [pid for _, pid in sorted(scored)[:LOOKUP_DEPTH]]


def write_pool(path: Path, rows: list[dict]) -> None:
    """One pool file: tab-separated, no quoting, a header, rows in the order given."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def pool_half(half: str, index_dir: Path, depth: int, out_dir: Path, qids: set[str] | None = None) -> tuple[int, int]:
    from evsearch.search.engine import Engine

    queries = [q for q in read_tsv(EVAL / f"queries-{half}.tsv") if qids is None or q["qid"] in qids]
    out_dir.mkdir(parents=True, exist_ok=True)
    rows_written = 0
    with Index.open(index_dir) as index, Engine(index_dir) as engine:
        all_ids = [row[0] for row in index.db.rows("all_paragraph_ids")]
        records = {r["id"]: r for r in index.paragraphs(all_ids)}
        reports = {r["report_id"]: r for r in index.reports()}
        lookups = Lookups(EVAL / f"lookups-{half}.tsv", list(records.values()))
        fns = {"bm25": bm25_ids, "dense": dense_ids, "rrf": rrf_ids}
        for q in queries:
            qid, text = q["qid"], q["query"]
            found: dict[int, list[str]] = {}
            for name in RANKERS:
                if name == "engine":
                    ids = [h.id for h in engine.search(text, k=depth).hits]
                else:
                    ids = fns[name](index, text, depth)
                for pid in ids:
                    found.setdefault(pid, []).append(name)
            for pid in lookups(qid):
                found.setdefault(pid, []).append("lookup")
            path = out_dir / f"{qid}.tsv"
            old = {(r["report"], r["record"]): r["grade"] for r in read_tsv(path)} if path.is_file() else {}
            rows = [_row(qid, text, records[pid], names, reports, old) for pid, names in found.items()]
            rows.sort(key=lambda r: (r["report"], r.pop("_seq")))
            write_pool(path, rows)
            rows_written += len(rows)
    return len(queries), rows_written


def extend_half(half: str, index_dir: Path, depth: int, out_dir: Path, tag: str, ranker_model: str | None) -> tuple[int, int]:
    """Add the top ``depth`` of dense, RRF and the engine over ``index_dir`` to every pool file of
    ``half``, as sources ``<ranker>:<tag>``; returns (pool files, rows added)."""
    from evsearch.search.engine import Engine
    from evsearch.search.tuning import Tuning

    queries = read_tsv(EVAL / f"queries-{half}.tsv")
    added = 0
    tuning = Tuning(ranker_model=ranker_model)
    with Index.open(index_dir) as index, Engine(index_dir, tuning=tuning) as engine:
        reports = {r["report_id"]: r for r in index.reports()}
        all_ids = [row[0] for row in index.db.rows("all_paragraph_ids")]
        # the pool's order: by report, then place in the report (the same parser gives the same keys)
        position = {(r["report_id"], record_hash(r["text"])): r["seq"] for r in index.paragraphs(all_ids)}
        for q in queries:
            qid, text = q["qid"], q["query"]
            path = out_dir / f"{qid}.tsv"
            rows = read_tsv(path)
            by_key = {(r["report"], r["record"]): r for r in rows}
            found: dict[int, list[str]] = {}
            for name, ids in (("dense", dense_ids(index, text, depth)), ("rrf", rrf_ids(index, text, depth)),
                              ("engine", [h.id for h in engine.search(text, k=depth).hits])):  # fmt: skip
                for pid in ids:
                    found.setdefault(pid, []).append(f"{name}:{tag}")
            for record in index.paragraphs(list(found)):
                key = (record["report_id"], record_hash(record["text"]))
                names = found[record["id"]]
                if key in by_key:
                    have = by_key[key]["rankers"].split(",")
                    by_key[key]["rankers"] = ",".join(have + [n for n in names if n not in have])
                    continue
                row = _row(qid, text, record, names, reports, {})
                row.pop("_seq")
                rows.append(row)
                by_key[key] = row
                added += 1
            rows.sort(key=lambda r: (r["report"], position.get((r["report"], r["record"]), 10**9)))
            write_pool(path, rows)
    return len(queries), added


def _row(qid: str, text: str, record: dict, rankers: list[str], reports: dict, old: dict) -> dict:
    report = reports[record["report_id"]]
    year = report.get("inspection_year") or report.get("published_year") or ""
    digest = record_hash(record["text"])
    return {
        "qid": qid,
        "query": text,
        "report": record["report_id"],
        "part": one_line(record.get("part") or ""),
        "number": "" if record.get("number") is None else str(record["number"]),
        "record": digest,
        "rankers": ",".join(rankers),
        "la_year": f"{report.get('local_authority') or ''} {year}".strip(),
        "kind": record.get("kind") or "",
        "section": one_line(record.get("section") or ""),
        "section_grade": one_line(record.get("grade_label") or ""),
        "text": one_line(record["text"]),
        "grade": old.get((record["report_id"], digest), ""),
        "_seq": record["seq"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=("tune", "test", "both"), default="both")
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--indexes", type=Path, default=Path("/tmp"), help="indexes are INDEXES/eval-<half>")
    ap.add_argument("--qids", nargs="+", help="pool only these queries (new ones), leaving the other pools as they are")
    ap.add_argument("--extend", metavar="TAG", help="widen the pools with dense, RRF and engine over INDEXES (sources <ranker>:TAG)")
    ap.add_argument("--ranker-model", help="with --extend: the engine's ranking model file (default: the committed one)")
    args = ap.parse_args()
    if args.extend:
        for half in ("tune", "test") if args.half == "both" else (args.half,):
            n, added = extend_half(half, args.indexes / f"eval-{half}", args.depth, EVAL / "pools" / half,
                                   args.extend, args.ranker_model)  # fmt: skip
            print(f"{half}: {n} pool files, {added} rows added (sources *:{args.extend})")
        return
    for half in ("tune", "test") if args.half == "both" else (args.half,):
        wanted = set(args.qids) if args.qids else None
        n, rows = pool_half(half, args.indexes / f"eval-{half}", args.depth, EVAL / "pools" / half, wanted)
        if not n:
            continue
        print(f"{half}: {n} pool files, {rows} rows ({rows / n:.1f} per query)")


if __name__ == "__main__":
    main()
