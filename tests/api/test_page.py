"""The search page in real headless Chromium: type, submit, read citations and <mark>s, filter, open context."""

from __future__ import annotations

import pytest
from api_helpers import FIXTURE_ID, LiveServer

pytestmark = pytest.mark.browser

WAIT = 60


@pytest.fixture()
def page(chrome, live_server: LiveServer):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chrome.get(live_server.url + "/")
    WebDriverWait(chrome, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    return chrome


def _search(driver, text: str) -> list:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    before = _searches(driver)
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "go").click()
    WebDriverWait(driver, WAIT).until(lambda d: _searches(d) > before)  # the page counts finished searches
    return driver.find_elements(By.CSS_SELECTOR, "#results .hit")


def _searches(driver) -> int:
    from selenium.webdriver.common.by import By

    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-searches") or 0)


def test_filters_are_populated(page) -> None:
    from selenium.webdriver.common.by import By

    las = [o.text for o in page.find_elements(By.CSS_SELECTOR, "#la option")]
    assert {"Ashcombe", "Northmoor"} <= set(las)
    grades = [o.get_attribute("value") for o in page.find_elements(By.CSS_SELECTOR, "#grade option")]
    assert grades == ["", "1", "2", "3", "4"]
    themes = [o.text for o in page.find_elements(By.CSS_SELECTOR, "#theme option")]
    assert "health" in themes


def test_search_shows_citations_and_highlights(page) -> None:
    from selenium.webdriver.common.by import By

    hits = _search(page, "kayak club confidence")
    assert hits, page.find_element(By.ID, "status").text
    top = hits[0]
    assert top.get_attribute("data-report") == FIXTURE_ID
    citation = top.find_element(By.CSS_SELECTOR, ".citation").text
    assert "Northmoor" in citation and "paragraph 10" in citation and "Being healthy" in citation
    marks = [m.text for m in top.find_elements(By.TAG_NAME, "mark")]
    assert marks and any("kayak" in m.lower() for m in marks)


def test_grade_filter_click_reruns_the_search(page) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    hits = _search(page, "children")
    assert len({h.get_attribute("data-grade") for h in hits}) > 1
    before = _searches(page)
    Select(page.find_element(By.ID, "grade")).select_by_value("4")
    WebDriverWait(page, WAIT).until(lambda d: _searches(d) > before)
    assert "grade=4" in page.current_url
    grades = {h.get_attribute("data-grade") for h in page.find_elements(By.CSS_SELECTOR, "#results .hit")}
    assert grades == {"4"}


def test_citation_link_opens_the_paragraph_in_context(page) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    hits = _search(page, "lighthouse panel")
    hits[0].find_element(By.CSS_SELECTOR, "a.context-link").click()
    WebDriverWait(page, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#context .focus"))
    focus = page.find_element(By.CSS_SELECTOR, "#context .focus").text
    assert focus.startswith("7.") and "lighthouse panel" in focus
    neighbours = [p.text for p in page.find_elements(By.CSS_SELECTOR, "#context .neighbour")]
    assert [n.split(".")[0] for n in neighbours] == ["6", "8"]


def test_query_with_script_is_shown_as_text_not_run(page) -> None:
    from selenium.webdriver.common.by import By

    hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    _search(page, hostile + " social workers")
    assert page.execute_script("return window.__pwned === undefined")
    assert not page.find_elements(By.CSS_SELECTOR, "#results script, #results img, #status img")
    assert page.find_element(By.ID, "q").get_attribute("value").startswith("<script>")
    assert "<script>window.__pwned=1</script>" in page.find_element(By.ID, "status").text  # shown as text
