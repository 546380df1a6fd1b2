"""Merge the lab's --json outputs of a tune and a test run into one Markdown table.

    .venv/bin/python -m benchmarks.ranking_lab.table TUNE.json TEST.json

Rows keep the tune run's order; a mechanism measured on one half only shows "-" for the other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(tune_path: str, test_path: str) -> None:
    tune, test = (json.loads(Path(p).read_text()) for p in (tune_path, test_path))
    print(f"| mechanism ({tune['mode']}) | tune nDCG@10 | tune MRR@10 | test nDCG@10 | test MRR@10 |")
    print("| --- | --- | --- | --- | --- |")
    for name, a in tune["rows"].items():
        b = test["rows"].get(name)
        right = f"{b['ndcg@10']:.3f} | {b['mrr@10']:.3f}" if b else "- | -"
        cell = name.replace("|", "\\|")
        print(f"| {cell} | {a['ndcg@10']:.3f} | {a['mrr@10']:.3f} | {right} |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
