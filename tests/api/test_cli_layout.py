"""`evsearch search` read at 80 and 120 columns, and the one-off model export's output, as real subprocesses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from api_helpers import EVSEARCH, evsearch_env

CITATION = re.compile(r"^ ?\d+\. (\w[\w ]*) (\d{4}), paragraph \d+")


def _search(index_dir: Path, columns: int, query: str = "children in care") -> list[str]:
    proc = subprocess.run(
        [EVSEARCH, "search", query, "--index", str(index_dir), "-k", "5"],
        env=evsearch_env(COLUMNS=str(columns)), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_cards_at_80_columns(index_dir: Path) -> None:
    lines = _search(index_dir, 80)
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    heads = [i for i, line in enumerate(lines) if CITATION.match(line)]
    assert len(heads) == 5, lines
    assert len(lines) <= 5 * 6 + 3  # a card is at most 2 citation lines, 3 highlight lines and a gap
    for start, end in zip(heads, heads[1:] + [len(lines)]):
        card = "\n".join(lines[start:end])
        assert len(re.findall(r"grade \d", card)) <= 1  # the grade once, in the citation
        body = [line for line in lines[start + 1 : end] if line.startswith("    ") and line.strip()]
        assert body and max(len(line) for line in body) > 50, card  # the highlight reads as a sentence
    assert "┃" not in "\n".join(lines)  # no table


def test_table_at_120_columns(index_dir: Path) -> None:
    lines = _search(index_dir, 120)
    text = "\n".join(lines)
    assert all(len(line) <= 120 for line in lines)
    header = next(line for line in lines if "Citation" in line)
    assert "Highlight" in header and "Grade" not in header  # the grade lives in the citation only
    highlight_width = len(header.split("┃")[4])
    assert highlight_width >= 45, header
    assert text.count("grade ") <= 5 * 2 + 1  # one per hit (a citation may wrap: still one)


QUANTIZE_TINY = """
import logging, sys
import numpy as np, onnx
from onnx import TensorProto, helper, numpy_helper
from evsearch.models import onnx_export
logging.basicConfig(level=logging.INFO, format="%(message)s")  # as `python -m evsearch.models.embedder` does
weight = numpy_helper.from_array(np.ones((4, 4), dtype=np.float32), "w")
graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "tiny",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [weight])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1] + "/f.onnx")
if sys.argv[2] == "quiet":
    with onnx_export._quiet_onnxruntime():
        onnx_export._quantize(sys.argv[1] + "/f.onnx", sys.argv[1] + "/q.onnx")
        logging.getLogger("evsearch.models").info("ours")
else:
    onnx_export._quantize(sys.argv[1] + "/f.onnx", sys.argv[1] + "/q.onnx")
logging.getLogger("evsearch").info("done")
"""


def test_model_export_quantisation_prints_nothing(tmp_path: Path) -> None:
    """The one-off ONNX export says what it does in one line: onnxruntime's quantiser logs a line per
    tensor (and a tip) on the root logger, held to errors while it runs. Loud without the guard, silent with it."""
    runs = {
        mode: subprocess.run([sys.executable, "-c", QUANTIZE_TINY, str(tmp_path), mode], env=evsearch_env(),
                             capture_output=True, text=True, timeout=300)  # fmt: skip
        for mode in ("loud", "quiet")
    }
    assert all(run.returncode == 0 for run in runs.values()), runs["quiet"].stderr
    assert "pre-processing" in runs["loud"].stderr  # what the guard is for
    assert runs["quiet"].stderr.strip().splitlines() == ["ours", "done"]  # our own logging still shows
