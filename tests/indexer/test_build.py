"""Incremental builds with the real parser, real model, real SQLite and FAISS."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evsearch.errors import IndexMismatchError
from evsearch.indexer.build import build_index
from evsearch.indexer.options import BuildOptions
from evsearch.store import Index

# Three small reports in our own words, laid out like real ones (heading, dates, judgement, numbered paragraphs).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "index"
EASTVALE = [
    "Personal advisers help young adults leaving care into apprenticeships and university places.",
    "The director has strengthened the workforce and reduced the number of children each worker supports.",
    "Children enjoy stable homes and keep in touch with their brothers and sisters.",
    "Independent reviewing officers challenge delay in plans for permanence.",
]


def report_text(authority: str, year: int, paragraphs: list[str]) -> str:
    head = (
        f"Inspection of {authority} local authority children's services\n\n"
        f"Inspection dates: 3 to 14 March {year}\n\nLead inspector: Pat Example\n\n"
        "Judgement Grade\nThe impact of leaders on social work practice with children and families Good\n\n"
    )
    return head + "".join(f"{i}. {text}\n\n" for i, text in enumerate(paragraphs, 1))


@pytest.fixture()
def reports_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(FIXTURES, folder)
    return folder


def counts(index_dir: Path) -> dict:
    with Index.open(index_dir) as index:
        return index.stats()


def test_build_reads_back_and_second_run_embeds_nothing(reports_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    first = build_index([reports_dir], index_dir)
    assert (first.indexed, first.paragraphs, first.unchanged, first.failed) == (3, 9, 0, [])
    assert first.embedded == 9 and first.generation == "gen-000001"
    with Index.open(index_dir) as index:
        ids = index.ids_where(report_ids=["eastvale"])
        assert [r["text"] for r in index.paragraphs(ids)] == EASTVALE
        assert index.report("millbrook")["local_authority"] == "Millbrook"
        assert index.report("millbrook")["content_hash"] and index.manifest["counts"]["paragraphs"] == 9
        query = index.embedder.encode_query("training for new foster carers")
        top = index.paragraphs([index.search_dense(query, 1)[0][0]])[0]
        assert top["report_id"] == "harbourside" and top["number"] == 2
    second = build_index([reports_dir], index_dir)
    assert (second.indexed, second.unchanged, second.embedded, second.generation) == (0, 3, 0, None)
    assert "indexed 0 reports (0 paragraphs), 3 unchanged, 0 failed, 0 pruned in" in second.summary()


def test_changed_file_replaces_its_paragraphs_and_vectors(reports_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    build_index([reports_dir], index_dir)
    (reports_dir / "millbrook.txt").write_text(
        report_text("Millbrook", 2021, ["Private fostering arrangements are now checked by a named officer."]),
        encoding="utf-8",
    )
    result = build_index([reports_dir], index_dir)
    assert (result.indexed, result.unchanged, result.embedded) == (1, 2, 1)
    with Index.open(index_dir) as index:
        texts = [r["text"] for r in index.paragraphs(index.ids_where(report_ids=["millbrook"]))]
        assert texts == ["Private fostering arrangements are now checked by a named officer."]
        assert index.search_bm25('"domestic" OR "abuse"', 5) == []
        stats = index.stats()
        assert stats["paragraphs"] == stats["vectors"] == stats["fts_rows"] == 8


def test_prune_drops_reports_whose_files_are_gone(reports_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    build_index([reports_dir], index_dir)
    (reports_dir / "eastvale.txt").unlink()
    kept = build_index([reports_dir], index_dir)
    assert kept.pruned == 0 and counts(index_dir)["reports"] == 3  # without --prune nothing is dropped
    pruned = build_index([reports_dir], index_dir, BuildOptions.from_settings(prune=True))
    assert pruned.pruned == 1 and pruned.embedded == 0
    stats = counts(index_dir)
    assert stats["reports"] == 2 and stats["paragraphs"] == stats["vectors"] == stats["fts_rows"] == 5


def test_bad_files_are_reported_and_skipped(reports_dir: Path, tmp_path: Path) -> None:
    (reports_dir / "empty.txt").write_text("", encoding="utf-8")
    (reports_dir / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    result = build_index([reports_dir, tmp_path / "no-such-folder"], tmp_path / "idx")
    failed = {Path(path).name: reason for path, reason in result.failed}
    assert set(failed) == {"empty.txt", "broken.pdf", "no-such-folder"}
    assert "empty" in failed["empty.txt"] and "no such file" in failed["no-such-folder"]
    assert result.indexed == 3 and "3 failed" in result.summary()


def test_another_model_needs_a_rebuild(reports_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    build_index([reports_dir], index_dir)
    with pytest.raises(IndexMismatchError) as err:
        build_index([reports_dir], index_dir, BuildOptions.from_settings(model="some-other-model"))
    assert "some-other-model" in str(err.value) and "--rebuild" in str(err.value)
    with pytest.raises(IndexMismatchError, match="'text'"):
        build_index([reports_dir], index_dir, BuildOptions.from_settings(embedding_text="text"))
    rebuilt = build_index([reports_dir], index_dir, BuildOptions.from_settings(embedding_text="text", rebuild=True))
    assert rebuilt.indexed == 3 and rebuilt.manifest["embedding_text"] == "text"


@pytest.mark.corpus
def test_real_reports_index_consistently(tmp_path: Path, seed_txt: Path, ilacs_dir: Path) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    shutil.copy(seed_txt, folder / seed_txt.name)
    pdf = sorted(ilacs_dir.rglob("*.pdf"))[-1]
    shutil.copy(pdf, folder / "latest.pdf")
    result = build_index([folder], tmp_path / "idx", BuildOptions.from_settings(ann="hnsw"))
    assert result.failed == [] and result.indexed == 2 and result.paragraphs > 150
    with Index.open(tmp_path / "idx") as index:
        stats = index.stats()
        assert stats["paragraphs"] == stats["vectors"] == stats["fts_rows"] == result.paragraphs
        assert index.manifest["ann"] == "hnsw"
        seed_id = seed_txt.stem
        assert len(index.ids_where(report_ids=[seed_id])) >= 120
        assert index.report(seed_id)["judgements"]
        query = index.embedder.encode_query("placement stability for looked after children")
        hits = index.search_dense(query, 5, candidate_ids=index.ids_where(report_ids=["latest"]))
        assert len(hits) == 5 and {r["report_id"] for r in index.paragraphs([i for i, _ in hits])} == {"latest"}


def test_build_options_read_every_setting_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVSEARCH_INDEX", str(tmp_path / "from-env"))
    monkeypatch.setenv("EVSEARCH_BATCH_SIZE", "7")
    monkeypatch.setenv("EVSEARCH_EMBEDDING_TEXT", "text")
    options = BuildOptions.from_settings(ann="hnsw")
    assert (options.index_dir, options.batch_size, options.embedding_text) == (tmp_path / "from-env", 7, "text")
    assert (options.ann, options.backend, options.default_backend, options.backend_options) == ("hnsw", None, "faiss", None)
    monkeypatch.setenv("EVSEARCH_BATCH_SIZE", "9")  # read once: a built options object does not change
    assert options.batch_size == 7 and BuildOptions.from_settings().batch_size == 9
    assert BuildOptions.from_settings(milvus_uri="http://m:19530").backend_options == {"milvus_uri": "http://m:19530"}
