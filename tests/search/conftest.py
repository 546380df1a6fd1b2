"""Real indexes for the search tests, built once per session with the real model.

* ``seed_index``: the seed report (../shared), as users index it; skipped
  cleanly when ../shared is absent.
* ``fixture_index``: our own invented Fernhollow report (tests/search/data),
  so the engine is tested even without the shared corpus.
* ``ilacs_index``: our own invented Brackenmoor ILACS report, whose "What
  needs to improve" bullets are developed by numbered paragraphs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
FIXTURE_ID = "fernhollow-2021-fixture-report"
ILACS_ID = "brackenmoor-2023-fixture-ilacs"


def _build(src: Path, out: Path) -> Path:
    from evsearch.indexer.build import build_index

    result = build_index([src], out)
    assert not result.failed, result.failed
    return out


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, seed_txt: Path) -> Path:
    src = tmp_path_factory.mktemp("seed-src")
    shutil.copy(seed_txt, src / seed_txt.name)
    return _build(src, tmp_path_factory.mktemp("seed-index") / "index")


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("fixture-src")
    shutil.copy(DATA / f"{FIXTURE_ID}.txt", src)
    return _build(src, tmp_path_factory.mktemp("fixture-index") / "index")


@pytest.fixture(scope="session")
def seed_engine(seed_index: Path):
    from evsearch.search.engine import Engine

    with Engine(seed_index) as engine:
        yield engine


@pytest.fixture(scope="session")
def fixture_engine(fixture_index: Path):
    from evsearch.search.engine import Engine

    with Engine(fixture_index) as engine:
        yield engine


@pytest.fixture(scope="session")
def ilacs_engine(tmp_path_factory: pytest.TempPathFactory):
    from evsearch.search.engine import Engine

    src = tmp_path_factory.mktemp("ilacs-src")
    shutil.copy(DATA / f"{ILACS_ID}.txt", src)
    with Engine(_build(src, tmp_path_factory.mktemp("ilacs-index") / "index")) as engine:
        yield engine
