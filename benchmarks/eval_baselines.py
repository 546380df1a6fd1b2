"""Tune and test figures for the baselines and the engine on the evaluation collection (eval/).

Four rankers, each searching the whole index of one half:

- ``bm25``: FTS5 bm25 over the paragraph text, the query's terms ORed (no query understanding);
- ``dense``: cosine of the query's MiniLM vector against the stored paragraph vectors;
- ``rrf``: reciprocal-rank fusion (k=60) of the top 100 of each of the two above;
- ``engine``: ``Engine.search`` as it is (query understanding, filters, fusion, boosts, grouping).

The same functions give eval/pool.py its rankers, so the pools hold what is measured here.

    python benchmarks/eval_baselines.py                      # tune and test, all four
    python benchmarks/eval_baselines.py --halves test --rankers engine --per-query

Needs eval/qrels-{tune,test}.tsv (eval/collect_qrels.py) and the indexes (eval/build_indexes.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from evsearch.search.evaluate import Found, QuerySet, evaluate, load_qrels, report_names
from evsearch.search.keywords import keyword_query
from evsearch.store.index import Index

EVAL = Path(__file__).resolve().parents[1] / "eval"
RANKERS = ("bm25", "dense", "rrf", "engine")
RRF_K = 60
RRF_DEPTH = 100

Ranker = Callable[[str, int], list[Found]]


def bm25_ids(index: Index, text: str, k: int) -> list[int]:
    return [pid for pid, _ in index.search_bm25(keyword_query(text, frozenset()), k)]


def dense_ids(index: Index, text: str, k: int) -> list[int]:
    return [pid for pid, _ in index.search_dense(index.embedder.encode_query(text), k)]


def rrf_ids(index: Index, text: str, k: int) -> list[int]:
    scores: dict[int, float] = {}
    for ids in (bm25_ids(index, text, RRF_DEPTH), dense_ids(index, text, RRF_DEPTH)):
        for rank, pid in enumerate(ids):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    return [pid for pid, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def rankers(index_dir: Path, names: tuple[str, ...] = RANKERS) -> tuple[dict[str, Ranker], Callable[[], None]]:
    """name -> ranker(text, k) returning Found records best first, and a close function."""
    index = Index.open(index_dir)
    engine = None
    out: dict[str, Ranker] = {}
    by_ids = {"bm25": bm25_ids, "dense": dense_ids, "rrf": rrf_ids}
    for name in names:
        if name in by_ids:
            fn = by_ids[name]
            out[name] = lambda text, k, fn=fn: [Found.of(r) for r in index.paragraphs(fn(index, text, k))]
        elif name == "engine":
            from evsearch.search.engine import Engine

            engine = Engine(index_dir)
            out[name] = lambda text, k: [Found.of_hit(h) for h in engine.search(text, k=k).hits]
        else:
            raise SystemExit(f"unknown ranker {name!r}; choose from {', '.join(RANKERS)}")

    def close() -> None:
        index.close()
        if engine is not None:
            engine.close()

    return out, close


def measure(query_set: QuerySet, index_dir: Path, names: tuple[str, ...]) -> dict[str, dict]:
    found, close = rankers(index_dir, names)
    try:
        index = Index.open(index_dir)
        try:
            ids_to_names = report_names(index.reports(), query_set.reports)
        finally:
            index.close()
        return {
            name: evaluate(query_set, lambda text, _judged, fn=fn: fn(text, 10), ids_to_names)
            for name, fn in found.items()
        }
    finally:
        close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--halves", default="tune,test")
    ap.add_argument("--rankers", default=",".join(RANKERS))
    ap.add_argument("--indexes", type=Path, default=Path("/tmp"), help="indexes are INDEXES/eval-<half>")
    ap.add_argument("--qrels-dir", type=Path, default=EVAL)
    ap.add_argument("--per-query", action="store_true")
    ap.add_argument("--json", action="store_true", help="one JSON line per half and ranker")
    args = ap.parse_args()
    names = tuple(n for n in args.rankers.split(",") if n)
    if not args.json:
        print(f"{'half':<5} {'ranker':<7} {'queries':>7} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8} {'judged@10':>9}")
    for half in args.halves.split(","):
        qrels = args.qrels_dir / f"qrels-{half}.tsv"
        if not qrels.is_file():
            print(f"{qrels}: not found; grade the pools and run eval/collect_qrels.py", file=sys.stderr)
            return 2
        for name, result in measure(load_qrels(qrels), args.indexes / f"eval-{half}", names).items():
            o = result["overall"]
            if args.json:
                print(json.dumps({"half": half, "ranker": name, "queries": result["evaluated"], **o}))
                continue
            print(f"{half:<5} {name:<7} {result['evaluated']:>7} {o['ndcg@10']:8.3f} {o['mrr@10']:8.3f} "
                  f"{o['recall@10']:8.3f} {o['judged@10']:9.3f}")  # fmt: skip
            if args.per_query:
                for q in result["queries"]:
                    print(f"      {q['qid']:<6} {q['ndcg@10']:.3f} {q['mrr@10']:.3f} {q['recall@10']:.3f}  {q['query'][:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
