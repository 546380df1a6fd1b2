"""The read-only HTTP API over a real index, through a real uvicorn server on loopback."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from api_helpers import EVSEARCH, FIXTURE_ID, SECOND_ID, evsearch_env


def _ids(body: dict) -> list[tuple[str, int]]:
    return [(h["report_id"], h["seq"]) for h in body["hits"]]


def test_search_finds_our_fixture_paragraph_with_highlights(client: httpx.Client) -> None:
    r = client.get("/search", params={"q": "kayak club confidence", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "kayak club confidence"
    assert body["k"] == 5 and body["offset"] == 0
    top = body["hits"][0]
    assert (top["report_id"], top["number"]) == (FIXTURE_ID, 10)
    assert top["section"] == "Being healthy" and top["grade"] == 2
    assert "kayak" in top["text"]
    assert top["highlights"], "the matching sentence should be highlighted"
    assert any("kayak" in h.lower() for h in top["highlights"])
    assert top["score"] > 0


def test_search_matches_cli_json(client: httpx.Client, index_dir: Path) -> None:
    """One result model: HTTP returns what `evsearch search --json` prints."""
    query = "health assessment for children in care"
    cli = subprocess.run(
        [EVSEARCH, "search", query, "--index", str(index_dir), "--json"],
        env=evsearch_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr
    from_cli = json.loads(cli.stdout)
    from_http = client.get("/search", params={"q": query}).json()
    assert from_http["hits"], "expected hits"
    assert _ids(from_http) == _ids(from_cli)
    assert [h["citation"] for h in from_http["hits"]] == [h["citation"] for h in from_cli["hits"]]
    assert set(from_http) == set(from_cli)


def test_grade_filter_keeps_only_that_grade(client: httpx.Client) -> None:
    for grade, number in (("inadequate", 4), ("1", 1)):
        body = client.get("/search", params={"q": "children", "grade": grade, "k": 20}).json()
        assert body["hits"], f"no hits for grade {grade}"
        assert {h["grade"] for h in body["hits"]} == {number}


def test_report_and_la_filters(client: httpx.Client) -> None:
    only_fixture = client.get("/search", params={"q": "social workers", "report": FIXTURE_ID}).json()
    assert only_fixture["hits"] and {h["report_id"] for h in only_fixture["hits"]} == {FIXTURE_ID}
    only_second = client.get("/search", params={"q": "social workers", "la": "Ashcombe"}).json()
    assert only_second["hits"] and {h["report_id"] for h in only_second["hits"]} == {SECOND_ID}


def test_paging_gives_disjoint_pages(client: httpx.Client) -> None:
    first = client.get("/search", params={"q": "safeguarding", "k": 5}).json()
    second = client.get("/search", params={"q": "safeguarding", "k": 5, "offset": 5}).json()
    assert len(first["hits"]) == 5 and len(second["hits"]) == 5
    assert second["offset"] == 5
    assert not set(_ids(first)) & set(_ids(second))


def test_reports_list_and_filters(client: httpx.Client) -> None:
    listed = {r["report_id"]: r for r in client.get("/reports").json()}
    assert {SECOND_ID, FIXTURE_ID} == set(listed)
    assert listed[SECOND_ID]["local_authority"] == "Ashcombe"
    assert listed[FIXTURE_ID]["local_authority"] == "Northmoor"
    by_la = client.get("/reports", params={"la": "Northmoor"}).json()
    assert [r["report_id"] for r in by_la] == [FIXTURE_ID]
    by_year = client.get("/reports", params={"year": 2010}).json()
    assert [r["report_id"] for r in by_year] == [SECOND_ID]


def test_report_has_metadata_and_judgements(client: httpx.Client) -> None:
    report = client.get(f"/reports/{FIXTURE_ID}").json()
    assert report["report_id"] == FIXTURE_ID
    grades = {(j["part"], j["title"]): j["grade"] for j in report["judgements"]}
    assert grades[("Safeguarding services", "Overall effectiveness")] == 4
    assert grades[("Services for looked after children", "Enjoying and achieving")] == 1


def test_paragraph_in_context(client: httpx.Client) -> None:
    para = client.get(f"/reports/{FIXTURE_ID}/paragraphs/7").json()
    assert para["report_id"] == FIXTURE_ID and para["number"] == 7
    assert "lighthouse panel" in para["text"]
    assert para["section"] == "Quality of provision" and para["grade"] == 4


def test_judgements_and_their_evidence(client: httpx.Client) -> None:
    inadequate = client.get("/judgements", params={"grade": "inadequate"}).json()
    assert inadequate and {j["grade"] for j in inadequate} == {4}
    mine = [j for j in inadequate if j["report_id"] == FIXTURE_ID]
    assert {j["title"] for j in mine} == {"Overall effectiveness", "Quality of provision"}
    healthy = client.get("/judgements", params={"title": "Being healthy", "la": "Northmoor"}).json()
    assert len(healthy) == 1
    evidence = client.get(f"/judgements/{healthy[0]['judgement_id']}/evidence", params={"k": 5}).json()
    numbers = {h["number"] for h in evidence["hits"] if h["report_id"] == FIXTURE_ID}
    assert numbers & {9, 10}, evidence


def test_healthz_reports_index_and_model(client: httpx.Client, index_dir: Path) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["model"]
    assert body["index"] == index_dir.name  # the folder's name only: no server paths leave the server
    assert "/" not in json.dumps(body["stats"]).replace("\\/", "")
    assert body["stats"]["reports"] == 2
    assert [g["grade"] for g in body["vocab"]["grades"]] == [1, 2, 3, 4]
    assert "health" in body["vocab"]["themes"]


def test_openapi_documents_parameters_with_examples(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert {"q", "k", "offset", "grade", "section", "theme", "report", "la", "year"} <= set(params)
    assert params["q"]["required"] is True
    assert len(params["q"]["examples"]) >= 2  # shown in Swagger UI's example picker
    assert params["grade"]["schema"]["anyOf"][0].get("examples") or params["grade"]["schema"].get("examples")
    assert params["k"]["schema"]["maximum"] == 100
    assert "/reports/{report_id}/paragraphs/{number}" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_page_and_assets_are_served(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="search-form"' in page.text
    js = client.get("/static/app.js")
    assert js.status_code == 200
    # all server text goes in via text nodes: no HTML-parsing sinks
    assert not re.search(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write", js.text)


def test_explain_true_gives_every_hit_its_reasons(client: httpx.Client) -> None:
    body = client.get("/search", params={"q": "foster carers", "k": 3, "explain": "true"}).json()
    assert body["hits"] and all(h["explanation"] and all(isinstance(p, str) for p in h["explanation"]) for h in body["hits"])
    assert all(0.0 <= h["score"] <= 1.0 for h in body["hits"])
    plain = client.get("/search", params={"q": "foster carers", "k": 3}).json()
    assert all(h["explanation"] is None for h in plain["hits"])
