"""The authority, national and reader pages in real headless Chromium: charts drawn, marks counted, anchors followed.

Set GRADES_SCREENSHOT_DIR=docs to refresh docs/authority-page.png (shown in the README) from this run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from api_helpers import LiveServer

pytestmark = pytest.mark.browser

WAIT = 60


def _open(driver, url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") in ("1", "error")
    )
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1", driver.find_element(By.ID, "status").text


def _marks(driver, family: str, kind: str) -> int:
    return driver.execute_script(
        f"return document.querySelectorAll('.family-chart[data-family=\"{family}\"] svg g.mark-{kind} path').length"
    )


def test_authority_page_draws_a_timeline_per_family(chrome, grades_server: LiveServer, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(chrome, grades_server.url + "/authorities/larchfield")
    assert chrome.find_element(By.ID, "la-name").text == "Larchfield"
    charts = chrome.find_elements(By.CSS_SELECTOR, ".family-chart")
    families = [c.get_attribute("data-family") for c in charts]
    assert families[:5] == ["overall", "leadership", "help_and_protection", "children_in_care", "care_leavers"]
    # one point per graded report: help and protection was graded in 2012, 2016 and 2022; overall in 2016 and 2022
    assert _marks(chrome, "help_and_protection", "symbol") == 3
    assert _marks(chrome, "overall", "symbol") == 2
    assert _marks(chrome, "adoption", "symbol") == 1
    assert _marks(chrome, "help_and_protection", "line") == 1
    # the text alternative: the chart's aria-label and a table say the same grades
    label = chrome.find_element(By.CSS_SELECTOR, '.family-chart[data-family="children_in_care"] svg').get_attribute("aria-label")
    assert label.startswith("Children in care grades for Larchfield") and "2022 outstanding" in label
    table_cells = chrome.execute_script(
        "return [...document.querySelectorAll('figure')[3].querySelectorAll('.alt-text td')].map(td => td.textContent)"
    )
    assert "1 outstanding" in table_cells and "2 good" in table_cells
    links = [a.get_attribute("href") for a in chrome.find_elements(By.CSS_SELECTOR, "#reports li.report > a")]
    assert [link.rsplit("/", 1)[1] for link in links] == [
        "larchfield-2012-safeguarding-and-looked-after", "larchfield-2016-single-inspection", "larchfield-2022-ilacs",
    ]  # fmt: skip
    assert chrome.find_element(By.ID, "csv").get_attribute("href").endswith("/grades?format=csv&la=larchfield")
    shots = Path(os.environ.get("GRADES_SCREENSHOT_DIR") or tmp_path)
    chrome.set_window_size(1100, 1500)
    assert chrome.save_screenshot(str(shots / "authority-page.png"))
    assert (shots / "authority-page.png").stat().st_size > 10_000


def test_national_page_stacks_grades_per_year(chrome, grades_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    _open(chrome, grades_server.url + "/grades/summary")
    # help and protection: 2012 adequate, 2016 RI, 2019 inadequate, 2022 good + inadequate -> five bar segments
    assert _marks(chrome, "help_and_protection", "rect") == 5
    assert _marks(chrome, "overall", "rect") == 3
    figure = chrome.find_element(By.CSS_SELECTOR, '.family-chart[data-family="overall"] svg')
    assert "2022: 1 good, 1 inadequate" in figure.get_attribute("aria-label")
    authorities = [a.text for a in chrome.find_elements(By.CSS_SELECTOR, "#authorities a")]
    assert authorities == ["Ashby Vale", "Larchfield", "Northmoor"]
    _open(chrome, grades_server.url + "/grades/summary?family=care_leavers")
    assert [c.get_attribute("data-family") for c in chrome.find_elements(By.CSS_SELECTOR, ".family-chart")] == ["care_leavers"]
    assert chrome.find_element(By.ID, "family").get_attribute("value") == "care_leavers"


def test_reader_shows_judgements_sections_and_anchored_paragraphs(chrome, grades_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    _open(chrome, grades_server.url + "/reports/larchfield-2016-single-inspection#p-4")
    rows = chrome.find_elements(By.CSS_SELECTOR, "#judgements tbody tr")
    assert [r.get_attribute("data-family") for r in rows] == [
        "overall", "help_and_protection", "children_in_care", "adoption", "care_leavers", "leadership", "lscb",
    ]  # fmt: skip
    target = chrome.find_element(By.ID, "p-4")
    assert "target" in target.get_attribute("class") and "drift went unnoticed" in target.text
    assert len(chrome.find_elements(By.CSS_SELECTOR, "article .para")) == 7
    toc = [a.text for a in chrome.find_elements(By.CSS_SELECTOR, "#toc a")]
    assert "Children who need help and protection" in toc
    # a judgement links to the section it grades
    link = chrome.find_element(By.LINK_TEXT, "Children looked after and achieving permanence")
    section = chrome.find_element(By.ID, link.get_attribute("href").split("#", 1)[1])
    assert "permanence is planned early" in section.text


X_LABELS = """
const axis = [...document.querySelectorAll('.family-chart[data-family="' + arguments[0] + '"] svg g[aria-label^="X-axis"]')][0];
return [...axis.querySelectorAll('.role-axis-label text')].map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          size: parseFloat(getComputedStyle(t).fontSize || t.getAttribute('font-size'))};
});
"""


SEVENTEEN_YEARS = """
const done = arguments[arguments.length - 1];
const years = Array.from({length: 17}, (_, i) => 2009 + i);
const rows = years.map((year) => ({year, grade: 2, grade_label: "good", count: 3}));
const box = el("div", {class: "family-chart", "data-family": "seventeen"});
document.getElementById("charts").prepend(box);
drawChart(box, distributionSpec(box, rows, years), "seventeen years").then(done);
"""


def _overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(labels) for b in labels[i + 1:]
        if a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5 and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5
    ]  # fmt: skip


def test_chart_year_labels_are_readable_at_390_px(chrome, grades_server: LiveServer) -> None:
    chrome.set_window_size(390, 844)
    try:
        for path, family in (("/authorities/larchfield", "help_and_protection"), ("/grades/summary", "help_and_protection")):
            _open(chrome, grades_server.url + path)
            labels = chrome.execute_script(X_LABELS, family)
            years = [label["text"] for label in labels]
            assert len(years) >= 4 and all(y.isdigit() and len(y) == 4 for y in years), (path, years)
            assert not _overlapping(labels), (path, _overlapping(labels))
            assert all(label["size"] >= 10 for label in labels)
            assert chrome.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), path
        # the whole corpus spans 17 inspection years: the national page's own spec, drawn at phone width with that many
        chrome.execute_async_script(SEVENTEEN_YEARS)
        labels = chrome.execute_script(X_LABELS, "seventeen")
        assert len(labels) == 17 and not _overlapping(labels), _overlapping(labels)
        if os.environ.get("PAGE_SCREENSHOT_DIR"):
            chrome.save_screenshot(str(Path(os.environ["PAGE_SCREENSHOT_DIR"]) / "national-390.png"))
    finally:
        chrome.set_window_size(1280, 1000)
