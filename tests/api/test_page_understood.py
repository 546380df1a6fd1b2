"""The search page shows what it read from the query as removable chips and sets its controls to match,
at 1280 px and at 390 px (a phone), in real headless Chromium; at 390 px the facets fold behind a toggle.

``PAGE_SCREENSHOT_DIR=dir`` keeps a screenshot of each width there.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from api_helpers import LiveServer

pytestmark = pytest.mark.browser

WAIT = 60
QUERY = "why was leadership judged inadequate in Northmoor"


def _searches(driver) -> int:
    return int(driver.execute_script("return Number(document.body.dataset.searches || 0)"))


def _open(driver, url: str, query: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/?q={quote(query)}")
    WebDriverWait(driver, WAIT).until(lambda d: _searches(d) >= 1)


def _chips(driver) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    return {c.get_attribute("data-field"): c.text for c in driver.find_elements(By.CSS_SELECTOR, "#understood .chip")}


def _remove(driver, field: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    before = _searches(driver)
    driver.find_element(By.CSS_SELECTOR, f'#understood .chip[data-field="{field}"] .chip-remove').click()
    WebDriverWait(driver, WAIT).until(lambda d: _searches(d) > before)


def _value(driver, control: str) -> str:
    return driver.execute_script(f"return document.getElementById('{control}').value")


def _shot(driver, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PAGE_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    driver.save_screenshot(str(path))
    return path


@pytest.fixture()
def phone(chrome):
    chrome.set_window_size(390, 844)
    try:
        yield chrome
    finally:
        chrome.set_window_size(1280, 1000)


def test_chips_and_controls_at_1280(chrome, live_server: LiveServer, tmp_path: Path) -> None:
    _open(chrome, live_server.url, QUERY)
    chips = _chips(chrome)
    assert chips.get("grade", "").startswith("grade 4 inadequate") and chips.get("la", "").startswith("Northmoor"), chips
    assert (_value(chrome, "grade"), _value(chrome, "la")) == ("4", "Northmoor")  # the controls say what was applied
    assert chrome.execute_script("return document.getElementById('facets-box').open") is True
    assert _shot(chrome, "page-understood-1280.png", tmp_path).stat().st_size > 0

    _remove(chrome, "grade")  # takes the grade word out of the query and searches again
    assert "inadequate" not in _value(chrome, "q") and "Northmoor" in _value(chrome, "q")
    assert "grade" not in _chips(chrome) and _value(chrome, "grade") == ""
    assert _value(chrome, "la") == "Northmoor"

    _remove(chrome, "la")
    assert _value(chrome, "q") == "why was leadership judged in"
    assert "la" not in _chips(chrome) and _value(chrome, "la") == ""


def test_a_control_the_user_sets_is_not_a_chip(chrome, live_server: LiveServer) -> None:
    from selenium.webdriver.support.ui import Select, WebDriverWait
    from selenium.webdriver.common.by import By

    _open(chrome, live_server.url, "kayak club")
    assert _chips(chrome) == {}
    before = _searches(chrome)
    Select(chrome.find_element(By.ID, "la")).select_by_value("Ashcombe")
    WebDriverWait(chrome, WAIT).until(lambda d: _searches(d) > before)
    assert _chips(chrome) == {} and _value(chrome, "la") == "Ashcombe"
    assert "la=Ashcombe" in chrome.current_url  # the user's choice is sent as a filter


def test_chips_controls_and_folded_facets_at_390(phone, live_server: LiveServer, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(phone, live_server.url, QUERY)
    width = phone.execute_script("return window.innerWidth")
    assert width <= 400
    assert phone.execute_script("return document.documentElement.scrollWidth") <= width  # no sideways scrolling
    chips = phone.find_elements(By.CSS_SELECTOR, "#understood .chip")
    assert {c.get_attribute("data-field") for c in chips} >= {"grade", "la"}
    assert all(c.rect["x"] + c.rect["width"] <= width for c in chips)
    assert (_value(phone, "grade"), _value(phone, "la")) == ("4", "Northmoor")
    box = phone.find_element(By.ID, "facets-box")
    assert box.get_attribute("open") is None and box.find_element(By.TAG_NAME, "summary").is_displayed()
    assert not phone.find_element(By.ID, "facets").is_displayed()
    first = phone.find_element(By.CSS_SELECTOR, "#results .hit")
    assert first.rect["y"] < phone.execute_script("return window.innerHeight")  # results start on the first screen
    assert _shot(phone, "page-understood-390.png", tmp_path).stat().st_size > 0
    box.find_element(By.TAG_NAME, "summary").click()
    assert phone.find_element(By.ID, "facets").is_displayed()
