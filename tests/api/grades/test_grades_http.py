"""GET /grades, /grades/summary, /authorities, /authorities/{la} and the reader's JSON over a real server."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from api_helpers import LiveServer, assert_error_shape


@pytest.fixture()
def api(grades_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=grades_server.url, timeout=60, headers={"Accept": "application/json"}) as c:
        yield c


def test_grades_json_rows_with_filters(api: httpx.Client) -> None:
    rows = api.get("/grades", params={"la": "larchfield", "family": "children_in_care"}).json()
    assert [(r["year"], r["title"], r["grade_label"]) for r in rows] == [
        (2012, "Overall effectiveness", "good"),  # the looked-after part's overall grade
        (2016, "Children looked after and achieving permanence", "good"),
        (2022, "The experiences and progress of children in care", "outstanding"),
    ]
    assert api.get("/grades", params={"year": 2019}).json()[0]["local_authority"] == "Northmoor"
    assert api.get("/grades", params={"framework": "sif", "family": "lscb"}).json()[0]["grade_label"] == "good"


def test_grades_csv_is_a_named_download(api: httpx.Client) -> None:
    response = api.get("/grades", params={"format": "csv", "la": "Ashby Vale"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="grades-ashby-vale.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5 and {r["grade"] for r in rows} == {"3", "4"}


def test_summary_counts_reports_per_year_family_and_grade(api: httpx.Client) -> None:
    body = api.get("/grades/summary", params={"family": "help_and_protection"}).json()
    cells = {(c["year"], c["grade"]): c["count"] for c in body["counts"]}
    assert cells == {(2012, 3): 1, (2016, 3): 1, (2019, 4): 1, (2022, 2): 1, (2022, 4): 1}
    assert body["reports"] == 5 and body["families"] == [{"family": "help_and_protection", "label": "Help and protection"}]
    # a report grading one family in two parts counts once for it
    leadership = api.get("/grades/summary", params={"year": 2022, "framework": "ilacs"}).json()
    assert sum(c["count"] for c in leadership["counts"] if c["family"] == "leadership") == 2
    assert [f["family"] for f in leadership["families"]][:5] == [
        "overall", "leadership", "help_and_protection", "children_in_care", "care_leavers",
    ]  # fmt: skip


def test_authorities_list_latest_grade_per_family(api: httpx.Client) -> None:
    listing = {a["local_authority"]: a for a in api.get("/authorities").json()}
    assert set(listing) == {"Ashby Vale", "Larchfield", "Northmoor"}
    larch = listing["Larchfield"]
    assert larch["reports"] == 3 and larch["url"] == "/authorities/larchfield"
    assert larch["latest"]["help_and_protection"]["grade"] == 2  # 2022, not 2012 or 2016
    assert larch["latest"]["adoption"]["report_id"] == "larchfield-2016-single-inspection"
    assert listing["Ashby Vale"]["latest"]["overall"]["grade_label"] == "inadequate"


def test_authority_reports_in_date_order_with_links(api: httpx.Client) -> None:
    body = api.get("/authorities/Larchfield").json()
    assert body["local_authority"] == "Larchfield" and body["slug"] == "larchfield"
    assert [r["year"] for r in body["reports"]] == [2012, 2016, 2022]
    assert [r["url"] for r in body["reports"]][0] == "/reports/larchfield-2012-safeguarding-and-looked-after"
    assert body["reports"][1]["grades"]["care_leavers"]["grade_label"] == "requires improvement"
    assert [f["family"] for f in body["families"]][:3] == ["overall", "leadership", "help_and_protection"]
    assert api.get("/authorities/ashby-vale").json()["local_authority"] == "Ashby Vale"  # the slug works too


def test_unknown_authority_and_bad_values_keep_the_error_shape(api: httpx.Client) -> None:
    body = assert_error_shape(api.get("/authorities/Larchfeld"), 404)
    assert "Larchfeld" in body["message"] and "Larchfield" in body["hint"]
    body = assert_error_shape(api.get("/authorities/northmor"), 404)  # a letter short, lower case: still suggested
    assert body["hint"] == "did you mean: Northmoor"
    note = " ".join(api.get("/search", params={"q": "social workers", "la": "Ashby Vail"}).json()["notes"])
    assert "did you mean Ashby Vale?" in note
    body = assert_error_shape(api.get("/grades", params={"family": "fostering"}), 400)
    assert "help_and_protection" in body["hint"]
    assert_error_shape(api.get("/grades", params={"format": "xml"}), 400)
    assert_error_shape(api.get("/grades/summary", params={"year": 99999}), 422)


def test_browsers_get_pages_from_the_same_urls(grades_server: LiveServer) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    for url, marker in [
        ("/authorities/larchfield", "/static/authority.js"),
        ("/grades/summary", "/static/national.js"),
        ("/reports/larchfield-2022-ilacs", "/static/reader.js"),
    ]:
        response = httpx.get(grades_server.url + url, headers=browser, timeout=60)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert marker in response.text and response.headers["vary"] == "Accept"
    # without text/html first, the same URL is JSON
    plain = httpx.get(grades_server.url + "/reports/larchfield-2022-ilacs", timeout=60)
    assert plain.json()["judgements"][2]["family"] == "children_in_care"


def test_report_paragraphs_in_printed_order(api: httpx.Client) -> None:
    paragraphs = api.get("/reports/larchfield-2022-ilacs/paragraphs").json()
    numbered = [p["number"] for p in paragraphs if p["number"] is not None]
    assert numbered == [1, 2, 3, 4, 5, 6]
    assert [p["seq"] for p in paragraphs] == sorted(p["seq"] for p in paragraphs)
    assert next(p for p in paragraphs if p["number"] == 3)["grade_label"] == "outstanding"
    assert_error_shape(api.get("/reports/no-such-report/paragraphs"), 404)
