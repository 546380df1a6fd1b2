"""Segments: a write costs its own rows, scores do not depend on segmentation, merges keep every row."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from evsearch.records import ParsedReport
from evsearch.store import Index, merge
from evsearch.store.generations import read_current

from store_helpers import make_report, write_reports

FILTERS = [{"grades": [2]}, {"report_ids": ["eastvale-2023", "small-1"]}, {"sections": ["care"]},
           {"local_authorities": ["Millbrook"]}, {"kinds": ["paragraph"], "grades": [3, 4]}]
QUERIES = ['"carers"', '"children" OR "care plans"', '"social workers" OR "visit"', '"eastvale" OR "zebra"']


def other_report(report_id: str, *, extra: str = "") -> ParsedReport:
    """One of the helper's invented reports under a new id (a new report for the index)."""
    parsed = make_report("millbrook-2012", extra=extra)
    return ParsedReport(replace(parsed.report, report_id=report_id),
                        [replace(j, report_id=report_id) for j in parsed.judgements],
                        [replace(p, report_id=report_id) for p in parsed.paragraphs])  # fmt: skip


def manifest(index_dir: Path) -> dict:
    return json.loads((index_dir / read_current(index_dir) / "manifest.json").read_text())


def segment_dirs(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir() if p.name.startswith("seg-")}


