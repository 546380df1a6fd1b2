"""Contrast (group_by=grade) and facets through the CLI, GET /search and the page, on own-words fixtures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from api_helpers import EVSEARCH, LiveServer, assert_error_shape, evsearch_env

QUERY = "management oversight"


def _search(index: Path, *options: str, **env: str) -> subprocess.CompletedProcess:
    """``evsearch search QUERY OPTIONS --index INDEX`` in a child process, as a user runs it."""
    return subprocess.run([EVSEARCH, "search", QUERY, *options, "--index", str(index)], env=evsearch_env(**env),
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def _best(groups: list[dict]) -> dict[int, tuple[str, int]]:
    return {g["grade"]: (g["hits"][0]["report_id"], g["hits"][0]["number"]) for g in groups if g["hits"]}


def test_http_group_by_grade_gives_best_evidence_per_grade(grades_server: LiveServer) -> None:
    body = httpx.get(grades_server.url + "/search", params={"q": QUERY, "group_by": "grade", "k": 2}, timeout=60).json()
    assert body["group_by"] == "grade" and [g["grade"] for g in body["groups"]] == [1, 2, 3, 4]
    for group in body["groups"]:
        assert len(group["hits"]) <= 2 and all(h["grade"] == group["grade"] for h in group["hits"])
    best = _best(body["groups"])
    assert best[2] == ("larchfield-2022-ilacs", 2)  # "management oversight is strong ..."
    assert best[4] == ("ashby-vale-2022-ilacs", 2)  # "management oversight is weak ..."
    assert best[3][0] in ("larchfield-2012-safeguarding-and-looked-after", "larchfield-2016-single-inspection")
    # other filters still apply inside every group
    only = httpx.get(
        grades_server.url + "/search", params={"q": QUERY, "group_by": "grade", "la": "Larchfield"}, timeout=60
    ).json()
    assert {h["local_authority"] for g in only["groups"] for h in g["hits"]} == {"Larchfield"}


def test_http_group_by_refuses_bad_values(grades_server: LiveServer) -> None:
    url = grades_server.url + "/search"
    body = assert_error_shape(httpx.get(url, params={"q": QUERY, "group_by": "colour"}, timeout=60), 400)
    assert "grade" in body["hint"]
    # a grade filter picks the grades compared
    body = httpx.get(url, params=[("q", QUERY), ("group_by", "grade"), ("grade", "inadequate"), ("grade", "good")],
                     timeout=60).json()  # fmt: skip
    assert [g["grade"] for g in body["groups"]] == [2, 4]


def test_cli_group_by_grade(grades_index: Path) -> None:
    proc = _search(grades_index, "--group-by", "grade", "-k", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert _best(body["groups"])[4] == ("ashby-vale-2022-ilacs", 2)
    table = _search(grades_index, "--group-by", "grade", "-k", "1", COLUMNS="200")
    assert table.returncode == 0, table.stderr
    assert "grade 4 inadequate: 1 hit(s)" in table.stdout and "Ashby Vale 2022, paragraph 2" in table.stdout
    bad = _search(grades_index, "--group-by", "colour")
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown group_by 'colour'")


def test_cli_group_by_authority_over_one_search(grades_index: Path) -> None:
    proc = _search(grades_index, "--group-by", "authority", "-k", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert body["group_by"] == "la"
    assert {g["value"] for g in body["groups"]} == {"Larchfield", "Ashby Vale", "Northmoor"}
    assert all(g["hits"][0]["local_authority"] == g["value"] for g in body["groups"])


def _counts(body: dict, name: str) -> dict:
    return {c["value"]: c["count"] for c in body["facets"][name]}


def test_http_facets_count_the_filtered_pool(grades_server: LiveServer) -> None:
    params = {"q": QUERY, "facets": "grade,la,year,framework", "la": "Larchfield", "k": 2}
    body = httpx.get(grades_server.url + "/search", params=params, timeout=60).json()
    assert len(body["hits"]) == 2  # the page is 2 hits; the counts cover the whole pool
    la, years, frameworks, grades = (_counts(body, n) for n in ("la", "year", "framework", "grade"))
    assert set(la) == {"Larchfield"} and set(years) <= {2012, 2016, 2022} and set(frameworks) <= {"slac", "sif", "ilacs"}
    # this index is small enough for the pool to hold every paragraph that passed the filter
    assert sum(la.values()) == sum(years.values()) == sum(frameworks.values()) == sum(grades.values()) == body["total"]
    assert body["total_is_estimate"] is False
    assert [c["value"] for c in body["facets"]["year"]] == sorted(years)  # years ascending
    assert [c["value"] for c in body["facets"]["grade"] if c["value"] is not None] == sorted(g for g in grades if g)
    assert grades[2] >= 1 and grades[3] >= 1  # 2022 good, 2012/2016 adequate / requires improvement
    labels = {c["value"]: c["label"] for c in body["facets"]["grade"]}
    assert labels[2] == "2 good" and labels.get(None, "none") == "none"
    plain = httpx.get(grades_server.url + "/search", params={"q": QUERY}, timeout=60).json()
    assert "facets" not in plain  # only when asked
    bad = assert_error_shape(httpx.get(grades_server.url + "/search", params={"q": QUERY, "facets": "colour"}, timeout=60), 400)
    assert "grade, la, year, framework" in bad["hint"]


def test_cli_facets(grades_index: Path) -> None:
    proc = _search(grades_index, "--facets", "la,framework", "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert set(body["facets"]) == {"la", "framework"}
    assert set(_counts(body, "la")) == {"Larchfield", "Ashby Vale", "Northmoor"}
    table = _search(grades_index, "--facets", "year", COLUMNS="200")
    assert table.returncode == 0 and "\nyear: " in table.stdout and "2022 (" in table.stdout


@pytest.mark.browser
def test_search_page_shows_facet_counts_that_filter(chrome, grades_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def searches() -> int:
        return int(chrome.find_element(By.TAG_NAME, "body").get_attribute("data-searches") or 0)

    chrome.get(grades_server.url + "/?q=management+oversight")
    WebDriverWait(chrome, 60).until(lambda d: searches() == 1)
    facets = {f.get_attribute("data-facet") for f in chrome.find_elements(By.CSS_SELECTOR, "#facets .facet")}
    assert facets == {"grade", "la", "year", "framework"}
    la_items = chrome.find_elements(By.CSS_SELECTOR, '#facets [data-facet="la"] li')
    assert {i.get_attribute("data-value") for i in la_items} == {"Larchfield", "Ashby Vale", "Northmoor"}
    ashby = next(i for i in la_items if i.get_attribute("data-value") == "Ashby Vale")
    ashby.find_element(By.TAG_NAME, "a").click()
    WebDriverWait(chrome, 60).until(lambda d: searches() == 2)
    assert chrome.find_element(By.ID, "la").get_attribute("value") == "Ashby Vale"
    hits = chrome.find_elements(By.CSS_SELECTOR, "#results .hit")
    assert hits and {h.get_attribute("data-report") for h in hits} == {"ashby-vale-2022-ilacs"}
    counts = chrome.find_elements(By.CSS_SELECTOR, '#facets [data-facet="la"] li')
    assert [c.get_attribute("data-value") for c in counts] == ["Ashby Vale"]
