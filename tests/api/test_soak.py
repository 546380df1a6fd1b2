"""Soak (slow): 8 clients x 60 s of mixed reads while an upload is indexed and a generation swaps.

Loopback only, over a copy of the session index. Zero errors allowed; the
figures (throughput, p99) are printed, and benchmarks/soak.py prints the same
for the README. Reads not waiting on writes is the store's work; this holds it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


def _soak_module(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(SOAK.parent))  # as `python benchmarks/soak.py` runs it: its helpers beside it
    spec = importlib.util.spec_from_file_location("evsearch_soak", SOAK)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_eight_clients_for_a_minute_while_writes_land(index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    figures = _soak_module(monkeypatch).soak(copy, seconds=60, clients=8)
    print("soak:", json.dumps(figures))
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["requests"] > 8 * 60  # every client kept being answered, not just the first few
    assert figures["upload"]["status"] == 201, figures["upload"]
    assert figures["external_index"]["rc"] == 0
    assert figures["generation_after"] != figures["generation_before"]
    assert figures["reports_after"] == 4  # the two fixtures, the upload and the external run
