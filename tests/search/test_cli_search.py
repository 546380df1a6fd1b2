"""`evsearch search` and `evsearch eval` through the real console script."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from search_helpers import EVSEARCH, QUERIES_DIR, require


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "160"}
    return subprocess.run([str(EVSEARCH), *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module", autouse=True)
def _script():
    if not EVSEARCH.exists():
        pytest.skip(f"console script not installed at {EVSEARCH}")


def test_search_json(fixture_index):
    proc = run("search", "waiting lists for CAMHS", "--index", str(fixture_index), "-k", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert body["k"] == 3 and len(body["hits"]) == 3
    assert body["hits"][0]["number"] == 10 and body["hits"][0]["highlights"]


def test_search_table_and_options(fixture_index):
    proc = run("search", "support", "--index", str(fixture_index), "--grade", "outstanding", "-k", "2",
               "--offset", "1")
    assert proc.returncode == 0, proc.stderr
    assert "Fernhollow 2021, paragraph" in proc.stdout and "1 outstanding" in proc.stdout


def test_search_errors_are_one_line(fixture_index, tmp_path):
    for args, code, text in (
        (["search", "  ", "--index", str(fixture_index)], 2, "query is empty"),
        (["search", "x", "--index", str(fixture_index), "--grade", "superb"], 2, "valid grades"),
        (["search", "x", "--index", str(tmp_path / "none")], 3, "no index"),
    ):
        proc = run(*args)
        assert proc.returncode == code, (args, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("error:") and text in proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_eval_json_on_own_qrels(fixture_index, tmp_path):
    qrels = tmp_path / "q.tsv"
    qrels.write_text(
        "qid\tquery\treport\tnumber\trel\n"
        "f1\tapprenticeships for care leavers\tfernhollow-2021-fixture-report\t27\t2\n"
        "f2\tvirtual school head\tfernhollow-2021-fixture-report\t22\t2\n"
    )
    proc = run("eval", str(qrels), "--index", str(fixture_index), "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert [q["qid"] for q in body["queries"]] == ["f1", "f2"]
    assert body["overall"]["mrr@10"] == 1.0
    table = run("eval", str(qrels), "--index", str(fixture_index))
    assert table.returncode == 0 and "nDCG@10" in table.stdout


@pytest.mark.corpus
def test_eval_seed_dev(seed_index):
    require(QUERIES_DIR / "seed-dev.tsv")
    proc = run("eval", str(QUERIES_DIR / "seed-dev.tsv"), "--index", str(seed_index), "--json")
    assert proc.returncode == 0, proc.stderr
    overall = json.loads(proc.stdout)["overall"]
    # a floor against real regressions, below today's figure (0.920 / 0.955 with the ranker of 6 Dec,
    # re-pooled qrels): one query trading two places moves 11 queries' mean by ~0.005
    assert overall["ndcg@10"] >= 0.91 and overall["mrr@10"] >= 0.95


def test_search_prints_what_it_read_from_the_query(fixture_index):
    proc = run("search", "foster carers in Fernhollow 2021", "--index", str(fixture_index), "-k", "2")
    assert proc.returncode == 0, proc.stderr
    assert "read from your query: from Fernhollow, in 2021, topic fostering; relaxed: none" in proc.stdout
    assert "matching paragraphs" in proc.stdout
    grouped = run("search", "foster carers", "--index", str(fixture_index), "-k", "1", "--group-by", "report", "--json")
    assert grouped.returncode == 0, grouped.stderr
    body = json.loads(grouped.stdout)
    assert [g["value"] for g in body["groups"]] == ["fernhollow-2021-fixture-report"]
