"""Fixtures for the store tests: the real default model and a small real index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evsearch.store import Index
from store_helpers import TOPICS, make_report, write_reports


@pytest.fixture(scope="session")
def embedder():
    """The real default model, loaded once."""
    from evsearch.models.embedder import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def _small_index_template(tmp_path_factory, embedder) -> Path:
    index_dir = tmp_path_factory.mktemp("template") / "idx"
    write_reports(index_dir, [make_report(r) for r in TOPICS], embedder)
    return index_dir


@pytest.fixture()
def small_index(tmp_path: Path, _small_index_template: Path) -> Path:
    """A fresh copy per test, so tests may modify it."""
    index_dir = tmp_path / "idx"
    shutil.copytree(_small_index_template, index_dir)
    return index_dir


@pytest.fixture()
def opened(small_index: Path):
    index = Index.open(small_index)
    yield index
    index.close()
