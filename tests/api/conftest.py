"""Fixtures for the faces: a small real index, a real uvicorn server on loopback, headless Chromium.

The index is built once per session by the real `evsearch index` command from
our own two fixture reports (tests/api/data, written for the tests), so every
face is tested over the same real SQLite + FAISS + model stack users get, on
a clone with no corpus beside it too.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_helpers import (
    CHROME_FLAGS,
    EVSEARCH,
    FIXTURE_REPORT,
    SECOND_REPORT,
    LiveServer,
    chromium_paths,
    evsearch_env,
    serve_app,
)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of our two fixture reports, built by the real CLI."""
    src = tmp_path_factory.mktemp("api-src")
    for report in (FIXTURE_REPORT, SECOND_REPORT):
        shutil.copy(report, src / report.name)
    out = tmp_path_factory.mktemp("api-index") / "index"
    proc = subprocess.run(
        [EVSEARCH, "index", str(src), "--index", str(out)],
        env=evsearch_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"evsearch index failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="session")
def live_server(index_dir: Path) -> Iterator[LiveServer]:
    with serve_app(index_dir) as server:
        yield server


@pytest.fixture()
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def chrome() -> Iterator[object]:
    """Headless Chromium via chromedriver with a throwaway profile; skipped when not installed."""
    binary, driver = chromium_paths()
    if not binary or not driver:
        pytest.skip("headless Chromium not installed (apt-get install -y chromium chromium-driver); CI installs it")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="evsearch-chrome-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
