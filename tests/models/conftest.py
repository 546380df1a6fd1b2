"""Embedders shared by the model tests: loaded once per session, export cached in the default cache."""

from __future__ import annotations

import pytest

from evsearch.models.embedder import Embedder, load_embedder


@pytest.fixture(scope="session")
def onnx_embedder() -> Embedder:
    return load_embedder(None, "onnx")


@pytest.fixture(scope="session")
def torch_embedder() -> Embedder:
    return load_embedder(None, "torch")
