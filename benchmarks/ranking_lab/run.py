"""Print the lab's table: nDCG@10 / MRR@10 / R@10 of each mechanism on one index and qrels file.

    .venv/bin/python -m benchmarks.ranking_lab.run --index /tmp/eval-tune --qrels eval/qrels-tune.tsv
    .venv/bin/python -m benchmarks.ranking_lab.run ... --only "rrf" --only "win 3/2 max(para,win)"

Every query is ranked over the whole index (no per-report scope). With
``--understand`` the engine's query parser first strips filter words and its
inferred filters (grade, LA, year, section) restrict the rows, as in the
engine; without it the mechanisms see the query as typed (the baselines).
``engine`` rows run ``Engine.search`` itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

from evsearch.search.evaluate import Found, evaluate, load_qrels

from benchmarks.ranking_lab.corpus import LabCorpus
from benchmarks.ranking_lab.mechanisms import Lab, Query, registry


def understood(engine, corpus: LabCorpus, text: str) -> tuple[str, np.ndarray | None]:
    """The engine's parsed ranking text and its filter mask over the lab's rows."""
    parsed = engine.parser.parse(text)
    candidates, _ = engine._candidates(parsed, [])
    mask = None if candidates is None else np.isin(corpus.ids, np.asarray(candidates))
    return (parsed.text or text), mask


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--qrels", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ranking-lab-cache"))
    ap.add_argument("--only", action="append", help="mechanism name (repeatable); default: all")
    ap.add_argument("--understand", action="store_true", help="rank the engine's parsed text within its filters")
    ap.add_argument("--engine", action="store_true", help="also print the engine's own row")
    ap.add_argument("--per-query", action="store_true")
    args = ap.parse_args()

    qs = load_qrels(args.qrels)
    corpus = LabCorpus.open(args.index, args.cache, qs.reports)
    lab = Lab(corpus)
    engine = None
    if args.understand or args.engine:
        from evsearch.search.engine import Engine

        engine = Engine(args.index)
    queries: dict[str, Query] = {}
    texts = list(qs.queries.values())
    prepared = [understood(engine, corpus, t) if args.understand else (t, None) for t in texts]
    vectors = corpus.query_vectors([p[0] for p in prepared])
    for t, (text, mask), v in zip(texts, prepared, vectors):
        queries[t] = Query(text, v, mask)

    mechanisms = registry()
    names = args.only or list(mechanisms)
    unknown = [n for n in names if n not in mechanisms and n != "engine"]
    if unknown:
        print(f"unknown mechanism(s): {unknown}; known: {list(mechanisms)}", file=sys.stderr)
        return 2
    if args.engine and "engine" not in names:
        names = ["engine", *names]
    label = "understood" if args.understand else "as typed"
    print(f"{'mechanism':<28} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8}   ({len(qs.queries)} queries, {label})")
    for name in names:
        if name == "engine":
            def run(text: str, _judged: set[str]) -> list:
                return [Found.of_hit(h) for h in engine.search(text, k=10).hits]
        else:
            fn = mechanisms[name]

            def run(text: str, _judged: set[str], fn=fn) -> list:
                q = queries[text]
                return corpus.top(fn(lab, q), 10, q.mask)

        result = evaluate(qs, run, corpus.names)
        o = result["overall"]
        print(f"{name:<28} {o['ndcg@10']:8.3f} {o['mrr@10']:8.3f} {o['recall@10']:8.3f}", flush=True)
        if args.per_query:
            for r in result["queries"]:
                print(f"    {r['qid']:<6} {r['ndcg@10']:.3f} {r['mrr@10']:.3f}  {r['query'][:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
