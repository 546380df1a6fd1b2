"""Query understanding over the evaluation queries: what the parser reads out of each, and how fast.

    PYTHONPATH=src .venv/bin/python benchmarks/query_parse.py --out /tmp/parse-after.json \\
        [--compare /tmp/parse-before.json] [--rounds 30]

Parses every query in eval/queries-*.tsv with a QueryParser over a vocabulary like a whole-corpus
index's (the register names of the shared corpus's authorities, the years 2012-2026 and the known
section titles; no index needed) and writes, per query, the fields understood: authorities, years,
grade, themes, section titles and the residual text. ``--compare`` prints every query whose fields
differ from an earlier run (another branch's: run this file with that tree's src on PYTHONPATH).
Latency: each query parsed ``--rounds`` times, its median taken; the report gives the median and
p90 of those over all queries, in microseconds, and the parser's build time.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from pathlib import Path

from evsearch.search.query import QueryParser, Vocabulary
from evsearch.vocab.authorities import by_urn
from evsearch.vocab.sections import SECTION_TITLES

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "ilacs"
FIELDS = ("la", "year", "grade", "themes", "sections")


def vocabulary() -> Vocabulary:
    names = set()
    if CORPUS.is_dir():
        for folder in CORPUS.iterdir():
            urn, _, printed = folder.name.partition("_")
            entry = by_urn(urn)
            names.add(entry.name if entry else printed)  # the index keeps an unresolved name verbatim
    titles = sorted(t[0].upper() + t[1:] for t, role in SECTION_TITLES.items() if role in ("section", "key", "child", "container", "part"))
    return Vocabulary(local_authorities=sorted(names), years=list(range(2012, 2027)), sections=titles, judgements=titles)


def queries() -> list[tuple[str, str]]:
    out = []
    for path in sorted((REPO / "eval").glob("queries-*.tsv")):
        with path.open(encoding="utf-8") as handle:
            out += [(row["qid"], row["query"]) for row in csv.DictReader(handle, delimiter="\t")]
    return out


def understood(parser: QueryParser, query: str) -> dict:
    p = parser.parse(query)
    return {
        "la": p.filters.get("la", []), "year": p.filters.get("year", []), "grade": p.filters.get("grade", []),
        "themes": p.themes, "sections": p.sections, "text": p.text,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()

    vocab = vocabulary()
    QueryParser(vocab)  # warm the shared caches (themes, tokenizer rules, register)
    started = time.perf_counter()
    parser = QueryParser(vocab)
    build_ms = (time.perf_counter() - started) * 1000
    rows = queries()
    results = {qid: understood(parser, q) | {"query": q} for qid, q in rows}
    per_query = []
    for qid, q in rows:
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            parser.parse(q)
            times.append(time.perf_counter() - t0)
        per_query.append(statistics.median(times) * 1e6)
        results[qid]["us"] = round(per_query[-1], 1)
    per_query.sort()
    timing = {"median_us": round(statistics.median(per_query), 1), "p90_us": round(per_query[int(0.9 * len(per_query))], 1),
              "build_ms": round(build_ms, 1), "queries": len(rows)}  # fmt: skip
    args.out.write_text(json.dumps({"timing": timing, "results": results}, indent=1), encoding="utf-8")
    print(json.dumps(timing))
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        print("before:", json.dumps(before["timing"]))
        fields_differ = text_differs = 0
        for qid, now in results.items():
            old = before["results"].get(qid)
            if old is None:
                continue
            changed = [f for f in FIELDS if old[f] != now[f]]
            fields_differ += bool(changed)
            text_differs += old["text"] != now["text"]
            if changed or old["text"] != now["text"]:
                print(f"{qid}: {now['query']!r}")
                for f in [*changed, *(["text"] if old["text"] != now["text"] else [])]:
                    print(f"    {f}: {old[f]!r} -> {now[f]!r}")
        print(f"{fields_differ} of {len(results)} queries differ in understood fields; {text_differs} in residual text")


if __name__ == "__main__":
    main()
