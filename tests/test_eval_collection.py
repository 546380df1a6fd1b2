"""The committed evaluation collection (eval/) is whole and its halves do not leak into each other.

No index is needed: these read the files in eval/ and run eval/collect_qrels.py on copies.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evsearch.parser.pipeline import report_id_for

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO / "eval"
CORPUS = REPO.parent / "shared" / "corpus"
HALVES = ("tune", "test")


def _tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None))


def _report_ids(half: str) -> set[str]:
    lines = (EVAL / f"reports-{half}.txt").read_text(encoding="utf-8").splitlines()
    return {report_id_for(CORPUS / line, CORPUS) for line in lines if line.strip()}


def test_halves_hold_different_reports_and_local_authorities() -> None:
    tune, test = _report_ids("tune"), _report_ids("test")
    assert len(tune) >= 32 and len(test) >= 32 and not tune & test
    las = {half: {rid.split("--")[1].split("-", 1)[1] for rid in _report_ids(half) if rid.startswith("ilacs--")}
           for half in HALVES}  # fmt: skip
    assert not las["tune"] & las["test"]
    assert any(rid.startswith("seed--") for rid in tune)


@pytest.mark.parametrize("half", HALVES)
def test_every_query_has_a_pool_over_its_own_half(half: str) -> None:
    queries = _tsv(EVAL / f"queries-{half}.tsv")
    qids = [q["qid"] for q in queries]
    assert len(qids) >= 60 and len(set(qids)) == len(qids)
    own = _report_ids(half)
    for q in queries:
        rows = _tsv(EVAL / "pools" / half / f"{q['qid']}.tsv")
        assert rows, q["qid"]
        assert {r["query"] for r in rows} == {q["query"]}
        assert {r["report"] for r in rows} <= own, f"{q['qid']} pools a report of the other half"
        assert all(r["record"] and r["text"] and r["rankers"] for r in rows)


def test_collect_qrels_refuses_an_ungraded_row_and_names_it(tmp_path: Path) -> None:
    pools = tmp_path / "pools" / "tune"
    pools.mkdir(parents=True)
    first = sorted((EVAL / "pools" / "tune").glob("*.tsv"))[0]
    shutil.copy(first, pools / first.name)
    rows = (pools / first.name).read_text(encoding="utf-8").splitlines()
    run = [sys.executable, str(EVAL / "collect_qrels.py"), "--half", "tune", "--pools", str(tmp_path / "pools"),
           "--out", str(tmp_path)]  # fmt: skip
    graded = [rows[0]] + [line.rsplit("\t", 1)[0] + "\t" + ("2" if i == 0 else "0") for i, line in enumerate(rows[1:])]
    graded[2] = graded[2].rsplit("\t", 1)[0] + "\t"  # line 3 left empty
    (pools / first.name).write_text("\n".join(graded) + "\n", encoding="utf-8")
    proc = subprocess.run(run, capture_output=True, text=True)
    assert proc.returncode == 2 and f"{first.name}:3: grade is empty" in proc.stderr

    graded[2] = graded[2] + "1"
    (pools / first.name).write_text("\n".join(graded) + "\n", encoding="utf-8")
    proc = subprocess.run(run, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    qrels = _tsv(tmp_path / "qrels-tune.tsv")
    assert [r["rel"] for r in qrels[:3]] == ["2", "1", "0"] and len(qrels) == len(rows) - 1
    assert "relevant_per_query_min=2" in proc.stdout


@pytest.mark.parametrize("half", HALVES)
def test_qrels_hold_exactly_the_graded_pools(half: str) -> None:
    """eval/qrels-<half>.tsv is what collect_qrels.py makes of the pools: every query's pool is
    fully graded, and no pool row is missing from or changed in the committed qrels."""
    qrels = _tsv(EVAL / f"qrels-{half}.tsv")
    key = ("qid", "report", "part", "number", "record")  # one text can recur in a report (the seed)
    judged = {tuple(r[k] for k in key): r["rel"] for r in qrels}
    assert len(judged) == len(qrels)
    pooled = {}
    for q in _tsv(EVAL / f"queries-{half}.tsv"):
        for r in _tsv(EVAL / "pools" / half / f"{q['qid']}.tsv"):
            assert r["grade"] in ("0", "1", "2"), f"{q['qid']} has an ungraded row"
            pooled[tuple(r[k] for k in key)] = r["grade"]
    assert judged == pooled
    voices = [q["voice"] for q in _tsv(EVAL / f"queries-{half}.tsv")]
    assert voices.count("jour") >= 30 and voices.count("ai") >= 20
