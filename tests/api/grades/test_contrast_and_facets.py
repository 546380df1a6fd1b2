"""Contrast (group_by=grade) through the CLI and GET /search, on own-words fixtures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
from api_helpers import EVSEARCH, LiveServer, assert_error_shape, evsearch_env

QUERY = "management oversight"


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
    body = assert_error_shape(httpx.get(url, params={"q": QUERY, "group_by": "grade", "grade": "good"}, timeout=60), 400)
    assert "grade filter" in body["message"]


def test_cli_group_by_grade(grades_index: Path) -> None:
    proc = subprocess.run(
        [EVSEARCH, "search", QUERY, "--group-by", "grade", "-k", "1", "--json", "--index", str(grades_index)],
        env=evsearch_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert _best(body["groups"])[4] == ("ashby-vale-2022-ilacs", 2)
    table = subprocess.run(
        [EVSEARCH, "search", QUERY, "--group-by", "grade", "-k", "1", "--index", str(grades_index)],
        env=evsearch_env(COLUMNS="200"), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "grade 4 inadequate: 1 hit(s)" in table.stdout and "Ashby Vale 2022, paragraph 2" in table.stdout
    bad = subprocess.run(
        [EVSEARCH, "search", QUERY, "--group-by", "la", "--index", str(grades_index)],
        env=evsearch_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.startswith("error: cannot group by 'la'")
