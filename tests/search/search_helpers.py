"""Small helpers shared by the search tests (paths mirror tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
QUERIES_DIR = SHARED / "queries"
SEED_ID = "east-sussex-2010-safeguarding-and-looked-after-children"
FIXTURE_ID = "fernhollow-2021-fixture-report"
ILACS_ID = "brackenmoor-2023-fixture-ilacs"
EVSEARCH = REPO / ".venv" / "bin" / "evsearch"


def require(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"real corpus not found at {path} (CI provides ../shared next to the repo)")


def numbers(response) -> list:
    return [h.number for h in response.hits]
