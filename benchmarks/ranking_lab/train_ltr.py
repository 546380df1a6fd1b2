"""Rebuild the learned ranker (src/evsearch/search/data/ranker.json) from the TUNE qrels.

For every tune query the engine plans, retrieves and fuses as it does when it
searches; the first ``--depth`` fused candidates get their feature rows
(search/features.py) and their graded judgement (0 when unjudged). Model
selection is 5-fold cross-validation grouped by REPORT within tune: each fold
trains on the candidates of the other reports and scores nDCG@10 on its own
reports' candidates (ideal gains from the qrels of those reports), so a
setting that only memorises reports does not win. The chosen setting is then
trained on all of tune with a fixed seed, and a logistic calibration (chance
of rel > 0) is fitted on the out-of-fold scores. Test is never read here.

    python -m benchmarks.ranking_lab.train_ltr --index /work/evalidx/eval-tune          # writes the model
    python -m benchmarks.ranking_lab.train_ltr --index DIR --out /tmp/ranker.json --dry  # CV table only

Deterministic: features are rounded to 6 decimals (query embeddings differ in
their last bits between runs) and LightGBM runs one thread with
``deterministic`` and seed 19, so the same index and qrels give the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

from evsearch.search import features, learned
from evsearch.search.engine import Engine
from evsearch.search.evaluate import Found, dcg, load_qrels, report_names
from evsearch.search.fusion import fuse
from evsearch.search.retrieve import retrieve
from evsearch.search.tuning import Tuning

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "src" / "evsearch" / "search" / learned.MODEL_FILE
SEED = 19
FOLDS = 5
# rounds stop at 150: 300 trees cost ~1.5 ms a query to predict on 2 cores (100: ~0.2 ms), for
# +0.004 CV nDCG@10 (docs/search.md, "Evaluation")
# monotone: adopted on the first 72 tune queries (CV +0.003 to +0.006 at every setting) and kept
# fixed since: with 102 queries the free choice swings by less than the folds' noise (0.001)
GRID = {"num_leaves": (7, 15), "min_data_in_leaf": (20, 50), "rounds": (100, 150), "monotone": (True,)}
# With "monotone": more words matched, closer meaning, a better retriever rank never lower a score
# (few training queries: the constraint keeps trees from learning noise against the signal).
MONOTONE = {
    "bm25": 1, "bm25_share": 1, "coverage": 1, "bm25_title": 1, "title_coverage": 1, "dense": 1, "feedback": 1,
    "report_best": 1, "section_best": 1, "dense_rank": -1, "bm25_rank": -1, "fused_rank": -1,
}


def dataset(index_dir: Path, qrels_path: Path, depth: int) -> dict[str, np.ndarray]:
    """Feature rows, labels, query and report of the first ``depth`` fused candidates of each query."""
    qs = load_qrels(qrels_path)
    rows, labels, qids, reports = [], [], [], []
    with Engine(index_dir, tuning=Tuning(ranker="fusion")) as engine:
        view = engine.view
        names = report_names(view.index.reports(), qs.reports)
        for qn, (qid, text) in enumerate(qs.queries.items()):
            planned = engine.plan(text, k=10)
            if planned.mode != "rank":
                continue
            found = fuse(retrieve(planned, view))
            preferred = set() if planned.preferred is None else {int(p) for p in planned.preferred}
            ranked = [x for x in found.ranked if x[0] in preferred] + [x for x in found.ranked if x[0] not in preferred]
            ids = [pid for pid, _ in ranked[: max(depth, len(preferred))]]
            records = {r["id"]: r for r in view.index.paragraphs(ids)}
            ids = [i for i in ids if i in records]
            x = features.matrix(features.batch(found, view, ids, records))
            for pid, row in zip(ids, x):
                r = records[pid]
                report = names.get(r["report_id"], r["report_id"])
                key = qs.key_of(qid, report, Found.of(r))
                rows.append(row)
                labels.append(0 if key is None else qs.qrels[qid][key])
                qids.append(qn)
                reports.append(report)
    # rounded: embeddings differ in the last bits between runs (threaded ONNX), the model must not
    return {"x": np.round(np.array(rows), 6), "y": np.array(labels), "qid": np.array(qids), "report": np.array(reports)}


def ideal_gains(qrels_path: Path) -> dict[tuple[int, str], list[int]]:
    """(query number, report) -> the judged rels of that query in that report."""
    qs = load_qrels(qrels_path)
    out: dict[tuple[int, str], list[int]] = {}
    for qn, qid in enumerate(qs.queries):
        for key, rel in qs.qrels[qid].items():
            out.setdefault((qn, key[1]), []).append(rel)
    return out


def ndcg_within(scores: np.ndarray, data: dict, rows: np.ndarray, ideal: dict) -> float:
    """Mean nDCG@10 over queries of the candidates ``rows`` (one fold's reports), best score first."""
    out = []
    qid, y, report, scores = data["qid"][rows], data["y"][rows], data["report"][rows], scores[rows]
    fold_reports = set(report.tolist())
    for q in np.unique(qid):
        mask = qid == q
        gains = sorted((g for r in fold_reports for g in ideal.get((int(q), r), [])), reverse=True)[:10]
        best = dcg(gains)
        if best <= 0:
            continue
        order = np.lexsort((np.arange(mask.sum()), -scores[mask]))
        out.append(dcg(y[mask][order][:10]) / best)
    return float(np.mean(out)) if out else 0.0


def train(data: dict, rows: np.ndarray, params: dict):
    import lightgbm

    rows = rows[np.argsort(data["qid"][rows], kind="stable")]
    _, sizes = np.unique(data["qid"][rows], return_counts=True)
    train_set = lightgbm.Dataset(
        data["x"][rows], data["y"][rows], group=sizes, feature_name=list(features.FEATURES), free_raw_data=False
    )
    config = {
        "objective": "lambdarank", "lambdarank_truncation_level": 20, "learning_rate": 0.05,
        "num_leaves": params["num_leaves"], "min_data_in_leaf": params["min_data_in_leaf"],
        "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
        "monotone_constraints": [MONOTONE.get(f, 0) if params["monotone"] else 0 for f in features.FEATURES],
        "seed": SEED, "deterministic": True, "num_threads": 1, "force_row_wise": True, "verbose": -1,
    }  # fmt: skip
    return lightgbm.train(config, train_set, num_boost_round=params["rounds"])


def folds(data: dict) -> list[np.ndarray]:
    """Report-grouped folds: reports dealt round-robin in sha1 order (stable, no RNG)."""
    reports = sorted(set(data["report"].tolist()), key=lambda r: hashlib.sha1(r.encode()).hexdigest())
    fold_of = {r: i % FOLDS for i, r in enumerate(reports)}
    which = np.array([fold_of[r] for r in data["report"]])
    return [np.flatnonzero(which == f) for f in range(FOLDS)]


def cross_validate(data: dict, ideal: dict, params: dict) -> tuple[float, np.ndarray]:
    """Mean held-out nDCG@10 over the folds, and every row's out-of-fold raw score."""
    oof = np.zeros(len(data["y"]))
    scores = []
    for held in folds(data):
        rest = np.setdiff1d(np.arange(len(data["y"])), held)
        model = train(data, rest, params)
        oof[held] = model.predict(data["x"][held], num_threads=1)
        scores.append(ndcg_within(oof, data, held, ideal))
    return float(np.mean(scores)), oof


def calibrate(raw: np.ndarray, relevant: np.ndarray) -> tuple[float, float]:
    """Logistic fit of P(rel > 0) on the raw score: (scale, shift)."""
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e4).fit(raw.reshape(-1, 1), relevant.astype(int))
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="the eval tune index (eval/build_indexes.py)")
    ap.add_argument("--qrels", type=Path, default=ROOT / "eval" / "qrels-tune.tsv")
    ap.add_argument("--depth", type=int, default=100, help="fused candidates the model reorders")
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument("--dry", action="store_true", help="print the cross-validation table, write nothing")
    args = ap.parse_args()
    if "test" in args.qrels.name:
        print("train on the tune qrels only; test is reported, never trained on", file=sys.stderr)
        return 2
    data = dataset(args.index, args.qrels, args.depth)
    ideal = ideal_gains(args.qrels)
    fused = -data["x"][:, list(features.FEATURES).index("fused_rank")]
    base = np.mean([ndcg_within(fused, data, held, ideal) for held in folds(data)])
    print(f"{len(data['y'])} candidates, {len(np.unique(data['qid']))} queries, {int((data['y'] > 0).sum())} relevant")
    print(f"fused order (no model)                         CV nDCG@10 {base:.4f}")
    results = []
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values))
        score, oof = cross_validate(data, ideal, params)
        results.append((score, params, oof))
        print(f"{json.dumps(params):<48} CV nDCG@10 {score:.4f}", flush=True)
    score, params, oof = max(results, key=lambda r: r[0])
    print(f"chosen {json.dumps(params)} (CV {score:.4f})")
    if args.dry:
        return 0
    model = train(data, np.arange(len(data["y"])), params)
    scale, shift = calibrate(oof, data["y"] > 0)
    trained = {
        "qrels": args.qrels.name, "queries": int(len(np.unique(data["qid"]))), "candidates": int(len(data["y"])),
        "params": params, "cv_ndcg@10": round(score, 4), "seed": SEED,
    }  # fmt: skip
    args.out.write_text(learned.dump(model, depth=args.depth, scale=scale, shift=shift, trained=trained), "utf-8")
    print(f"wrote {args.out} (sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
