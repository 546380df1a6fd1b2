"""`evsearch index` over a hostile folder: good files indexed, every bad one reported, nothing lost.

The folder holds what users and attackers leave lying around: a flate bomb
(a ~1 MB PDF whose page inflates to ~1 GB), a truncated PDF, a password-protected
PDF, random bytes,
two names that slug alike, the same bytes under a second name, a FIFO, a
symbolic link that loops, one that points nowhere, and a folder named like a
PDF. Everything is made here; nothing comes from the corpus.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from api_helpers import EVSEARCH, FIXTURE_REPORT, SECOND_REPORT, evsearch_env
from pdf_maker import encrypted_pdf, flate_bomb_pdf, report_pdf

from evsearch.store import Index
from evsearch.store.generations import read_current

GB = 1_000_000_000


def _index_measured(*args: str) -> tuple[subprocess.CompletedProcess, int]:
    """Run `evsearch index ARGS` under a small Python parent; return it and the peak RSS (bytes) of
    the largest process in its tree (the indexer or its PDF child), as the kernel counts it."""
    probe = (
        "import resource, subprocess, sys, json\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr, 'peak': peak}))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, EVSEARCH, "index", *args], env=evsearch_env(),
                         capture_output=True, text=True, timeout=900)  # fmt: skip
    result = json.loads(run.stdout)
    return subprocess.CompletedProcess(args, result["rc"], result["out"], result["err"]), result["peak"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "reports"
    folder.mkdir()
    (folder / "Report A.txt").write_bytes(FIXTURE_REPORT.read_bytes())
    (folder / "report-a.txt").write_bytes(SECOND_REPORT.read_bytes())  # slugs like "Report A.txt"
    (folder / "northmoor copy.txt").write_bytes(FIXTURE_REPORT.read_bytes())  # same bytes, another name
    good_pdf = report_pdf(SECOND_REPORT, folder / "ashcombe.pdf")
    (folder / "truncated.pdf").write_bytes(good_pdf.read_bytes()[:900])
    (folder / "random.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(3000))
    encrypted_pdf(folder / "locked.pdf")
    flate_bomb_pdf(folder / "bomb.pdf", inflated_mb=1024)
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.pdf").symlink_to("loop.pdf")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "folder.pdf").mkdir()
    return folder


@pytest.fixture(scope="module")
def first_run(hostile: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, int, Path]:
    index_dir = tmp_path_factory.mktemp("hostile-index") / "index"
    proc, peak = _index_measured(str(hostile), "--index", str(index_dir))
    return proc, peak, index_dir


def test_bad_files_are_reported_and_the_run_goes_on(first_run, hostile: Path) -> None:
    proc, peak, _ = first_run
    assert proc.returncode == 1, proc.stderr  # some files failed
    failed = dict(re.findall(r"^failed: (.+?): (.+)$", proc.stderr, re.M))
    names = {Path(p).name: reason for p, reason in failed.items()}
    assert set(names) == {"bomb.pdf", "truncated.pdf", "random.pdf", "locked.pdf"}, proc.stderr
    assert "memory" in names["bomb.pdf"] and "pdf_memory_mb" in names["bomb.pdf"]
    assert "password" in names["locked.pdf"]
    skipped = {Path(p).name: reason for p, reason in re.findall(r"^skipped: (.+?): (.+)$", proc.stderr, re.M)}
    assert set(skipped) == {"pipe.txt", "loop.pdf", "dangling.txt", "folder.pdf"}, proc.stderr
    assert "FIFO" in skipped["pipe.txt"] and "loops" in skipped["loop.pdf"] and "nothing" in skipped["dangling.txt"]
    assert "Traceback" not in proc.stderr
    print(f"hostile folder: peak RSS {peak / 1e6:.0f} MB for `evsearch index` and its PDF child")
    assert peak < GB, f"peak RSS {peak / 1e6:.0f} MB"  # the bomb never reached the indexer's memory


def test_colliding_names_and_copies_keep_every_report_once(first_run, hostile: Path) -> None:
    proc, _, index_dir = first_run
    note = re.search(r"^note: 2 files share the id 'report-a': 'Report A.txt' keeps it; 'report-a.txt' is indexed "
                     r"as '(report-a-[0-9a-f]{6})'$", proc.stderr, re.M)  # fmt: skip
    assert note, proc.stderr
    suffixed = note.group(1)
    assert re.search(r"^copy: .*northmoor copy\.txt: the same bytes as report 'report-a'", proc.stderr, re.M)
    with Index.open(index_dir) as index:
        reports = {r["report_id"]: r for r in index.reports()}
        assert set(reports) == {"report-a", suffixed, "ashcombe"}  # ordinary ids exactly as before
        assert reports["report-a"]["local_authority"] == "Northmoor"
        assert reports[suffixed]["local_authority"] == "Ashcombe"
        titles = [(j["report_id"], j["part"], j["title"]) for j in index.judgements()]
        assert len(titles) == len(set(titles))  # no judgement listed twice
        copies = json.loads(sqlite3.connect(index.gen_dir / "index.sqlite").execute(
            "SELECT value FROM meta WHERE key = 'copies'").fetchone()[0])  # fmt: skip
    assert copies == {"report-a": [str((hostile / "northmoor copy.txt").resolve())]}


def test_a_second_run_changes_nothing_and_keeps_the_ids(first_run, hostile: Path) -> None:
    _, _, index_dir = first_run
    live = read_current(index_dir)
    (index_dir / "gen-000000").mkdir()  # a leftover an earlier crash or reader could leave behind
    proc, _ = _index_measured(str(hostile), "--index", str(index_dir))
    assert re.search(r"^indexed 0 reports \(0 paragraphs\), 3 unchanged, 4 failed, 0 pruned, 1 copies, 4 skipped",
                     proc.stdout), proc.stdout  # fmt: skip
    assert read_current(index_dir) == live
    assert sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-")) == [live]  # old one removed


def test_numbering_past_999_and_overlong_paragraphs(tmp_path: Path) -> None:
    lines = ["Inspection of safeguarding and looked after children services Longford", "",
             "Inspection dates: 2 May – 13 May 2011", "", "Overall effectiveness", "", "Grade 3 (adequate)", ""]  # fmt: skip
    for n in range(1, 1201):
        lines += [f"{n}. Paragraph {n} notes that the weekly review of open cases moved to a new day.", ""]
    long_report = tmp_path / "longford.txt"
    long_report.write_text("\n".join(lines), encoding="utf-8")
    parsed = subprocess.run([EVSEARCH, "parse", str(long_report)], env=evsearch_env(), capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert parsed.returncode == 0, parsed.stderr
    numbers = [json.loads(line)["number"] for line in parsed.stdout.splitlines()]
    assert [n for n in numbers if n is not None] == list(range(1, 1201))

    wordy = tmp_path / "wordy" / "wordy.txt"
    wordy.parent.mkdir()
    sentence = "The panel met again and agreed the same actions as before without naming anyone. "
    wordy.write_text("\n".join(lines[:8] + ["1. " + sentence * 300, "", "2. A short closing paragraph.", ""]))
    proc, _ = _index_measured(str(wordy.parent), "--index", str(tmp_path / "idx"))
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^note: wordy\.txt: paragraph 1 is 2\d,\d{3} characters long \(over 20,000", proc.stderr, re.M)
