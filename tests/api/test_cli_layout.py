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


@pytest.mark.slow
def test_model_export_prints_one_progress_line(tmp_path: Path) -> None:
    """The one-off ONNX export (make install) says what it does once, not ~60 lines of onnxruntime logging."""
    proc = subprocess.run(
        [sys.executable, "-m", "evsearch.models.embedder"],
        env=evsearch_env(EVSEARCH_CACHE=str(tmp_path / "cache")), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("exporting all-MiniLM-L6-v2 to ONNX int8"), proc.stderr[-2000:]
    assert proc.stdout.strip().endswith("ready") and len(proc.stdout.strip().splitlines()) == 1
