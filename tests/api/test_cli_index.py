"""`evsearch index` as users run it: a real subprocess, real files, real model; and kill -9 safety."""

from __future__ import annotations

import os
import pty
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from api_helpers import EVSEARCH, FIXTURE_REPORT, SECOND_REPORT, evsearch_env
from pdf_maker import report_pdf

from evsearch.store import Index, IndexWriter
from evsearch.store.generations import read_current

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "index"
SUMMARY = re.compile(
    r"^indexed (\d+) reports \((\d+) paragraphs\), (\d+) unchanged, (\d+) failed, (\d+) pruned"
    r"(?:, \d+ copies)?(?:, \d+ skipped)? in [\d.]+s$"
)


def run_index(*args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([EVSEARCH, "index", *args], env=evsearch_env(**env), capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


def summary(proc: subprocess.CompletedProcess) -> tuple[int, ...]:
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    return tuple(int(g) for g in match.groups())


@pytest.fixture()
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(FIXTURES, folder)
    return folder


def assert_consistent(index_dir: Path) -> dict:
    """Counts agree across SQLite, FTS5 and FAISS, ids match, SQLite is sound and both searches work."""
    with Index.open(index_dir) as index:
        stats = index.stats()
        assert stats["paragraphs"] == stats["vectors"] == stats["fts_rows"] > 0, stats
        all_ids = index.ids_where(kinds=["paragraph", "summary", "recommendation", "text"])
        assert np.array_equal(np.sort(index.dense.ids()), np.sort(all_ids))
        conn = sqlite3.connect(f"file:{index.gen_dir / 'index.sqlite'}?mode=ro", uri=True)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        assert index.search_bm25('"children"', 3)
        assert len(index.search_dense(index.embedder.encode_query("children in care"), 3)) == 3
        return stats


def test_index_prints_one_summary_line_and_is_incremental(reports: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    first = run_index(str(reports), "--index", str(index_dir))
    assert first.returncode == 0, first.stderr
    assert summary(first) == (3, 9, 0, 0, 0)
    second = run_index(str(reports), "--index", str(index_dir))
    assert second.returncode == 0 and summary(second) == (0, 0, 3, 0, 0)
    (reports / "eastvale.txt").unlink()
    pruned = run_index(str(reports), "--index", str(index_dir), "--prune")
    assert summary(pruned) == (0, 0, 2, 0, 1)
    assert assert_consistent(index_dir)["reports"] == 2


def test_index_dir_defaults_to_the_setting(reports: Path, tmp_path: Path) -> None:
    proc = run_index(str(reports), EVSEARCH_INDEX=str(tmp_path / "from-env"))
    assert proc.returncode == 0 and read_current(tmp_path / "from-env") == "gen-000001"


def test_bad_files_one_line_each_and_exit_1(reports: Path, tmp_path: Path) -> None:
    (reports / "empty.txt").write_text("")
    (reports / "broken.pdf").write_bytes(b"%PDF-1.4 not a pdf at all")
    proc = run_index(str(reports), "--index", str(tmp_path / "idx"))
    assert proc.returncode == 1
    assert summary(proc) == (3, 9, 0, 2, 0)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("failed: ") for line in lines), proc.stderr
    assert any("empty.txt" in line for line in lines) and any("broken.pdf" in line for line in lines)


def test_model_mismatch_is_one_line_with_the_rebuild_command(reports: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    assert run_index(str(reports), "--index", str(index_dir)).returncode == 0
    proc = run_index(str(reports), "--index", str(index_dir), "--model", "another-model")
    assert proc.returncode == 3 and proc.stdout == ""
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("error:") and "Traceback" not in line
    assert "another-model" in line and "all-MiniLM-L6-v2" in line and "--rebuild" in line


def test_second_writer_gets_index_busy(reports: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    assert run_index(str(reports), "--index", str(index_dir)).returncode == 0
    with IndexWriter.open(index_dir, model="all-MiniLM-L6-v2", embedding_text="section+text"):
        proc = run_index(str(reports), "--index", str(index_dir))
    assert proc.returncode == 3 and "another `evsearch index` is writing" in proc.stderr


def test_terminal_shows_a_progress_bar(reports: Path, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen([EVSEARCH, "index", str(reports), "--index", str(tmp_path / "idx")],
                            env=evsearch_env(COLUMNS="120"), stdout=subprocess.PIPE, stderr=slave)  # fmt: skip
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    assert proc.returncode == 0
    assert b"parsing" in seen and b"reports" in seen and b"paragraphs" in seen
    assert b"embedding" in seen  # the model's share of the time has its own bar
    plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen)
    assert re.search(rb"embedding\D+\d+/\d+ paragraphs", plain), plain[-400:]
    assert re.search(rb"\d+:\d\d:\d\d", plain)  # an ETA
    assert SUMMARY.match(out.decode().strip())


def test_a_missing_path_leaves_nothing_behind(tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    proc = run_index(str(tmp_path / "no-such-folder"), "--index", str(index_dir))
    assert proc.returncode == 1 and "no-such-folder" in proc.stderr
    assert summary(proc)[3] == 1  # one failed
    assert not index_dir.exists()  # no folder, no LOCK


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_a_consistent_index(reports: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    assert run_index(str(reports), "--index", str(index_dir)).returncode == 0
    base = assert_consistent(index_dir)["paragraphs"]
    saved = tmp_path / "saved"
    shutil.copytree(index_dir, saved)
    bigger = tmp_path / "bigger"
    bigger.mkdir()
    variants = 80
    for n in range(variants):  # eighty distinct PDFs of our own reports (~1,300 paragraphs): enough work that the 2 s kill lands mid-run
        source = (FIXTURE_REPORT, SECOND_REPORT)[n % 2]
        text = tmp_path / f"variant-{n}.txt"
        # every numbered paragraph made distinct, so none can reuse a stored vector and the run has real work
        varied = re.sub(r"(?m)^(\d+\. )", rf"\g<1>In variant {n}, ", source.read_text("utf-8"))
        text.write_text(varied.replace("About this inspection", f"About this inspection\n\nVariant {n}."))
        report_pdf(text, bigger / f"report-{n}.pdf")
    (reports / "millbrook.txt").write_text((reports / "millbrook.txt").read_text() + "3. A new closing remark.\n")
    seen: list[int] = []  # paragraph counts readers saw after each kill: each must be old or new

    def start() -> subprocess.Popen:
        shutil.rmtree(index_dir)
        shutil.copytree(saved, index_dir)  # every kill starts from the same old index
        return subprocess.Popen([EVSEARCH, "index", str(reports), str(bigger), "--index", str(index_dir)],
                                env=evsearch_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def kill(proc: subprocess.Popen) -> bool:
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=60)
        assert code in (0, -signal.SIGKILL), code
        seen.append(assert_consistent(index_dir)["paragraphs"])
        return code == -signal.SIGKILL

    # 1. killed by the clock (start-up, parsing, embedding; a fast machine may finish the last one)
    killed = [kill(_sleep_then(start(), delay)) for delay in (0.5, 2.0, 5.0)]
    assert killed[:2] == [True, True]

    # 2. killed while the new generation is half written: as soon as its folder appears, and 1 s later
    for extra in (0.0, 1.0):
        proc = start()
        deadline = time.monotonic() + 300
        while not any(p.is_dir() and p.name != "gen-000001" for p in index_dir.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, "the build never started a generation"
            time.sleep(0.01)
        time.sleep(extra)
        was_killed = kill(proc)
        assert was_killed or extra > 0
        if extra == 0:  # the folder had only just appeared: nothing can have been published yet
            assert read_current(index_dir) == "gen-000001" and seen[-1] == base
        # 1 s later small reports may already be published: old or new, never a mix (checked by kill())

    # 3. killed at each step of publishing (the process SIGKILLs itself there), over the old index
    shutil.rmtree(index_dir)
    shutil.copytree(saved, index_dir)
    for point, published in (("after-begin", False), ("after-sqlite", False), ("after-vectors", False),
                              ("before-swap", False), ("after-swap", True)):  # fmt: skip
        proc = run_index(str(reports), "--index", str(index_dir), EVSEARCH_CRASH_AT=point)
        assert proc.returncode == -signal.SIGKILL, (point, proc.stderr)
        stats = assert_consistent(index_dir)
        assert stats["paragraphs"] == base + (1 if published else 0), point

    # 4. an uninterrupted run then completes, and leftovers of the crashed runs are gone
    proc = run_index(str(reports), str(bigger), "--index", str(index_dir))
    assert proc.returncode == 0, proc.stderr
    indexed, paragraphs, unchanged, failed, _ = summary(proc)
    assert (indexed, unchanged, failed) == (variants, 3, 0)
    final = assert_consistent(index_dir)["paragraphs"]
    assert final == base + 1 + paragraphs
    assert [p.name for p in index_dir.iterdir() if p.is_dir()] == [read_current(index_dir)]
    assert set(seen) <= {base, final}, seen


def _sleep_then(proc: subprocess.Popen, delay: float) -> subprocess.Popen:
    time.sleep(delay)
    return proc
