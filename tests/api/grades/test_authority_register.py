"""The authority register on every face: canonical names, flagged unknowns, links across reorganisations.

Three own-words reports (tests/api/data/register): one names "Cumbria County Council" (2019), one sits in an
Ofsted-style ``<URN>_<name>`` folder of Westmorland and Furness (Cumbria's successor, 2024) and one names an
invented council no register lists. Indexed once by the real CLI, served by a real server.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_helpers import DATA, EVSEARCH, LiveServer, assert_error_shape, evsearch_env, serve_app

REGISTER_DATA = DATA / "register"


@pytest.fixture(scope="module")
def register_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess, Path]:
    src = tmp_path_factory.mktemp("register-src") / "reports"
    shutil.copytree(REGISTER_DATA, src)
    out = tmp_path_factory.mktemp("register-index") / "index"
    proc = subprocess.run(
        [EVSEARCH, "index", str(src), "--index", str(out)], env=evsearch_env(), capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc, src


@pytest.fixture(scope="module")
def register_server(register_index) -> Iterator[LiveServer]:
    with serve_app(register_index[0]) as server:
        yield server


@pytest.fixture(scope="module")
def api(register_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=register_server.url, timeout=60, headers={"Accept": "application/json"}) as client:
        yield client


def test_index_warns_about_an_authority_the_register_lacks(register_index) -> None:
    _, proc, _ = register_index
    warned = [line for line in proc.stderr.splitlines() if "not in the authority register" in line]
    assert len(warned) == 1 and "'Eastmere'" in warned[0] and "eastmere-2023-ilacs.txt" in warned[0]


def test_authorities_lists_canonical_names_and_the_flagged_one(api: httpx.Client) -> None:
    listed = {entry["local_authority"]: entry for entry in api.get("/authorities").json()}
    assert set(listed) == {"Cumbria", "Westmorland and Furness", "Eastmere"}
    assert listed["Eastmere"]["resolved"] is False and listed["Eastmere"]["la_code"] is None
    assert listed["Westmorland and Furness"]["resolved"] is True
    assert (listed["Westmorland and Furness"]["urn"], listed["Westmorland and Furness"]["la_code"]) == ("2733698", "943")
    assert listed["Cumbria"]["ons_code"] == "E10000006" and listed["Cumbria"]["region"] == "North West"


def test_authority_page_links_predecessors_and_successors(api: httpx.Client) -> None:
    cumbria = api.get("/authorities/cumbria-county-council").json()  # any alias finds the page
    assert cumbria["local_authority"] == "Cumbria" and len(cumbria["reports"]) == 1
    assert [(s["local_authority"], s["url"]) for s in cumbria["successors"]] == [
        ("Cumberland", "/authorities/cumberland"),
        ("Westmorland and Furness", "/authorities/westmorland-and-furness"),
    ]
    successor = api.get("/authorities/943").json()  # the DfE LA number
    assert successor["local_authority"] == "Westmorland and Furness"
    assert [p["local_authority"] for p in successor["predecessors"]] == ["Cumbria"]
    (report,) = successor["reports"]
    assert report["published"] == "2024-07-12"  # from Ofsted's file name: the cover prints none


@pytest.mark.browser
def test_authority_page_shows_the_register_entry_and_links_the_reorganisation(chrome, register_server) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(url: str) -> None:
        chrome.get(url)
        WebDriverWait(chrome, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") in ("1", "error"))
        assert chrome.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1"

    ready(register_server.url + "/authorities/cumbria")
    assert "LA 909" in chrome.find_element(By.ID, "register").text
    links = chrome.find_elements(By.CSS_SELECTOR, "#lineage a")
    assert [a.text for a in links] == ["Cumberland", "Westmorland and Furness"]
    links[1].click()
    WebDriverWait(chrome, 60).until(lambda d: d.find_element(By.ID, "la-name").text == "Westmorland and Furness")
    WebDriverWait(chrome, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    assert chrome.find_element(By.ID, "lineage").text.startswith("Replaced Cumbria")
    ready(register_server.url + "/authorities/eastmere")
    assert "not in the authority register" in chrome.find_element(By.ID, "register").text


def test_report_records_carry_register_keys_and_date_sources(api: httpx.Client) -> None:
    rid = api.get("/authorities/westmorland-and-furness").json()["reports"][0]["report_id"]
    record = api.get(f"/reports/{rid}").json()
    assert record["authority_printed"] == "Westmorland & Furness" and record["authority_resolved"] is True
    assert record["authority_urn"] == "2733698"
    assert record["date_sources"] == {"inspection_start": "cover", "inspection_end": "cover", "published": "file name"}


def test_la_filter_takes_any_alias_and_suggests_on_unknown(api: httpx.Client) -> None:
    rows = api.get("/grades", params={"la": "Westmorland & Furness Council"}).json()
    assert rows and {r["local_authority"] for r in rows} == {"Westmorland and Furness"}
    assert {r["local_authority"] for r in api.get("/grades", params={"la": "eastmere"}).json()} == {"Eastmere"}
    body = assert_error_shape(api.get("/grades", params={"la": "Cumbira"}), 400)
    assert body["message"] == "unknown local authority 'Cumbira'" and "Cumbria" in body["hint"]
    body = assert_error_shape(api.get("/authorities/Westmoreland"), 404)
    assert "Westmorland and Furness" in body["hint"]
    # a register authority the index lacks: its successor or predecessor that the index holds is named
    body = assert_error_shape(api.get("/authorities/cumberland"), 404)
    assert body["message"] == "no reports for local authority 'Cumberland' in this index"
    assert body["hint"] == "the index has reports for Cumbria"


def test_cli_unknown_la_names_the_closest(register_index) -> None:
    proc = subprocess.run(
        [EVSEARCH, "grades", "--la", "Cumbira", "--index", str(register_index[0])],
        env=evsearch_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "unknown local authority 'Cumbira'" in proc.stderr and "Cumbria" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_source_serves_the_indexed_file_and_404_when_gone(api: httpx.Client, register_index) -> None:
    rid = api.get("/authorities/cumbria").json()["reports"][0]["report_id"]
    response = api.get(f"/reports/{rid}/source")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == (REGISTER_DATA / "cumbria-2019-ilacs.txt").read_bytes()
    assert response.headers["content-disposition"] == 'inline; filename="cumbria-2019-ilacs.txt"'
    # citations give the page the reader links to (a text file without form feeds is one page)
    hit = api.get("/search", params={"q": "foster carers lakes", "la": "Cumbria"}).json()["hits"][0]
    assert hit["citation"].startswith("Cumbria 2019, paragraph 3, page 1")
    assert_error_shape(api.get("/reports/no-such-report/source"), 404)
    (register_index[2] / "cumbria-2019-ilacs.txt").unlink()  # the indexed file is gone
    gone = assert_error_shape(api.get(f"/reports/{rid}/source"), 404)
    assert "no longer where it was indexed" in gone["message"] and "/" not in gone["message"]
