"""Shared test fixtures: where the real corpus lives, and a clear skip when it does not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
SEED_TXT = CORPUS / "seed" / "east-sussex-2010-safeguarding-and-looked-after-children.txt"
SEED_ID = "east-sussex-2010-safeguarding-and-looked-after-children"
ILACS_DIR = CORPUS / "ilacs"
JUDGEMENTS_CSV = ILACS_DIR / "judgements.csv"
QUERIES_DIR = SHARED / "queries"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def require_corpus(*paths: Path) -> None:
    """Skip the calling test when the shared corpus (or a given part of it) is absent."""
    for path in paths or (CORPUS,):
        if not path.exists():
            pytest.skip(f"real corpus not found at {path} (CI provides ../shared next to the repo)")


@pytest.fixture(scope="session")
def seed_txt() -> Path:
    require_corpus(SEED_TXT)
    return SEED_TXT


@pytest.fixture(scope="session")
def ilacs_dir() -> Path:
    require_corpus(ILACS_DIR, JUDGEMENTS_CSV)
    return ILACS_DIR
