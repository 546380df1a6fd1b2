"""Milvus Lite: one file, one server process and one collection per index, whatever the number of
generations; a write adds a segment of its own rows, a generation searches its segments' rows.

Real Milvus Lite, real writer, the invented reports of store_helpers (no mocks). The server
processes are counted as this process's children running milvus_lite's ``milvus`` binary
(from /proc: psutil is not a dependency).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from evsearch.store import Index, merge, milvus_clients
from store_helpers import TOPICS, make_report, write_reports

EVSEARCH = str(Path(sys.executable).with_name("evsearch"))
REPORT = Path(__file__).resolve().parents[1] / "api" / "data" / "northmoor-2019-fixture-report.txt"
# an index in the older layout, kept as one archive (no index files tracked); milvus-old-layout.md says how it was made
OLD_LAYOUT = Path(__file__).resolve().parent / "data" / "milvus-old-layout.tar.gz"
ROWS = "evsearch_rows_384"  # the index's collection (the default model's dimension)


def lite_servers() -> list[str]:
    """The Lite files served by milvus processes that are children of this process."""
    served = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and cmd[0].endswith(b"/milvus") and len(cmd) > 1:
            served.append(cmd[1].decode())
    return served


def collections(index_dir: Path) -> list[str]:
    """Collections of the index's Lite file (opening it when no reader of this process does)."""
    with milvus_clients.hold(str(index_dir / "milvus.db")) as milvus:
        return sorted(milvus.list_collections())


def stored_segments(index_dir: Path) -> dict[int, int]:
    """Rows of the index's collection, counted by segment number."""
    counts: dict[int, int] = {}
    with milvus_clients.hold(str(index_dir / "milvus.db")) as milvus:
        rows = milvus.query(ROWS, filter="pk >= 0", output_fields=["seg"], consistency_level="Strong")
    for row in rows:
        counts[int(row["seg"])] = counts.get(int(row["seg"]), 0) + 1
    return counts


def lite_files(index_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(index_dir)) for p in index_dir.rglob("milvus.db"))


def _write(index_dir: Path, embedder, *report_ids: str, extra: str = "", delete: tuple[str, ...] = ()) -> dict:
    return write_reports(index_dir, [make_report(r, extra=extra) for r in report_ids], embedder, backend="milvus",
                         delete=delete)  # fmt: skip


def _rows(*report_ids: str) -> int:
    return sum(len(TOPICS[r][4]) for r in report_ids)


def test_writes_share_one_lite_file_and_one_process_and_add_only_their_rows(tmp_path: Path, embedder) -> None:
    index_dir = tmp_path / "idx"
    _write(index_dir, embedder, "harbourside-2019")
    opened = [Index.open(index_dir)]
    for n, report_id in enumerate(["millbrook-2012", "eastvale-2023", "harbourside-2019"]):
        _write(index_dir, embedder, report_id, extra=" Revised." if n == 2 else "")
        opened.append(Index.open(index_dir))  # every generation stays open, as a server's retiring views
    try:
        assert [i.generation for i in opened] == ["gen-000001", "gen-000002", "gen-000003", "gen-000004"]
        assert lite_files(index_dir) == ["milvus.db"]  # at the index root, none in generation folders
        assert lite_servers() == [str((index_dir / "milvus.db").resolve())]  # one process for all four
        assert milvus_clients.users(str(index_dir / "milvus.db")) == 2 * len(opened)  # vectors + keyword each
        assert collections(index_dir) == [ROWS]  # one collection for every generation
        # each write added a segment of its own rows only (the replaced report's old rows stay for gen 1-3)
        assert stored_segments(index_dir) == {1: _rows("harbourside-2019"), 2: _rows("millbrook-2012"),
                                              3: _rows("eastvale-2023"), 4: _rows("harbourside-2019")}  # fmt: skip
        assert opened[-1].manifest["ann_params"] == {"uri": "../milvus.db", "collection": ROWS, "index": "FLAT"}
        for index, reports in zip(opened, (["harbourside-2019"], ["harbourside-2019", "millbrook-2012"],
                                           list(TOPICS), list(TOPICS))):  # fmt: skip
            assert index.stats()["vectors"] == len(index.dense.ids()) == _rows(*reports)
            found = {pid for pid, _ in index.search_bm25('"children"', 50)}
            assert found and {r["report_id"] for r in index.paragraphs(sorted(found))} <= set(reports)
        # the replaced rows: the newest generation finds the new text only, the first the old only
        revised = [pid for pid, _ in opened[-1].search_bm25('"revised"', 50)]
        assert len(revised) == _rows("harbourside-2019") and opened[0].search_bm25('"revised"', 50) == []
        vector = opened[0].vectors(opened[0].dense.ids()[:1])[0]
        assert opened[0].search_dense(vector, 1)[0][0] == opened[0].dense.ids()[0]
        assert opened[0].dense.ids()[0] not in opened[-1].dense.ids()
    finally:
        for index in opened[:-1]:
            index.close()  # each close collects its unpinned retired generation
    try:
        assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000004"]
        assert stored_segments(index_dir) == {1: 6, 2: 5, 3: 4, 4: 6}  # all still named by gen 4
        assert merge.run(index_dir) == ["gen-000005"]  # four small segments: merged into one, dead rows dropped
        assert stored_segments(index_dir)[5] == _rows(*TOPICS)  # gen 4 is pinned: its segments stay
        with Index.open(index_dir) as merged:
            assert merged.manifest["segments"][0]["name"] == "seg-000005" and len(merged.manifest["segments"]) == 1
            assert sorted(merged.dense.ids()) == sorted(opened[-1].dense.ids())
            assert len(merged.search_bm25('"revised"', 50)) == _rows("harbourside-2019")
            opened[-1].close()  # gen 4 retired and collected: the rows of segments 1-4 go
            assert stored_segments(index_dir) == {5: _rows(*TOPICS)}
            assert lite_servers() == [str((index_dir / "milvus.db").resolve())]
    finally:
        opened[-1].close()
    assert lite_servers() == []  # the last holder stops the server