def assert_consistent(index_dir: Path) -> dict:
    """Counts agree, tombstones hide replaced rows, BM25 equals FTS5, dense finds each row."""
    with Index.open(index_dir) as index:
        stats = index.stats()
        assert stats["paragraphs"] == stats["vectors"] == stats["fts_rows"]
        stored = np.asarray([r[0] for r in index.db.rows("all_paragraph_ids")], dtype=np.int64)
        assert np.array_equal(index.dense.ids(), stored)
        os.environ["EVSEARCH_MEMORY_INDEXES"] = "0"  # the same generation through FTS5 over one table
        try:
            plain = Index.open(index_dir)
        finally:
            del os.environ["EVSEARCH_MEMORY_INDEXES"]
        with plain:
            for query in QUERIES:
                got, expected = index.search_bm25(query, 30), plain.search_bm25(query, 30)
                assert dict(got) == pytest.approx(dict(expected), rel=1e-9), query
            for where in FILTERS:  # combined segment columns answer what SQL answers
                assert np.array_equal(index.ids_where(**where), plain.ids_where(**where)), where
        some = index.dense.ids()[:: max(1, len(index.dense) // 5)]
        for pid in some:
            hits = index.search_dense(index.vectors([pid])[0], 10)  # copies of one report tie at 1.0
            assert pid in [h for h, score in hits if score > 0.9999]
        assert named_segments_exist(index_dir)
        return stats


def named_segments_exist(index_dir: Path) -> bool:
    return {e["name"] for e in manifest(index_dir)["segments"]} <= segment_dirs(index_dir)


def test_a_write_adds_one_segment_and_tombstones_what_it_replaces(small_index: Path, embedder) -> None:
    before = manifest(small_index)
    [first] = before["segments"]
    write_reports(small_index, [make_report("eastvale-2023", extra=" revised")], embedder)
    after = manifest(small_index)
    assert [e["name"] for e in after["segments"]][0] == first["name"]  # shared by reference, not copied
    assert len(after["segments"]) == 2 and after["segments"][1]["rows"] < first["rows"]
    dead = np.load(small_index / read_current(small_index) / after["deleted"])
    assert len(dead) == after["segments"][1]["rows"]  # the replaced report's old rows
    stats = assert_consistent(small_index)
    assert stats["paragraphs"] == before["counts"]["paragraphs"] and stats["segments"] == 2


def test_generations_share_the_memory_of_their_common_segments(small_index: Path, embedder) -> None:
    with Index.open(small_index) as old:
        write_reports(small_index, [other_report("extra-0")], embedder)
        with Index.open(small_index) as new:
            assert len(new.dense.stores) == 2 and new.dense.stores[0] is old.dense.stores[0]
            assert new.keyword.matrices[0] is old.keyword.matrices[0]
            assert new.keyword.n_rows == old.keyword.n_rows + len(new.dense.live[1])  # its own BM25 statistics
            assert new.paragraph_count == old.paragraph_count + len(new.dense.live[1])


def test_bm25_scores_do_not_depend_on_segmentation(small_index: Path, embedder, tmp_path: Path) -> None:
    for n in range(3):
        write_reports(small_index, [other_report(f"extra-{n}", extra=f" carers visit {n}")], embedder)
    write_reports(small_index, [make_report("eastvale-2023", extra=" care plans")], embedder)
    assert len(manifest(small_index)["segments"]) == 5
    assert_consistent(small_index)  # global statistics: the same scores FTS5 gives over one table


def test_merges_follow_the_tier_policy_and_keep_every_row(small_index: Path, embedder) -> None:
    for n in range(merge.MERGE_AT):
        write_reports(small_index, [other_report(f"small-{n}")], embedder)
    before = assert_consistent(small_index)
    entries = manifest(small_index)["segments"]
    assert len(entries) == 1 + merge.MERGE_AT
    published = merge.run(small_index)
    assert published == [read_current(small_index)]
    after = manifest(small_index)
    assert len(after["segments"]) == 2 and after["segments"][0] == entries[0]
    assert segment_dirs(small_index) == {e["name"] for e in after["segments"]}  # merged inputs deleted
    assert assert_consistent(small_index)["paragraphs"] == before["paragraphs"]
    assert merge.run(small_index) == []  # the policy is satisfied


WRITE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from store_helpers import make_report, write_reports
from evsearch.models.embedder import load_embedder
write_reports(Path(sys.argv[1]), [make_report("eastvale-2023", extra=" rewritten"), make_report("harbourside-2019", extra=" again")],
              load_embedder(sys.argv[3]))
"""


@pytest.mark.parametrize("point", ["after-segment", "before-swap"])
def test_kill_9_during_a_segment_write_leaves_a_consistent_index(small_index: Path, embedder, point: str) -> None:
    write_reports(small_index, [other_report("extra-0")], embedder)  # two segments before the crash
    before = assert_consistent(small_index)
    live = read_current(small_index)
    env = {**os.environ, "EVSEARCH_CRASH_AT": point}
    args = [sys.executable, "-c", WRITE, str(small_index), str(Path(__file__).parent), embedder.name]
    proc = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert read_current(small_index) == live and len(segment_dirs(small_index)) == 3  # the crash's orphan
    assert assert_consistent(small_index) == before  # opening it cleared the orphan
    assert segment_dirs(small_index) == {e["name"] for e in manifest(small_index)["segments"]}
    write_reports(small_index, [other_report("extra-1")], embedder)
    assert assert_consistent(small_index)["paragraphs"] == before["paragraphs"] + len(other_report("x").paragraphs)


CRASH = """
import sys
from dataclasses import replace
from pathlib import Path
from evsearch.store import merge
merge.run(Path(sys.argv[1]))
"""


@pytest.mark.parametrize("point", ["after-merge-segment", "before-merge-swap", "after-swap"])
def test_kill_9_during_a_merge_leaves_a_consistent_index(small_index: Path, embedder, point: str) -> None:
    for n in range(merge.MERGE_AT):
        write_reports(small_index, [other_report(f"small-{n}")], embedder)
    before = assert_consistent(small_index)["paragraphs"]
    env = {**os.environ, "EVSEARCH_CRASH_AT": point}
    proc = subprocess.run([sys.executable, "-c", CRASH, str(small_index)], env=env, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert assert_consistent(small_index)["paragraphs"] == before
    assert len(manifest(small_index)["segments"]) == (2 if point == "after-swap" else 1 + merge.MERGE_AT)
    merge.run(small_index)  # the next merge finishes the job and clears what the crash left
    assert len(manifest(small_index)["segments"]) == 2
    assert segment_dirs(small_index) == {e["name"] for e in manifest(small_index)["segments"]}
    assert assert_consistent(small_index)["paragraphs"] == before


def test_a_retired_generation_goes_when_its_last_reader_closes(small_index: Path, embedder) -> None:
    reader = Index.open(small_index)
    old = reader.generation
    write_reports(small_index, [other_report("extra-0")], embedder)
    assert (small_index / old).is_dir()  # pinned while the reader has it
    reader.close()
    assert not (small_index / old).exists()  # no later write needed
    assert sorted(p.name for p in small_index.iterdir() if p.name.startswith("gen-")) == [read_current(small_index)]


def test_opening_an_index_clears_what_a_crash_left(small_index: Path) -> None:
    live = read_current(small_index)
    (small_index / "gen-000099").mkdir()  # a crashed write's folders, never published
    (small_index / "seg-000099").mkdir()
    with Index.open(small_index) as index:
        assert index.generation == live
    assert not (small_index / "gen-000099").exists() and not (small_index / "seg-000099").exists()


def test_tidying_while_writes_publish_never_removes_the_live_generation(small_index: Path, embedder) -> None:
    """A server tidies at start (merge.tidy) while uploads publish: tidy must read CURRENT under the
    writer lock, or it can delete the generation a write has just made live (found by the upload
    benchmark: 'manifest.json is missing')."""
    import threading

    stop = threading.Event()
    errors: list[BaseException] = []

    def tidy_loop() -> None:
        while not stop.is_set():
            try:
                merge.tidy(small_index)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                return

    thread = threading.Thread(target=tidy_loop, daemon=True)
    thread.start()
    try:
        for n in range(12):
            write_reports(small_index, [other_report(f"tidy-race-{n}")], embedder)
            live = small_index / read_current(small_index)
            assert (live / "manifest.json").is_file(), f"write {n}: the live generation was removed"
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors, errors
    with Index.open(small_index) as index:  # (copies of one report tie in dense search: counts, not assert_consistent)
        stats = index.stats()
        assert stats["paragraphs"] == stats["vectors"] == stats["fts_rows"]
        assert {f"tidy-race-{n}" for n in range(12)} <= {r["report_id"] for r in index.reports()}
