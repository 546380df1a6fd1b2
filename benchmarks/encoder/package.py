"""Turn a trained model folder into the packaged `evsearch-minilm-ilacs` (float16 weights).

WHY float16: the fp32 weights are 87 MiB, too much for the repository; float16 halves them
(43 MiB) and changes vectors by less than the int8 export already does (cosine to the fp32
model > 0.9999). Only the weights change in fine-tuning, so every other file (config,
tokenizer, pooling, the 256-token truncation) is the base model's own: the tuned model
loads, truncates and costs exactly as the base does. config.json asks transformers for
float32, so every load (torch backend, ONNX export) computes in float32 from the file.

    python benchmarks/encoder/package.py --model /work/encoder-model   --out /work/evsearch-minilm-ilacs  # prints its sha256
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from evsearch.models.files import sha256_of_file
from evsearch.models.resolve import resolve_model

FILES = (
    "config.json", "config_sentence_transformers.json", "modules.json", "sentence_bert_config.json",
    "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "1_Pooling/config.json",
)  # fmt: skip  (from the base model; its model card and training-data list are not ours to ship)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=Path("/work/encoder-model"))
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    import torch
    from safetensors.torch import load_file, save_file

    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    base = resolve_model("all-MiniLM-L6-v2").folder
    for name in FILES:
        (args.out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / name, args.out / name)
    tensors = load_file(str(args.model / "model.safetensors"))
    expected = set(load_file(str(base / "model.safetensors"))) - {"embeddings.position_ids"}
    if set(tensors) != expected:
        raise SystemExit(f"{args.model}: weight names differ from the base model's: {sorted(set(tensors) ^ expected)[:5]}")
    half = {k: v.to(torch.float16).contiguous() for k, v in sorted(tensors.items())}
    save_file(half, str(args.out / "model.safetensors"), metadata={"format": "pt"})
    config = json.loads((args.out / "config.json").read_text())
    config["dtype"] = "float32"  # computed in float32; the file stores float16
    config.pop("torch_dtype", None)
    (args.out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    training = json.loads((args.model / "training.json").read_text())
    training["fp32_sha256"] = training.pop("sha256")
    (args.out / "training.json").write_text(json.dumps(training, indent=1) + "\n")
    print(json.dumps({"folder": str(args.out), "sha256": sha256_of_file(args.out / "model.safetensors"),
                      "bytes": (args.out / "model.safetensors").stat().st_size}))


if __name__ == "__main__":
    main()