def test_a_pinned_generation_searches_its_own_rows_while_a_newer_one_is_published(tmp_path: Path, embedder) -> None:
    index_dir = tmp_path / "idx"
    _write(index_dir, embedder, *TOPICS)
    old = Index.open(index_dir)
    try:
        old_hits = old.search_bm25('"apprenticeships"', 5)
        query = old.vectors([old_hits[0][0]])[0]
        # the new generation deletes the report holding that word and replaces another
        _write(index_dir, embedder, "harbourside-2019", extra=" Updated.", delete=("eastvale-2023",))
        with Index.open(index_dir) as new:
            assert new.generation == "gen-000002" and old.generation == "gen-000001"
            assert new.search_bm25('"apprenticeships"', 5) == []
            assert old_hits[0][0] not in {pid for pid, _ in new.search_dense(query, 20)}
            assert new.stats()["vectors"] == len(new.dense.ids()) == _rows("harbourside-2019", "millbrook-2012")
            assert [pid for pid, _ in old.search_bm25('"apprenticeships"', 5)] == [pid for pid, _ in old_hits]
            assert old.search_dense(query, 1)[0][0] == old_hits[0][0]
            assert old.paragraphs([old_hits[0][0]])[0]["report_id"] == "eastvale-2023"
            assert len(old.dense.ids()) == _rows(*TOPICS) and old.search_bm25('"updated"', 5) == []
            grade = old.ids_where(grades=[1])  # filters inside Milvus, within each generation's rows
            assert {pid for pid, _ in old.search_dense(query, 50, candidate_ids=grade)} == set(grade.tolist())
            assert new.ids_where(grades=[1]) is not None and len(new.ids_where(grades=[1])) == 0
            assert stored_segments(index_dir) == {1: _rows(*TOPICS), 2: _rows("harbourside-2019")}
            assert len(lite_servers()) == 1
    finally:
        old.close()
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000002"]


def test_a_generation_whose_rows_are_all_deleted_finds_nothing(tmp_path: Path, embedder) -> None:
    index_dir = tmp_path / "idx"
    _write(index_dir, embedder, "millbrook-2012")
    with Index.open(index_dir) as full:
        vector = full.vectors(full.dense.ids()[:1])[0]
    _write(index_dir, embedder, delete=("millbrook-2012",))  # every row a tombstone of segment 1
    assert merge.run(index_dir) == ["gen-000003"]  # the all-dead segment is dropped: no segment left
    with Index.open(index_dir) as empty:
        assert empty.manifest["segments"] == [] and empty.stats()["paragraphs"] == 0
        assert empty.search_dense(vector, 5) == [] and empty.search_bm25('"referrals"', 5) == []
        assert len(empty.dense.ids()) == 0
    assert stored_segments(index_dir) == {}


def test_rows_a_process_could_not_drop_go_when_the_next_one_starts(tmp_path: Path, embedder) -> None:
    index_dir = tmp_path / "idx"
    _write(index_dir, embedder, "millbrook-2012")
    with Index.open(index_dir) as index:
        row = index.dense.collection.client.query(ROWS, filter="seg == 1", output_fields=["*"], limit=1)[0]
    with milvus_clients.hold(str(index_dir / "milvus.db")) as milvus:  # what a crashed write or merge left
        milvus.insert(ROWS, [{**row, "pk": (42 << 40) | 999, "seg": 42, "id": 999}])
        milvus.create_collection("evsearch_gen_000042", dimension=4)
    assert stored_segments(index_dir) == {1: 5, 42: 1} and "evsearch_gen_000042" in collections(index_dir)
    with Index.open(index_dir) as index:  # starting the file's server drops them
        assert index.search_bm25('"referrals"', 3)
        assert collections(index_dir) == [ROWS] and stored_segments(index_dir) == {1: 5}


