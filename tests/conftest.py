"""Shared test fixtures: where the real corpus lives, and a clear skip when it does not."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from evsearch.errors import ReportReadError
from evsearch.parser.pipeline import parse_file, parse_paths, report_id_for
from evsearch.records import ParsedReport

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


# Session-wide caches for the whole-corpus parser tests: the ilacs/ folder is parsed once.
@pytest.fixture(scope="session")
def parsed_ilacs(ilacs_dir: Path) -> dict[str, ParsedReport | ReportReadError]:
    """Every file under ilacs/, parsed once per test session (two processes), keyed by
    its path relative to ilacs/ as judgements.csv writes it."""
    out: dict[str, ParsedReport | ReportReadError] = {}
    for result in parse_paths([ilacs_dir], workers=2):
        path = Path(result.path if isinstance(result, ReportReadError) else result.report.path)
        out[path.relative_to(ilacs_dir).as_posix()] = result
    return out


@pytest.fixture(scope="session")
def csv_rows(ilacs_dir: Path) -> dict[str, dict[str, str]]:
    with open(ilacs_dir / "judgements.csv", newline="", encoding="utf-8") as fh:
        return {row["path"]: row for row in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def expectations() -> dict[tuple[str, str], dict[str, str]]:
    """Cells of judgements.csv known to be wrong, with the value read from the PDF."""
    with open(Path(__file__).parent / "parser" / "data" / "judgement_expectations.csv", newline="", encoding="utf-8") as fh:
        return {(row["path"], row["column"]): row for row in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def parsed_seed(seed_txt: Path) -> ParsedReport:
    return parse_file(seed_txt, report_id_for(seed_txt, seed_txt))
