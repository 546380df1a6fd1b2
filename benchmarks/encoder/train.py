"""Fine-tune all-MiniLM-L6-v2 on the mined pairs, on CPU, with fixed seeds.

WHY a plain loop around sentence-transformers' own loss (MultipleNegativesRankingLoss,
anchor / positive / hard negative): `SentenceTransformerTrainer` needs `datasets` and
`accelerate`, two large dependencies for one offline run; the loss, tokenisation and model
saving are the library's, the loop is the ten lines its old `fit` had (AdamW, linear warm-up
and decay, gradient clipping). Batches never hold two rows with the same anchor or positive
(a shared title or query would otherwise be its own in-batch false negative).

    nice -n 10 python benchmarks/encoder/train.py --pairs /work/encoder-data/pairs.tsv \
        --out /work/encoder-model-c --limit 6000 --tune-share 0.4   # evsearch-minilm-ilacs
    python benchmarks/encoder/train.py --limit 200 --out /tmp/probe   # throughput probe

Prints rows/s while it runs, and the sha256 of the saved weights at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from evsearch.models import offline  # noqa: F401  (no downloads, before any Hugging Face import)
from evsearch.models.files import sha256_of_file
from evsearch.models.resolve import resolve_model

SEED = 20261206
KEEP_ALL = ("dup", "within")  # the scarce mined kinds, all kept
TUNE_SHARE = 0.4  # at most this share of --limit comes from the tune qrels
FILL = {"title": 0.3, "ict": 0.7}  # the rest of --limit, from the plentiful mined kinds


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def load_rows(path: Path, limit: int, rng: random.Random, tune_share: float = TUNE_SHARE) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["type"]].append(row)
    chosen = [r for kind in KEEP_ALL for r in by_kind.get(kind, [])][:limit]
    tune = by_kind.get("tune", [])
    chosen += rng.sample(tune, min(len(tune), int(limit * tune_share), limit - len(chosen)))
    room = limit - len(chosen)
    for kind, share in FILL.items():
        pool = by_kind.get(kind, [])
        chosen += rng.sample(pool, min(len(pool), int(room * share)))
    return chosen


def batches(rows: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Shuffled batches in which no anchor or positive text appears twice."""
    todo = rows[:]
    rng.shuffle(todo)
    out: list[list[dict]] = []
    while todo:
        batch, seen, later = [], set(), []
        for row in todo:
            keys = {row["anchor"].lower(), row["positive"].lower()}
            if len(batch) < size and not keys & seen:
                batch.append(row)
                seen |= keys
            else:
                later.append(row)
        out.append(batch)
        todo = later
    return [b for b in out if len(b) > 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=Path, default=Path("/work/encoder-data/pairs.tsv"))
    ap.add_argument("--out", type=Path, default=Path("/work/encoder-model"))
    ap.add_argument("--limit", type=int, default=6000,
                    help="rows to train on (dup/within rows, then tune up to --tune-share, then title/ict)")
    ap.add_argument("--tune-share", type=float, default=TUNE_SHARE, help="most of --limit taken from tune qrels")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--max-seq-length", type=int, default=128)
    ap.add_argument("--train-embeddings", action="store_true",
                    help="also train the token embedding table (half the weights; frozen by default: faster, and "
                         "a fine-tune this short moves it little)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    rng = random.Random(args.seed)
    rows = load_rows(args.pairs, args.limit, rng, args.tune_share)
    plan = batches(rows, args.batch, rng)
    base = resolve_model("all-MiniLM-L6-v2")
    model = SentenceTransformer(str(base.folder), device="cpu", local_files_only=True)
    model.max_seq_length = args.max_seq_length
    if not args.train_embeddings:
        model[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
    loss_fn = MultipleNegativesRankingLoss(model)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(len(plan) * args.warmup), len(plan))
    model.train()
    started, done, cpu0 = time.time(), 0, time.process_time()
    for step, batch in enumerate(plan, start=1):
        features = [model.preprocess([r[col] for r in batch]) for col in ("anchor", "positive", "negative")]
        loss = loss_fn(features, None)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        done += len(batch)
        if step % 10 == 0 or step == len(plan):
            elapsed = time.time() - started
            print(f"step {step}/{len(plan)} loss {loss.item():.4f} rows {done} {done / elapsed:.2f} rows/s "
                  f"elapsed {elapsed:.0f}s load {os.getloadavg()[0]:.1f}", flush=True)
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(str(args.out))
    weights = args.out / "model.safetensors"
    meta = {
        "base": base.name, "base_sha256": base.sha256, "seed": args.seed, "rows": len(rows),
        "kinds": dict(sorted(Counter(r["type"] for r in rows).items())), "batches": len(plan),
        "tune_share": args.tune_share, "batch": args.batch, "lr": args.lr, "warmup": args.warmup,
        "max_seq_length": args.max_seq_length,
        "train_embeddings": args.train_embeddings,
        "threads": args.threads, "loss": "MultipleNegativesRankingLoss(scale=20, cos_sim), anchor/positive/negative",
        "epochs": 1, "wall_s": round(time.time() - started), "cpu_s": round(time.process_time() - cpu0),
        "torch": torch.__version__, "sha256": sha256_of_file(weights),
    }
    (args.out / "training.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
