"""Cosine agreement of a model's int8 ONNX export with its torch reference on real paragraphs.

WHY: the export checks itself on three probe sentences (min cosine >= 0.95) before use;
a fine-tuned model must also hold the bar the default holds on report prose
(tests/models/test_embedder.py: mean >= 0.99, 5th percentile >= 0.985).

    nice -n 10 python benchmarks/encoder/agreement.py --model /work/encoder-model --paragraphs 300
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from evsearch.models.embedder import load_embedder
from evsearch.parser.pipeline import parse_paths

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--paragraphs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    texts = [p.text for r in parse_paths([CORPUS / "seed"]) if not isinstance(r, Exception) for p in r.paragraphs]
    texts = random.Random(args.seed).sample(texts, min(args.paragraphs, len(texts)))
    onnx, torch = load_embedder(args.model, "onnx"), load_embedder(args.model, "torch")
    cos = np.sum(onnx.encode(texts) * torch.encode(texts), axis=1)
    print(json.dumps({
        "model": onnx.name, "fingerprint": onnx.fingerprint, "onnx_file": str(onnx.onnx_file),  # type: ignore[attr-defined]
        "paragraphs": len(texts), "mean": round(float(cos.mean()), 4), "p5": round(float(np.percentile(cos, 5)), 4),
        "min": round(float(cos.min()), 4),
    }))


if __name__ == "__main__":
    main()
