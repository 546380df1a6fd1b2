"""A fresh ONNX export into an empty cache: atomic, single-flight, checked against torch."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest

from evsearch.models.onnx_export import META_FILE, MIN_AGREEMENT, ensure_onnx, export_dir, read_layout
from evsearch.models.resolve import resolve_model


@pytest.mark.slow
def test_concurrent_first_use_exports_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="evsearch.models.onnx_export")
    source = resolve_model(None)
    results: list[Path] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            results.append(ensure_onnx(source, cache=tmp_path))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 2 and results[0] == results[1]
    assert results[0].parent == export_dir(source, tmp_path)
    exports = [r for r in caplog.records if r.getMessage().startswith("exporting ")]
    assert len(exports) == 1  # the second caller waited on the lock and reused the file
    meta = json.loads((results[0].parent / META_FILE).read_text())
    assert meta["min_cosine_vs_torch"] >= MIN_AGREEMENT
    assert meta["max_seq_length"] == read_layout(source.folder).max_seq_length
    leftovers = [p.name for p in results[0].parent.iterdir() if p.name not in {META_FILE, results[0].name, ".lock"}]
    assert leftovers == []
