"""The search page shows what it read from the query (the response's ``understood``) as removable chips and sets
its controls to match, at 1280 px and at 390 px (a phone), in real headless Chromium; at 390 px the facets fold
behind a toggle. Removing a chip searches again with ``ignore=FIELD``; the count says what is known of ``total``.

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


def _status(driver) -> str:
    return driver.execute_script("return document.getElementById('status').textContent")


def test_chips_and_controls_at_1280(chrome, live_server: LiveServer, client, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(chrome, live_server.url, QUERY)
    body = client.get("/search", params={"q": QUERY, "k": 10}).json()
    read = {f["field"]: f for f in body["understood"]["filters"]}
    assert (read["grade"]["state"], read["la"]["state"]) == ("relaxed", "applied")  # what the page must show
    chips = _chips(chrome)
    assert chips["la"].startswith("from Northmoor") and chips["grade"].startswith("graded inadequate (relaxed)"), chips
    grade_chip = chrome.find_element(By.CSS_SELECTOR, '#understood .chip[data-field="grade"]')
    assert "relaxed" in grade_chip.get_attribute("class").split()  # drawn distinctly from an applied filter
    # the controls say what was applied: the relaxed grade did not filter, so its control says "any"
    assert (_value(chrome, "grade"), _value(chrome, "la")) == ("", "Northmoor")
    assert "topic: leadership" in chrome.find_element(By.ID, "understood").text
    assert _status(chrome).startswith(f"{body['total']} results, 10 shown, for “{QUERY}”")
    assert chrome.execute_script("return document.getElementById('facets-box').open") is True
    assert _shot(chrome, "page-understood-1280.png", tmp_path).stat().st_size > 0

    _remove(chrome, "la")  # ignore=la: the query box keeps what the user typed
    assert _value(chrome, "q") == QUERY and "ignore=la" in chrome.current_url
    assert _chips(chrome)["la"].startswith("la not read") and _value(chrome, "la") == ""
    ignored = client.get("/search", params={"q": QUERY, "k": 10, "ignore": "la"}).json()
    assert _status(chrome).startswith(f"{ignored['total']} results") and ignored["total"] > body["total"]
    assert _shot(chrome, "page-understood-1280-ignored.png", tmp_path).stat().st_size > 0

    before = _searches(chrome)
    chrome.find_element(By.CSS_SELECTOR, '#understood .chip[data-field="la"] .chip-remove').click()  # read it again
    WebDriverWait(chrome, WAIT).until(lambda d: _searches(d) > before)
    assert "ignore=" not in chrome.current_url and _chips(chrome)["la"].startswith("from Northmoor")


def test_applied_filters_set_the_controls(chrome, live_server: LiveServer) -> None:
    _open(chrome, live_server.url, "leadership in Northmoor 2019")
    assert set(_chips(chrome)) == {"la", "year"}
    assert (_value(chrome, "la"), _value(chrome, "year"), _value(chrome, "grade")) == ("Northmoor", "2019", "")
    assert "la=" not in chrome.current_url  # set from the query, not sent back as the user's own filter


def test_counts_say_what_is_known(chrome, live_server: LiveServer) -> None:
    _open(chrome, live_server.url, "kayak club")
    said = chrome.execute_script(
        "return [countText({total: 240, total_is_estimate: true}, 10), countText({total: null}, 10),"
        " countText({total: 3, total_is_estimate: false}, 3)]"
    )
    assert said == ["about 240 results, 10 shown,", "the first 10 results", "3 results"]


def test_group_by_year_shows_a_group_per_year(chrome, live_server: LiveServer, client, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    _open(chrome, live_server.url, "children")
    offered = [o.get_attribute("value") for o in chrome.find_elements(By.CSS_SELECTOR, "#group_by option")]
    assert offered == ["", *client.get("/healthz").json()["vocab"]["group_by"]]  # from the server's one table
    before = _searches(chrome)
    Select(chrome.find_element(By.ID, "group_by")).select_by_value("year")
    WebDriverWait(chrome, WAIT).until(lambda d: _searches(d) > before)
    body = client.get("/search", params={"q": "children", "k": 10, "group_by": "year"}).json()
    groups = chrome.find_elements(By.CSS_SELECTOR, "#results .group")
    assert [g.get_attribute("data-group") for g in groups] == [str(g["value"]) for g in body["groups"]]
    assert len(groups) == 2 and "group_by=year" in chrome.current_url
    for shown, group in zip(groups, body["groups"]):
        assert len(shown.find_elements(By.CSS_SELECTOR, ".hit")) == len(group["hits"])
        assert shown.find_element(By.TAG_NAME, "h2").text == f"{group['label']}: {group['total']} matching"
    assert _shot(chrome, "page-grouped-1280.png", tmp_path).stat().st_size > 0


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
    assert (_value(phone, "grade"), _value(phone, "la")) == ("", "Northmoor")  # grade relaxed, la applied
    box = phone.find_element(By.ID, "facets-box")
    assert box.get_attribute("open") is None and box.find_element(By.TAG_NAME, "summary").is_displayed()
    assert not phone.find_element(By.ID, "facets").is_displayed()
    first = phone.find_element(By.CSS_SELECTOR, "#results .hit")
    assert first.rect["y"] < phone.execute_script("return window.innerHeight")  # results start on the first screen
    assert _shot(phone, "page-understood-390.png", tmp_path).stat().st_size > 0
    box.find_element(By.TAG_NAME, "summary").click()
    assert phone.find_element(By.ID, "facets").is_displayed()
