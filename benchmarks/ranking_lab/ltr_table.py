"""Engine rows for the learned ranker: ``Engine.search`` with one ``Tuning`` per row, tune and test.

    python -m benchmarks.ranking_lab.ltr_table --indexes /work/evalidx
    python -m benchmarks.ranking_lab.ltr_table --indexes /work/evalidx --model /tmp/ranker.json --only learned

Rows: ``boosts`` (the hand-set rules, before), ``fusion`` (fused order alone),
``learned`` (the committed model, or ``--model``), and variants of ``learned``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from evsearch.search.engine import Engine
from evsearch.search.evaluate import Found, evaluate, load_qrels, report_names
from evsearch.search.tuning import Tuning

EVAL = Path(__file__).resolve().parents[2] / "eval"
ROWS = {
    "boosts": {"ranker": "boosts"},
    "fusion": {"ranker": "fusion"},
    "learned": {"ranker": "learned"},
    "learned -preferred first": {"ranker": "learned", "preferred_first": False},
    "learned +relaxed grade word": {"ranker": "learned", "relaxed_grade_word": True},
    "boosts +relaxed grade word": {"ranker": "boosts", "relaxed_grade_word": True},
    "learned -rocchio": {"ranker": "learned", "feedback_docs": 0},
}


def row(index_dir: Path, qrels: Path, tuning: Tuning) -> dict:
    qs = load_qrels(qrels)
    with Engine(index_dir, tuning=tuning) as engine:
        names = report_names(engine.index.reports(), qs.reports)
        return evaluate(qs, lambda text, _j: [Found.of_hit(h) for h in engine.search(text, k=10).hits], names)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--indexes", type=Path, required=True, help="indexes are INDEXES/eval-<half>")
    ap.add_argument("--halves", default="tune,test")
    ap.add_argument("--model", help="a model file instead of the committed one")
    ap.add_argument("--only", action="append", help="row name (repeatable)")
    args = ap.parse_args()
    names = args.only or list(ROWS)
    print(f"{'row':<28} {'half':<5} {'nDCG@10':>8} {'MRR@10':>8}")
    for name in names:
        for half in args.halves.split(","):
            tuning = Tuning(**ROWS[name], ranker_model=args.model)
            o = row(args.indexes / f"eval-{half}", EVAL / f"qrels-{half}.tsv", tuning)["overall"]
            print(f"{name:<28} {half:<5} {o['ndcg@10']:8.3f} {o['mrr@10']:8.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