def _index_in_another_process(tmp_path: Path, index_dir: Path, **env_extra: str) -> subprocess.CompletedProcess:
    """`evsearch index` of the fixture report into ``index_dir`` in a child process."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPORT, src / REPORT.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVSEARCH_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **env_extra)
    return subprocess.run([EVSEARCH, "index", str(src), "--index", str(index_dir)], capture_output=True,
                          text=True, env=env, timeout=300)  # fmt: skip


def test_a_write_killed_after_adding_its_rows_leaves_the_index_as_it_was(tmp_path: Path, embedder) -> None:
    """SIGKILL between adding the segment's rows and publishing: the old generation stays live
    and the next open deletes the orphaned segment, its folder and its rows."""
    index_dir = tmp_path / "idx"
    _write(index_dir, embedder, "millbrook-2012")
    done = _index_in_another_process(tmp_path, index_dir, EVSEARCH_CRASH_AT="after-segment")
    assert done.returncode == -9, done.stderr[-2000:]
    assert (index_dir / "seg-000002").is_dir() and stored_segments(index_dir)[2] > 0  # rows added, not published
    with Index.open(index_dir) as index:
        assert index.generation == "gen-000001" and index.stats()["reports"] == 1
        assert index.search_bm25('"referrals"', 3)
        assert not (index_dir / "seg-000002").exists() and not (index_dir / "gen-000002").exists()
        assert stored_segments(index_dir) == {1: _rows("millbrook-2012")}


def test_an_index_of_the_older_layout_is_read_in_place_and_moved_by_its_next_write(tmp_path: Path, embedder) -> None:
    index_dir = tmp_path / "idx"
    index_dir.mkdir()
    with tarfile.open(OLD_LAYOUT) as archive:
        archive.extractall(index_dir, filter="data")
    gen = index_dir / "gen-000001"
    assert lite_files(index_dir) == ["gen-000001/milvus.db"]
    with Index.open(index_dir) as old:
        assert old.manifest["ann_params"]["uri"] == "milvus.db" and "segments" not in old.manifest
        found = old.search_bm25('"apprenticeships"', 3)
        assert found and old.paragraphs([found[0][0]])[0]["report_id"] == "eastvale-2023"
        vector = old.vectors([found[0][0]])[0]
        assert old.search_dense(vector, 1)[0][0] == found[0][0] and len(old.dense.ids()) == 9
        assert lite_servers() == [str((gen / "milvus.db").resolve())]
        _write(index_dir, embedder, "harbourside-2019")  # while the old generation is read
        with Index.open(index_dir) as new:
            assert new.manifest["ann_params"]["uri"] == "../milvus.db" and new.stats()["reports"] == 3
            assert [pid for pid, _ in new.search_bm25('"apprenticeships"', 3)] == [found[0][0]]
            assert new.search_dense(vector, 1)[0][0] == found[0][0]
            both = (index_dir / "milvus.db", gen / "milvus.db")
            assert sorted(lite_servers()) == sorted(str(p.resolve()) for p in both)
            # the first write moves every row into a segment of the index's file
            assert stored_segments(index_dir) == {1: 9 + _rows("harbourside-2019")}
    # the old generation, collected, took its file with it
    assert lite_files(index_dir) == ["milvus.db"] and not gen.exists()
    assert lite_servers() == []


def test_a_second_process_writing_a_held_lite_file_gets_one_line_and_exit_3(tmp_path: Path, embedder) -> None:
    index_dir = tmp_path / "idx"
    _write(index_dir, embedder, "millbrook-2012")
    with Index.open(index_dir) as held:  # as `evsearch serve` holds it
        done = _index_in_another_process(tmp_path, index_dir)
        assert held.search_bm25('"referrals"', 1)
    assert done.returncode == 3, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Milvus Lite file"), done.stderr[-3000:]
    assert "one process per file" in lines[0] and "POST /reports" in lines[0] and "--milvus-uri" in lines[0]
    assert "Traceback" not in done.stderr
    # nothing was written: the live generation and the folder are as they were
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
    with Index.open(index_dir) as again:  # and this process may write once the file is free
        assert again.stats()["reports"] == 1


@pytest.mark.parametrize("uri", ["milvus.db", "../milvus.db"])
def test_manifest_uris_resolve_to_one_client_key(tmp_path: Path, uri: str) -> None:
    from evsearch.store.milvus_backend import uri_for

    gen = tmp_path / "idx" / "gen-000003"
    gen.mkdir(parents=True)
    expected = gen / "milvus.db" if uri == "milvus.db" else tmp_path / "idx" / "milvus.db"
    assert milvus_clients.key(uri_for(gen, {"uri": uri})) == str(expected.resolve())
    assert uri_for(gen, {"uri": "http://milvus:19530"}) == "http://milvus:19530"


def test_indexes_sharing_a_milvus_server_get_their_own_collection(tmp_path: Path) -> None:
    # the clean-up deletes rows of segments an index no longer has: on a shared server that must
    # never reach another index's rows, so each index names its own collection (made once, kept)
    from evsearch.store.milvus_backend import SERVER_KEY_FILE, rows_collection

    server = "http://milvus.example:19530"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    name_a, name_b = rows_collection(384, a, server), rows_collection(384, b, server)
    assert name_a != name_b and name_a.startswith("evsearch_rows_384_")
    assert rows_collection(384, a, server) == name_a and (a / SERVER_KEY_FILE).is_file()
    assert rows_collection(384, a, str(a / "milvus.db")) == "evsearch_rows_384"  # the index's own Lite file
