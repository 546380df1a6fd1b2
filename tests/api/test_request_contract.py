"""One request contract over HTTP: unknown parameters refused on every route, one vocabulary of
field names (aliases accepted), lists where users compare, grouping, totals and ``understood``."""

from __future__ import annotations

import httpx
import pytest
from api_helpers import FIXTURE_ID, SECOND_ID, assert_error_shape
from fastapi.routing import APIRoute

from evsearch.api.http import create_app

# One request per API route, each with a parameter the route does not take.
UNKNOWN = {
    ("GET", "/search"): "/search?q=care&colour=red",
    ("GET", "/reports"): "/reports?colour=red",
    ("GET", "/reports/{report_id}"): f"/reports/{FIXTURE_ID}?colour=red",
    ("GET", "/reports/{report_id}/paragraphs/{number}"): f"/reports/{FIXTURE_ID}/paragraphs/10?colour=red",
    ("GET", "/reports/{report_id}/paragraphs"): f"/reports/{FIXTURE_ID}/paragraphs?colour=red",
    ("GET", "/reports/{report_id}/source"): f"/reports/{FIXTURE_ID}/source?colour=red",
    ("GET", "/judgements"): "/judgements?grade=4&colour=red",
    ("GET", "/judgements/{judgement_id}/evidence"): "/judgements/1/evidence?colour=red",
    ("GET", "/healthz"): "/healthz?colour=red",
    ("POST", "/reports"): "/reports?colour=red",
    ("GET", "/jobs/{job_id}"): "/jobs/abc?colour=red",
    ("GET", "/grades"): "/grades?colour=red",
    ("GET", "/grades/summary"): "/grades/summary?colour=red",
    ("GET", "/authorities"): "/authorities?colour=red",
    ("GET", "/authorities/{la}"): "/authorities/Northmoor?colour=red",
}


def test_every_api_route_has_an_unknown_parameter_case() -> None:
    app = create_app("/nonexistent-index")
    routes = {(m, r.path) for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema for m in r.methods}
    assert routes == set(UNKNOWN)


@pytest.mark.parametrize(("method", "path"), sorted(UNKNOWN))
def test_unknown_parameter_is_a_422_naming_it(client: httpx.Client, method: str, path: str) -> None:
    body = assert_error_shape(client.request(method, UNKNOWN[(method, path)]), 422)
    assert body["error"] == "UnknownParameterError" and "'colour'" in body["message"]
    assert "takes" in body["hint"]


def test_misspelt_filter_gets_close_names(client: httpx.Client) -> None:
    body = assert_error_shape(client.get("/search", params={"q": "care", "grdae": "good"}), 422)
    assert "'grade'" in body["hint"]
    assert "framework" in body["hint"] and "inspection_year" not in body["hint"]  # the names, not every alias
    body = assert_error_shape(client.get("/judgements", params={"familly": "leadership"}), 422)
    assert "'family'" in body["hint"]


def test_declared_aliases_mean_the_same_filter(client: httpx.Client) -> None:
    by_name = client.get("/search", params={"q": "social workers", "la": "Ashcombe"}).json()
    for alias in ("local_authority", "authority"):
        body = client.get("/search", params={"q": "social workers", alias: "Ashcombe"}).json()
        assert [h["id"] for h in body["hits"]] == [h["id"] for h in by_name["hits"]]
        assert {h["report_id"] for h in body["hits"]} == {SECOND_ID}
    body = client.get("/search", params={"q": "social workers", "report_id": FIXTURE_ID}).json()
    assert {h["report_id"] for h in body["hits"]} == {FIXTURE_ID}


def test_lists_where_users_compare(client: httpx.Client) -> None:
    both = client.get("/search", params=[("q", "social workers"), ("year", 2010), ("year", 2019), ("k", 40)]).json()
    assert {h["report_id"] for h in both["hits"]} == {FIXTURE_ID, SECOND_ID}
    assert both["understood"]["filters"] == [
        {"field": "year", "values": [2010, 2019], "text": "in 2010 or 2019", "source": "option", "state": "applied"}
    ]
    one = client.get("/search", params={"q": "social workers", "year": 2010, "k": 40}).json()
    assert {h["report_id"] for h in one["hits"]} == {SECOND_ID}
    grades = client.get("/search", params=[("q", "children"), ("grade", "inadequate"), ("grade", "1"), ("k", 30)]).json()
    assert {h["grade"] for h in grades["hits"]} == {1, 4}


def test_years_read_from_the_query_are_all_kept(client: httpx.Client) -> None:
    body = client.get("/search", params={"q": "social workers in 2010 and 2019", "k": 5}).json()
    read = {f["field"]: f for f in body["understood"]["filters"]}
    assert read["year"]["values"] == [2010, 2019] and read["year"]["source"] == "query"
    assert body["understood"]["summary"].startswith("read from your query: in 2010 or 2019")


