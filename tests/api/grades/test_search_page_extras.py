"""The search page's year filter, CSV export and reader links, in real headless Chromium on own-words fixtures."""

from __future__ import annotations

import csv
import io

import pytest
from api_helpers import LiveServer

pytestmark = pytest.mark.browser

WAIT = 60


def _search_page(driver, url: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-searches") == "1")
    return driver.find_elements(By.CSS_SELECTOR, "#results .hit")


def test_year_filter_lists_years_and_narrows_results(chrome, grades_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    hits = _search_page(chrome, grades_server.url + "/?q=management+oversight&year=2022")
    years = [o.get_attribute("value") for o in chrome.find_elements(By.CSS_SELECTOR, "#year option")]
    assert years == ["", "2022", "2019", "2016", "2012"]
    assert chrome.find_element(By.ID, "year").get_attribute("value") == "2022"
    reports = {h.get_attribute("data-report") for h in hits}
    assert reports and reports <= {"larchfield-2022-ilacs", "ashby-vale-2022-ilacs"}


def test_results_export_as_csv_and_link_to_the_reader(chrome, grades_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    hits = _search_page(chrome, grades_server.url + "/?q=management+oversight+of+plans&la=Larchfield")
    assert hits and not chrome.find_element(By.ID, "export").get_attribute("hidden")
    rows = list(csv.DictReader(io.StringIO(chrome.execute_script("return resultsCsv()"))))
    assert len(rows) == len(hits)
    assert [r["rank"] for r in rows] == [str(i) for i in range(1, len(hits) + 1)]
    assert {r["local_authority"] for r in rows} == {"Larchfield"}
    assert rows[0]["report_id"] == hits[0].get_attribute("data-report") and rows[0]["text"]
    link = hits[0].find_element(By.CSS_SELECTOR, "a.reader-link")
    number = rows[0]["number"]
    anchor = f"#p-{number}" if number else "#s-"
    assert f"/reports/{rows[0]['report_id']}{anchor}" in link.get_attribute("href")
    link.click()
    WebDriverWait(chrome, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    target = chrome.find_element(By.CSS_SELECTOR, ".para.target")
    assert target.text.endswith(rows[0]["text"][-40:])
    # the paragraph links its page in the indexed file, and the meta line the file itself
    page_link = target.find_element(By.CSS_SELECTOR, "a.page").get_attribute("href")
    assert page_link.endswith(f"/reports/{rows[0]['report_id']}/source#page=1")
    assert chrome.find_element(By.ID, "source").get_attribute("href").endswith(f"/reports/{rows[0]['report_id']}/source")
