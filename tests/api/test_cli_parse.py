"""`evsearch parse` through the real console script (subprocess), on real and deliberately bad files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from api_helpers import EVSEARCH, FIXTURE_REPORT, SECOND_REPORT
from pdf_maker import report_pdf

OWN_REPORT = (Path(__file__).resolve().parents[1] / "fixtures" / "small-numbered-report.txt").read_text(encoding="utf-8")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return subprocess.run([EVSEARCH, "parse", *args], capture_output=True, text=True, timeout=300, env=env)


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf at all")
    (folder / "notes.md").write_text("Things to buy: bread and tea.\n")
    (folder / "report.txt").write_text(OWN_REPORT)
    return folder


def test_bad_files_one_stderr_line_each_others_printed_exit_1(batch: Path) -> None:
    result = run(str(batch))
    assert result.returncode == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert "broken.pdf" in err[0] and "PDF" in err[0].split("broken.pdf", 1)[1]
    assert "empty.txt" in err[1] and "empty" in err[1]
    assert "notes.md" in err[2] and "not an inspection report" in err[2]
    assert err[3] == "3 of 4 files failed"
    records = _lines(result.stdout)
    assert records and {r["report_id"] for r in records} == {"report"}
    assert [r["number"] for r in records if r["number"]] == [1, 2]


def test_reports_flag_prints_one_record_per_good_file(batch: Path) -> None:
    result = run(str(batch), "--reports")
    assert result.returncode == 1
    (record,) = _lines(result.stdout)
    assert set(record) == {
        "report_id", "path", "title", "local_authority", "inspection_start",
        "inspection_end", "published", "lead_inspector", "framework",
        "authority_urn", "authority_la_code", "authority_resolved", "authority_printed", "date_sources",
    }
    assert record["authority_resolved"] is False  # a made-up authority: kept as printed, flagged
    assert record["inspection_end"] == "2025-03-14"


def test_missing_path_and_conflicting_flags(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nope.pdf"))
    assert missing.returncode == 1
    assert "nope.pdf" in missing.stderr and "no such file" in missing.stderr
    assert "1 of 1 files failed" in missing.stderr
    both = run(str(tmp_path), "--judgements", "--reports")
    assert both.returncode == 2
    assert both.stderr.startswith("error: ") and "Traceback" not in both.stderr
    (tmp_path / "empty-folder").mkdir()
    none = run(str(tmp_path / "empty-folder"))
    assert none.returncode == 2 and "no report files found" in none.stderr


def test_judgements_and_report_of_our_second_fixture() -> None:
    result = run(str(SECOND_REPORT), "--judgements")
    assert result.returncode == 0, result.stderr
    records = _lines(result.stdout)
    assert len(records) == 8
    assert {"report_id", "part", "title", "grade", "grade_label", "section", "link"} <= set(records[0])
    healthy = [r for r in records if r["title"] == "Being healthy"]
    assert len(healthy) == 1 and healthy[0]["grade"] == 3 and healthy[0]["section"] == "Being healthy"
    report = _lines(run(str(SECOND_REPORT), "--reports").stdout)
    assert report[0]["framework"] == "slac" and report[0]["published"] == "2011-01-14"


def test_pdfs_in_folder_with_a_bad_one(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    report_pdf(FIXTURE_REPORT, folder / "northmoor.pdf")
    good = report_pdf(SECOND_REPORT, folder / "ashcombe.pdf")
    (folder / "zz-truncated.pdf").write_bytes(good.read_bytes()[:900])
    result = run(str(folder), "--judgements")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "1 of 3 files failed"
    assert "zz-truncated.pdf" in result.stderr
    records = _lines(result.stdout)
    assert {r["report_id"] for r in records} == {"northmoor", "ashcombe"}
    assert all(r["grade"] in (1, 2, 3, 4) for r in records)