def test_framework_filter(client: httpx.Client) -> None:
    frameworks = {r["report_id"]: r["framework"] for r in client.get("/reports").json()}
    wanted = frameworks[SECOND_ID]
    body = client.get("/search", params={"q": "social workers", "framework": wanted.upper(), "k": 30}).json()
    assert body["hits"] and {frameworks[h["report_id"]] for h in body["hits"]} == {wanted}


def test_judgement_rows_carry_authority_year_framework(client: httpx.Client) -> None:
    rows = client.get("/judgements", params={"la": "Northmoor"}).json()
    assert rows and {(r["local_authority"], r["year"]) for r in rows} == {("Northmoor", 2019)}
    assert all(r["framework"] for r in rows)
    assert client.get("/judgements", params={"local_authority": "Northmoor"}).json() == rows
    assert client.get("/judgements", params={"year": 2019}).json() == rows
    one = client.get(f"/judgements/{rows[0]['judgement_id']}/evidence", params={"k": 1}).json()
    assert one["hits"]
    families = {r["family"] for r in client.get("/judgements", params={"family": rows[0]["family"]}).json()}
    assert families == {rows[0]["family"]}


def test_group_by_report_collapses_to_the_best_per_report(client: httpx.Client) -> None:
    body = client.get("/search", params={"q": "social workers", "group_by": "report", "k": 2}).json()
    assert body["group_by"] == "report" and body["hits"] == []
    assert {g["value"] for g in body["groups"]} == {FIXTURE_ID, SECOND_ID}
    for group in body["groups"]:
        assert 1 <= len(group["hits"]) <= 2 and {h["report_id"] for h in group["hits"]} == {group["value"]}
        assert group["total"] >= len(group["hits"])
    years = client.get("/search", params={"q": "social workers", "group_by": "year", "k": 1}).json()
    assert [g["value"] for g in years["groups"]] == [2010, 2019]  # ascending


def test_totals_are_exact_or_marked(client: httpx.Client) -> None:
    filtered = client.get("/search", params={"q": "social workers", "report": FIXTURE_ID, "facets": "grade"}).json()
    assert filtered["total_is_estimate"] is False
    assert sum(c["count"] for c in filtered["facets"]["grade"]) == filtered["total"]
    grades = [c["value"] for c in filtered["facets"]["grade"]]
    assert grades == sorted(g for g in grades if g is not None) + ([None] if None in grades else [])
    order = client.get("/search", params={"q": "inadequate", "report": FIXTURE_ID}).json()
    assert order["total_is_estimate"] is False and order["total"] >= len(order["hits"])


def test_reports_take_the_same_names_and_aliases(client: httpx.Client) -> None:
    by_name = client.get("/reports", params={"la": "northmoor"}).json()
    assert [r["report_id"] for r in by_name] == [FIXTURE_ID]
    assert client.get("/reports", params={"local_authority": "Northmoor"}).json() == by_name
    body = assert_error_shape(client.get("/reports", params=[("la", "Northmoor"), ("authority", "Ashcombe")]), 400)
    assert "la takes one value" in body["message"]


def test_healthz_publishes_the_field_table(client: httpx.Client) -> None:
    vocab = client.get("/healthz").json()["vocab"]
    fields = {f["name"]: f for f in vocab["filters"]}
    assert list(fields) == ["grade", "la", "year", "framework", "report", "section", "theme", "kind"]
    assert fields["la"]["aliases"] == ["local_authority", "authority"] and fields["year"]["many"]
    assert vocab["facets"] == ["grade", "la", "year", "framework"] and "report" in vocab["group_by"]


def test_ignore_removes_a_filter_read_from_the_query(client: httpx.Client) -> None:
    read = client.get("/search", params={"q": "social workers in 2010", "k": 5}).json()
    assert [f["field"] for f in read["understood"]["filters"]] == ["year"]
    assert {h["report_id"] for h in read["hits"]} == {SECOND_ID}
    ignored = client.get("/search", params={"q": "social workers in 2010", "k": 5, "ignore": "year"}).json()
    assert ignored["understood"]["filters"] == [] and ignored["understood"]["ignored"] == ["year"]
    assert "2010" in ignored["understood"]["ranking_text"]


def test_judgements_compare_several_values(client: httpx.Client) -> None:
    both = client.get("/judgements", params=[("la", "Northmoor"), ("local_authority", "ashcombe")]).json()
    assert {r["report_id"] for r in both} == {FIXTURE_ID, SECOND_ID}
    graded = client.get("/judgements", params=[("grade", "inadequate"), ("grade", "1")]).json()
    assert graded and {r["grade"] for r in graded} == {1, 4}
    years = client.get("/judgements", params=[("year", 2010), ("year", 2019)]).json()
    assert {r["year"] for r in years} == {2010, 2019}
