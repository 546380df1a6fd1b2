"""Session-wide caches for the whole-corpus indexer tests: the ilacs/ folder is parsed once."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from evsearch.errors import ReportReadError
from evsearch.indexer.pipeline import parse_file, parse_paths, report_id_for
from evsearch.records import ParsedReport


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
    with open(Path(__file__).parent / "data" / "judgement_expectations.csv", newline="", encoding="utf-8") as fh:
        return {(row["path"], row["column"]): row for row in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def parsed_seed(seed_txt: Path) -> ParsedReport:
    return parse_file(seed_txt, report_id_for(seed_txt, seed_txt))
