"""No CSV cell begins like a spreadsheet formula (issue 18, fault 3): /grades, `evsearch grades`, the page.

The index holds one report whose cover names its authority as a formula
(our own fixture with the place name replaced), so the injected text reaches
every CSV writer the way a hostile upload's would.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from api_helpers import EVSEARCH, FIXTURE_REPORT, LiveServer, evsearch_env, serve_app

from evsearch.search.grades import FORMULA_STARTS, csv_cell

FORMULA = '=HYPERLINK("http://evil.example","Northmoor")'
APP_JS = Path(__file__).resolve().parents[3] / "src" / "evsearch" / "api" / "static" / "app.js"


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_inert(text: str) -> None:
    cells = _cells(text)
    assert cells and not [c for c in cells if c.startswith(FORMULA_STARTS)], text
    assert "'" + FORMULA in cells  # the authority is kept, as text


@pytest.fixture(scope="module")
def formula_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("formula-src")
    (src / "formula-report.txt").write_text(FIXTURE_REPORT.read_text("utf-8").replace("Northmoor", FORMULA), "utf-8")
    out = tmp_path_factory.mktemp("formula-index") / "index"
    proc = subprocess.run([EVSEARCH, "index", str(src), "--index", str(out)], env=evsearch_env(),
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def formula_server(formula_index: Path):
    with serve_app(formula_index) as server:
        yield server


def test_csv_cell_quotes_each_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell("Northmoor") == "Northmoor" and csv_cell(None) == "" and csv_cell(3) == "3"


def test_grades_csv_over_http(formula_server: LiveServer) -> None:
    r = httpx.get(formula_server.url + "/grades", params={"format": "csv"}, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    _assert_inert(r.text)


def test_grades_csv_from_the_cli(formula_index: Path) -> None:
    proc = subprocess.run([EVSEARCH, "grades", "--index", str(formula_index), "--format", "csv"],
                          env=evsearch_env(), capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    _assert_inert(proc.stdout)


def test_the_page_neutralises_the_same_characters_as_python() -> None:
    declared = re.search(r'const FORMULA_STARTS = "([^"]*)";', APP_JS.read_text("utf-8"))
    assert declared is not None
    assert declared.group(1).encode().decode("unicode_escape") == "".join(FORMULA_STARTS)


@pytest.mark.browser
def test_the_pages_csv_download(chrome, formula_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chrome.get(formula_server.url + "/")
    WebDriverWait(chrome, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    hits = httpx.get(formula_server.url + "/search", params={"q": "kayak club confidence", "k": 5}, timeout=60).json()
    assert hits["hits"] and hits["hits"][0]["local_authority"] == FORMULA
    extra = {"citation": "+citation", "section": "-section", "text": "@text", "part": "\tpart",
             "grade_label": "\rlabel"}
    rows = [hits["hits"][0], {**hits["hits"][0], **extra}]
    text = chrome.execute_script("shownHits = arguments[0]; return resultsCsv();", rows)
    _assert_inert(text)
    assert "'+citation" in _cells(text) and "'\rlabel" in _cells(text)
