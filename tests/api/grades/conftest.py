"""One real index of the repository's own-words fixture reports for the grades faces.

Larchfield has three reports (2012 slac, 2016 sif, 2022 ilacs) so its grades
make a timeline; Ashby Vale (2022) and Northmoor (2019) give the national
view more than one authority. Built once per session by the real CLI.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import DATA, EVSEARCH, FIXTURE_REPORT, LiveServer, evsearch_env, serve_app

AUTHORITY_DATA = DATA / "authority"


@pytest.fixture(scope="session")
def grades_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("grades-src")
    for path in sorted(AUTHORITY_DATA.glob("*.txt")) + [FIXTURE_REPORT]:
        shutil.copy(path, src / path.name)
    out = tmp_path_factory.mktemp("grades-index") / "index"
    proc = subprocess.run(
        [EVSEARCH, "index", str(src), "--index", str(out)],
        env=evsearch_env(), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, f"evsearch index failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="session")
def grades_server(grades_index: Path) -> Iterator[LiveServer]:
    with serve_app(grades_index) as server:
        yield server
