"""`evsearch eval` over a real index that holds more than the judged report.

By default each query searches the whole index, as a user would; `--scope
judged` searches within the report a query's judgements name, and can only
score the same or higher. The made-up qrels here judge our own fixture report.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from api_helpers import EVSEARCH, FIXTURE_REPORT

FIXTURE = FIXTURE_REPORT.stem
HEADER = "qid\tquery\treport\tnumber\trel"  # no part column: numbers match in any part


def _eval(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([str(EVSEARCH), "eval", *args], capture_output=True, text=True, timeout=600, env=env)


def _qrels(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "q.tsv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_eval_searches_the_whole_index_by_default(index_dir: Path, tmp_path: Path) -> None:
    qrels = _qrels(
        tmp_path,
        f"f1\tkayak club for children in care\t{FIXTURE}\t10\t2",
        f"f2\tpersonal education plans reviewed each term\t{FIXTURE}\t12\t2",
        f"f2\tpersonal education plans reviewed each term\t{FIXTURE}\t11\t1",
        f"f3\tweather on the moor\t{FIXTURE}\t1\t0",
    )
    proc = _eval(str(qrels), "--index", str(index_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["evaluated"] == 2 and result["without_relevant"] == ["f3"]
    by_qid = {q["qid"]: q for q in result["queries"]}
    assert by_qid["f1"]["mrr@10"] > 0  # the one paragraph about the kayak club is in the top 10
    assert by_qid["f1"]["recall@10"] == 1.0 and by_qid["f2"]["relevant"] == 2
    assert all(0 <= result["overall"][m] <= 1 for m in ("ndcg@10", "mrr@10", "recall@10", "judged@10"))

    judged = _eval(str(qrels), "--index", str(index_dir), "--json", "--scope", "judged")
    assert judged.returncode == 0, judged.stderr
    assert json.loads(judged.stdout)["overall"]["ndcg@10"] >= result["overall"]["ndcg@10"] - 1e-9


def test_eval_prints_a_row_per_query_when_asked(index_dir: Path, tmp_path: Path) -> None:
    qrels = _qrels(tmp_path, f"f1\tkayak club for children in care\t{FIXTURE}\t10\t2")
    proc = _eval(str(qrels), "--index", str(index_dir), "--per-query")
    assert proc.returncode == 0, proc.stderr
    assert "f1" in proc.stdout and "kayak club" in proc.stdout and "scope all" in proc.stdout
    plain = _eval(str(qrels), "--index", str(index_dir))
    assert "kayak club" not in plain.stdout and "nDCG@10" in plain.stdout


def test_eval_names_reports_missing_from_the_index(index_dir: Path, tmp_path: Path) -> None:
    qrels = _qrels(tmp_path, "q1\tfoster care\tno-such-report\t3\t2")
    proc = _eval(str(qrels), "--index", str(index_dir))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "no-such-report" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_eval_rejects_an_unknown_scope_and_a_row_without_a_key(index_dir: Path, tmp_path: Path) -> None:
    qrels = _qrels(tmp_path, f"f1\tkayak\t{FIXTURE}\t10\t2")
    proc = _eval(str(qrels), "--index", str(index_dir), "--scope", "some")
    assert proc.returncode == 2 and "--scope must be one of all, judged" in proc.stderr
    bad = _qrels(tmp_path, f"f1\tkayak\t{FIXTURE}\t\t2")
    proc = _eval(str(bad), "--index", str(index_dir))
    assert proc.returncode == 2 and "q.tsv:2" in proc.stderr and "Traceback" not in proc.stderr
