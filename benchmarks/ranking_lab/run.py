"""Print the lab's table: nDCG@10 / MRR@10 / R@10 of each mechanism on one index and qrels file.

    .venv/bin/python -m benchmarks.ranking_lab.run --index /tmp/eval-tune --qrels eval/qrels-tune.tsv
    .venv/bin/python -m benchmarks.ranking_lab.run ... --only "rrf" --only "win 3/2 max(para,win)"
    .venv/bin/python -m benchmarks.ranking_lab.run ... --only "convex 0.5 | win 2/1 max(para,win) | bm25 -stop words"

Every query is ranked over the whole index (no per-report scope). With
``--understand`` the engine's query parser first strips filter words and its
inferred filters (grade, LA, year, section) restrict the rows, as in the
engine; without it the mechanisms see the query as typed (the baselines).
``engine`` rows run ``Engine.search`` itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

from evsearch.search.engine import Engine
from evsearch.search.evaluate import Found, evaluate, load_qrels
from evsearch.search.tuning import Tuning

from benchmarks.ranking_lab.corpus import LabCorpus
from benchmarks.ranking_lab.mechanisms import Lab, Query, combo, registry


def understood(engine, corpus: LabCorpus, text: str) -> Query:
    """The engine's plan of ``text`` (stages parse + plan): its ranking text, the rows passing
    its filters, and the rows passing every inferred filter when some were relaxed."""
    planned = engine.plan(text, k=10)
    mask = None if planned.candidates is None else np.isin(corpus.ids, np.asarray(planned.candidates))
    prefer = None if planned.preferred is None else np.isin(corpus.ids, np.asarray(planned.preferred))
    return Query(planned.text or text, np.zeros(0, np.float32), mask, prefer)


BOOST_KNOBS = {"section_boost", "title_boost", "evidence_prior"}
ENGINE_VARIANTS = {
    "engine": {},
    "engine convex a0.5 (old default)": {"alpha": 0.5, "feedback_docs": 0},
    "engine -rocchio": {"feedback_docs": 0},
    "engine rocchio 5 b0.5": {"feedback_docs": 5, "feedback_beta": 0.5},
    "engine -acronyms": {"acronyms": False, "dense_acronyms": False},
    "engine -concept phrases": {"concept_phrases": False},
    "engine -topic boosts": {"section_boost": 0.0, "title_boost": 0.0},
    "engine -evidence prior": {"evidence_prior": 0.0},
    "engine +theme expansion": {"expand": True},
    "engine rrf": {"alpha": 0.5, "fusion": "rrf", "section_boost": 0.003, "title_boost": 0.005, "evidence_prior": 0.002},
    "engine rrf k30": {"alpha": 0.5, "fusion": "rrf", "rrf_k": 30, "section_boost": 0.003, "title_boost": 0.005, "evidence_prior": 0.002},
    "engine rrf k100": {"alpha": 0.5, "fusion": "rrf", "rrf_k": 100, "section_boost": 0.003, "title_boost": 0.005, "evidence_prior": 0.002},
    "engine rrf dense 0.6": {"fusion": "rrf", "alpha": 0.6, "section_boost": 0.003, "title_boost": 0.005, "evidence_prior": 0.002},
    "engine rrf no boosts": {"alpha": 0.5, "fusion": "rrf", "section_boost": 0.0, "title_boost": 0.0, "evidence_prior": 0.0},
    "engine rrf boosts x2": {"alpha": 0.5, "fusion": "rrf", "section_boost": 0.006, "title_boost": 0.01, "evidence_prior": 0.004},
    "engine convex a0.7": {"alpha": 0.7},
    "engine convex a0.8": {"alpha": 0.8},
    "engine convex a0.9": {"alpha": 0.9},
    "engine convex a0.8 boosts x0.5": {"alpha": 0.8, "section_boost": 0.05, "title_boost": 0.075, "evidence_prior": 0.025},
    "engine convex a0.8 boosts x2": {"alpha": 0.8, "section_boost": 0.2, "title_boost": 0.3, "evidence_prior": 0.1},
    "engine rrf k100 dense 0.6": {"fusion": "rrf", "rrf_k": 100, "alpha": 0.6, "section_boost": 0.003, "title_boost": 0.005, "evidence_prior": 0.002},
    "engine rrf k100 dense 0.7": {"fusion": "rrf", "rrf_k": 100, "alpha": 0.7, "section_boost": 0.003, "title_boost": 0.005, "evidence_prior": 0.002},
    "engine rrf dense 0.7": {"fusion": "rrf", "alpha": 0.7, "section_boost": 0.003, "title_boost": 0.005, "evidence_prior": 0.002},
    "engine minmax": {"alpha": 0.5, "fusion": "minmax"},
    "engine minmax a0.7": {"fusion": "minmax", "alpha": 0.7},
    "engine minmax a0.6": {"fusion": "minmax", "alpha": 0.6},
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--qrels", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ranking-lab-cache"))
    ap.add_argument("--only", action="append", help="mechanism name (repeatable); default: all")
    ap.add_argument("--understand", action="store_true", help="rank the engine's parsed text within its filters")
    ap.add_argument("--engine", action="store_true", help="also print the engine's own row")
    ap.add_argument("--per-query", action="store_true")
    ap.add_argument("--by-kind", type=Path, help="queries file with qid and kind columns: nDCG@10 per kind")
    ap.add_argument("--json", type=Path, help="also write {mechanism: overall metrics} here (table.py reads it)")
    args = ap.parse_args()

    qs = load_qrels(args.qrels)
    corpus = LabCorpus.open(args.index, args.cache, qs.reports)
    lab = Lab(corpus)
    engine = Engine(args.index) if args.understand or args.engine or any(n in ENGINE_VARIANTS for n in args.only or ()) else None
    texts = list(qs.queries.values())
    queries = {t: understood(engine, corpus, t) if args.understand else Query(t, np.zeros(0, np.float32)) for t in texts}
    vectors = corpus.query_vectors([q.text for q in queries.values()])
    for q, v in zip(queries.values(), vectors):
        q.vector = v

    mechanisms = registry()
    names = args.only or list(mechanisms)
    for name in names:
        if "|" in name:
            mechanisms[name] = combo(name, mechanisms)
    unknown = [n for n in names if n not in mechanisms and n not in ENGINE_VARIANTS]
    if unknown:
        print(f"unknown mechanism(s): {unknown}; known: {list(mechanisms)}", file=sys.stderr)
        return 2
    if args.engine and "engine" not in names:
        names = ["engine", *names]
    label = "understood" if args.understand else "as typed"
    print(f"{'mechanism':<44} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8} {'judged':>7}   ({len(qs.queries)} queries, {label})")
    rows: dict[str, dict] = {}
    for name in names:
        if name in ENGINE_VARIANTS:
            variant = ENGINE_VARIANTS[name]
            # the hand-set boost knobs act only in the 'boosts' ranker (the learned one replaced it)
            boosts = {"ranker": "boosts"} if BOOST_KNOBS & set(variant) else {}
            engine.tuning = replace(Tuning(), **boosts, **variant)

            def run(text: str, _judged: set[str]) -> list:
                return [Found.of_hit(h) for h in engine.search(text, k=10).hits]
        else:
            fn = mechanisms[name]

            def run(text: str, _judged: set[str], fn=fn) -> list:
                q = queries[text]
                return corpus.top(fn(lab, q), 10, q.mask, q.prefer)

        result = evaluate(qs, run, corpus.names)
        o = rows[name] = result["overall"]
        print(f"{name:<44} {o['ndcg@10']:8.3f} {o['mrr@10']:8.3f} {o['recall@10']:8.3f} {o['judged@10']:7.2f}", flush=True)
        if args.by_kind:
            print("    " + by_kind(result["queries"], args.by_kind))
        if args.per_query:
            for r in result["queries"]:
                print(f"    {r['qid']:<6} {r['ndcg@10']:.3f} {r['mrr@10']:.3f}  {r['query'][:60]}")
    if args.json:
        args.json.write_text(json.dumps({"mode": label, "queries": len(qs.queries), "rows": rows}, indent=1))
    return 0


def by_kind(per_query: list[dict], path: Path) -> str:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        kinds = {row["qid"]: row["kind"] for row in csv.DictReader(fh, delimiter="\t")}
    groups: dict[str, list[float]] = {}
    for r in per_query:
        groups.setdefault(kinds.get(r["qid"], "?"), []).append(r["ndcg@10"])
    return "  ".join(f"{k} {np.mean(v):.2f} ({len(v)})" for k, v in sorted(groups.items()))


if __name__ == "__main__":
    sys.exit(main())
