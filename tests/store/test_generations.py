"""Generations: atomic publish, reader pins, writer lock and clean-up of old or orphaned folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from store_helpers import make_report, write_reports
from evsearch.errors import IndexBusyError, IndexMismatchError
from evsearch.store import Index, IndexWriter
from evsearch.store.generations import read_current


def gens(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("gen-"))


def test_second_writer_is_refused_while_one_writes(small_index: Path, embedder) -> None:
    with IndexWriter.open(small_index, model=embedder.name, embedding_text="section+text"):
        with pytest.raises(IndexBusyError, match=str(small_index)):
            IndexWriter.open(small_index, model=embedder.name, embedding_text="section+text")
    IndexWriter.open(small_index, model=embedder.name, embedding_text="section+text").close()  # lock released


def test_pinned_generation_survives_until_its_reader_closes(small_index: Path, embedder) -> None:
    reader = Index.open(small_index)
    old = reader.generation
    write_reports(small_index, [make_report("eastvale-2023", extra=" v2")], embedder)
    assert read_current(small_index) != old and reader.is_stale()
    assert old in gens(small_index)  # pinned: not deleted
    assert reader.paragraph_count == 15 and reader.search_bm25('"eastvale"', 1) == []
    reader.close()
    write_reports(small_index, [make_report("eastvale-2023", extra=" v3")], embedder)
    assert gens(small_index) == [read_current(small_index)]  # unpinned old ones are gone


def test_orphaned_generation_from_a_crash_is_ignored_then_removed(small_index: Path, embedder) -> None:
    live = read_current(small_index)
    orphan = small_index / "gen-000099"
    orphan.mkdir()
    (orphan / "index.sqlite").write_bytes(b"half written")
    with Index.open(small_index) as index:
        assert index.generation == live
    assert "gen-000099" not in gens(small_index)  # opening the index removed it
    orphan.mkdir()
    write_reports(small_index, [make_report("millbrook-2012", extra=" again")], embedder)
    assert "gen-000099" not in gens(small_index)
    assert read_current(small_index) == "gen-000100"  # numbering moves past the orphan


def test_writer_refuses_another_model_or_recipe_without_rebuild(small_index: Path, embedder) -> None:
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        IndexWriter.open(small_index, model="another-model", embedding_text="section+text")
    with pytest.raises(IndexMismatchError, match="'text'"):
        IndexWriter.open(small_index, model=embedder.name, embedding_text="text")
    with IndexWriter.open(small_index, model=embedder.name, embedding_text="section+text") as writer:
        with pytest.raises(IndexMismatchError, match="fingerprint"):
            writer.bind_model(fingerprint="other", dimension=embedder.dimension, backend=None)
    rebuilt = IndexWriter.open(small_index, model="another-model", embedding_text="text", rebuild=True)
    assert rebuilt.report_hashes() == {}
    rebuilt.close()


def test_a_write_that_fails_leaves_the_live_generation(small_index: Path, embedder) -> None:
    live = read_current(small_index)
    with pytest.raises(RuntimeError):
        with IndexWriter.open(small_index, model=embedder.name, embedding_text="section+text") as writer:
            writer.bind_model(fingerprint=embedder.fingerprint, dimension=embedder.dimension, backend=None)
            writer.replace_report(make_report("eastvale-2023"), content_hash="x", mtime=None, size=None)
            raise RuntimeError("boom")  # vectors never added
    assert read_current(small_index) == live and gens(small_index) == [live]
    with Index.open(small_index) as index:
        assert index.stats()["vectors"] == index.paragraph_count == 15


def test_commit_refuses_rows_without_vectors(small_index: Path, embedder) -> None:
    from evsearch.errors import IndexCorruptError

    live = read_current(small_index)
    writer = IndexWriter.open(small_index, model=embedder.name, embedding_text="section+text")
    writer.bind_model(fingerprint=embedder.fingerprint, dimension=embedder.dimension, backend=None)
    writer.replace_report(make_report("eastvale-2023", extra=" new"), content_hash="y", mtime=None, size=None)
    with pytest.raises(IndexCorruptError, match="15 paragraphs, 15 FTS rows, 11 vectors"):
        writer.commit()
    writer.abort()
    assert read_current(small_index) == live and gens(small_index) == [live]
