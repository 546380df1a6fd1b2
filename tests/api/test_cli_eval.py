"""`evsearch eval` on an index that holds more than the judged report.

Other reports' paragraphs carry no judgements, so by default each query is
searched within the report its judgements name; `--scope all` searches
everything, as a user would, and can only score the same or lower.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from api_helpers import EVSEARCH

QUERIES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "queries"


def _eval(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([str(EVSEARCH), "eval", *args], capture_output=True, text=True, timeout=600, env=env)


def test_eval_scopes_each_query_to_its_judged_report(index_dir: Path) -> None:
    qrels = QUERIES_DIR / "seed-dev.tsv"
    judged = _eval(str(qrels), "--index", str(index_dir), "--json")
    assert judged.returncode == 0, judged.stderr
    overall = json.loads(judged.stdout)["overall"]
    assert overall["ndcg@10"] >= 0.92 and overall["mrr@10"] >= 0.95

    everything = _eval(str(qrels), "--index", str(index_dir), "--json", "--scope", "all")
    assert everything.returncode == 0, everything.stderr
    assert json.loads(everything.stdout)["overall"]["ndcg@10"] <= overall["ndcg@10"] + 1e-9


def test_eval_names_reports_missing_from_the_index(index_dir: Path, tmp_path: Path) -> None:
    qrels = tmp_path / "q.tsv"
    qrels.write_text("qid\tquery\treport\tnumber\trel\nq1\tfoster care\tno-such-report\t3\t2\n", encoding="utf-8")
    proc = _eval(str(qrels), "--index", str(index_dir))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "no-such-report" in proc.stderr
    assert "Traceback" not in proc.stderr
