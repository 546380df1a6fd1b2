"""The write journal: job rows that outlive the process, unfinished ones never pruned."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from evsearch.store.journal import JOURNAL_FILE, Journal


def test_states_survive_reopening(tmp_path: Path) -> None:
    first = Journal(tmp_path)
    assert first.get("nope") is None and first.unfinished() == []  # reads create nothing
    assert not (tmp_path / JOURNAL_FILE).exists()
    first.add("a", "index-report", {"upload": "a.txt"})
    first.add("b", "index-report", {"upload": "b.txt"})
    first.add("c", "index-report", {"upload": "c.txt"})
    first.running("a")
    first.done("b", {"report_id": "b-1"})
    first.failed("c", {"error": "ReportReadError", "message": "c.txt: no text"})
    first.close()
    mode = sqlite3.connect(tmp_path / JOURNAL_FILE).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    again = Journal(tmp_path)
    assert [(j.job_id, j.state, j.payload) for j in again.unfinished()] == [("a", "running", {"upload": "a.txt"})]
    done = again.get("b")
    assert done is not None and done.state == "done" and done.result == {"report_id": "b-1"} and done.finished
    failed = again.get("c")
    assert failed is not None and failed.state == "failed" and failed.error["error"] == "ReportReadError"


def test_only_finished_jobs_are_pruned(tmp_path: Path) -> None:
    j = Journal(tmp_path, keep=2)
    j.add("waiting", "index-report", {})
    for n in range(4):
        j.add(f"f{n}", "index-report", {})
        j.done(f"f{n}", {"n": n})
    assert [x.job_id for x in j.unfinished()] == ["waiting"]
    assert [n for n in range(4) if j.get(f"f{n}") is not None] == [2, 3]
