"""Ranking quality per embedding-text recipe and per ranking mechanism, on a qrels file.

Builds one index of the seed report per recipe ('text', 'section+text',
'path+text') in a scratch folder (or reuses it), then evaluates nDCG@10,
MRR@10 and Recall@10 for the retrievers alone (dense, BM25), both fusions and
the full engine (query understanding + boosts). Prints one table; this is how
the defaults in evsearch.search.retrieve.Tuning were chosen.

    .venv/bin/python benchmarks/search_quality.py [--qrels ../shared/queries/seed-dev.tsv] [--work /tmp/evs-quality]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
RECIPES = ("text", "section+text", "path+text")


def build(recipe: str, work: Path, corpus: Path) -> Path:
    from evsearch.indexer.build import build_index
    from evsearch.indexer.options import BuildOptions

    out = work / f"index-{recipe.replace('+', '-')}"
    if not (out / "CURRENT").exists():
        build_index([corpus], out, BuildOptions.from_settings(embedding_text=recipe))
    return out


def configs():
    """(name, tuning, through the engine?) rows: raw baselines, the default, then one change at a time."""
    from evsearch.search.tuning import Tuning

    base = Tuning()
    yield "dense only (raw)", replace(base, fusion="dense"), False
    yield "bm25 only (raw)", replace(base, fusion="bm25"), False
    yield "rrf (raw)", replace(base, fusion="rrf"), False
    yield "convex (raw)", base, False
    yield "ENGINE (defaults)", base, True
    yield "  hand-set boosts (before the learned ranker)", replace(base, ranker="boosts"), True
    yield "  fusion rrf", replace(base, ranker="boosts", fusion="rrf", section_boost=0.003, title_boost=0.005, evidence_prior=0.002), True
    yield "  fusion minmax", replace(base, fusion="minmax"), True
    for alpha in (0.3, 0.4, 0.6, 0.7):
        yield f"  alpha {alpha}", replace(base, alpha=alpha), True
    yield "  no acronyms", replace(base, acronyms=False), True
    yield "  acronyms not in dense", replace(base, dense_acronyms=False), True
    yield "  no concept phrases", replace(base, concept_phrases=False), True
    yield "  + theme expansion", replace(base, expand=True), True
    yield "  + bigram phrases", replace(base, phrase_bigrams=True), True
    yield "  no section boosts", replace(base, ranker="boosts", section_boost=0.0, title_boost=0.0), True
    yield "  no evidence prior", replace(base, ranker="boosts", evidence_prior=0.0), True


def raw(engine, text: str) -> list[Found]:
    """The retrievers on the query as typed: no understanding, filters or boosts (the baselines)."""
    from evsearch.search.evaluate import Found
    from evsearch.search.fusion import fuse
    from evsearch.search.keywords import keyword_query
    from evsearch.search.plan import Plan
    from evsearch.search.retrieve import retrieve

    view = engine.view
    plan = Plan(query=text, tuning=engine.tuning, need=10, text=text, dense_text=text,
                keyword=keyword_query(text, view.stop_words))
    top = [pid for pid, _ in fuse(retrieve(plan, view)).ranked[:10]]
    return [Found.of(r) for r in engine.index.paragraphs(top)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--qrels", type=Path, default=SHARED / "queries" / "seed-dev.tsv")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "seed")
    ap.add_argument("--work", type=Path, default=Path("/tmp/evs-quality"))
    ap.add_argument("--recipes", default=",".join(RECIPES))
    ap.add_argument("--fresh", action="store_true", help="rebuild the scratch indexes")
    ap.add_argument("--per-query", action="store_true")
    args = ap.parse_args()
    if not args.qrels.exists():
        print(f"qrels not found: {args.qrels}", file=sys.stderr)
        return 2
    from evsearch.search.engine import Engine
    from evsearch.search.evaluate import Found, evaluate, load_qrels, report_names

    if args.fresh and args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True, exist_ok=True)
    qs = load_qrels(args.qrels)
    print(f"{'recipe':<14} {'mechanism':<24} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8}")
    for recipe in args.recipes.split(","):
        engine = Engine(build(recipe, args.work, args.corpus))
        for name, tuning, understand in configs():
            engine.tuning = tuning

            def run(text: str, _judged: set[str]) -> list[Found]:
                if understand:
                    return [Found.of_hit(h) for h in engine.search(text, k=10).hits]
                return raw(engine, text)

            result = evaluate(qs, run, report_names(engine.index.reports(), qs.reports))
            o = result["overall"]
            print(f"{recipe:<14} {name:<24} {o['ndcg@10']:8.3f} {o['mrr@10']:8.3f} {o['recall@10']:8.3f}")
            if args.per_query:
                for q in result["queries"]:
                    print(f"    {q['qid']} {q['ndcg@10']:.3f} {q['mrr@10']:.3f} {q['query'][:50]}")
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
