"""The read API over a real index (real SQLite, FAISS and model) built from small invented reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from store_helpers import TOPICS, make_report, write_reports
from evsearch.errors import IndexMismatchError, IndexNotFoundError, NotFoundError
from evsearch.store import SCHEMA_VERSION, Index


def test_round_trip_reads_back_every_record(opened: Index) -> None:
    original = make_report("harbourside-2019")
    ids = opened.ids_where(report_ids=["harbourside-2019"])
    records = opened.paragraphs(ids)
    assert [r["text"] for r in records] == [p.text for p in original.paragraphs]
    first, want = records[0], original.paragraphs[0]
    for key, value in want.to_dict().items():
        assert first[key] == value, key
    assert first["id"] == ids[0]
    report = opened.report("harbourside-2019")
    assert report["local_authority"] == "Harbourside"
    assert report["inspection_year"] == 2019 and report["published_year"] == 2019
    assert [j["title"] for j in report["judgements"]] == [j.title for j in original.judgements]
    assert opened.paragraph("millbrook-2012", 3)["text"].startswith("Foster carers said")


def test_counts_agree_across_sqlite_fts_and_vectors(opened: Index) -> None:
    stats = opened.stats()
    total = sum(len(rows[4]) for rows in TOPICS.values())
    assert stats["paragraphs"] == stats["fts_rows"] == stats["vectors"] == total == opened.paragraph_count
    assert stats["reports"] == 3
    assert sorted(opened.dense.ids().tolist()) == sorted(opened.ids_where(kinds=["paragraph"]).tolist())


def test_manifest_describes_the_build(opened: Index, embedder) -> None:
    m = opened.manifest
    assert m["schema_version"] == SCHEMA_VERSION
    assert m["model"] == embedder.name and m["dimension"] == embedder.dimension
    assert m["model_fingerprint"] == embedder.fingerprint
    assert m["embedding_text"] == "section+text" and m["ann"] == "flat" and m["normalisation"] == "l2"
    assert m["counts"]["paragraphs"] == opened.paragraph_count
    assert {"faiss", "sqlite", "evsearch"} <= set(m["versions"])


def test_dense_search_finds_the_paragraph_about_the_query(opened: Index, embedder) -> None:
    query = embedder.encode_query("training for foster carers before placement")
    hits = opened.search_dense(query, 3)
    texts = [r["text"] for r in opened.paragraphs([i for i, _ in hits])]
    assert "Carers receive training" in texts[0]
    assert hits[0][1] >= hits[1][1] >= hits[2][1]


def test_filtered_dense_search_returns_k_hits_when_k_exist(opened: Index, embedder) -> None:
    query = embedder.encode_query("leadership")
    candidates = opened.ids_where(grades=[3])
    assert len(candidates) == 4
    hits = opened.search_dense(query, 4, candidate_ids=candidates)
    assert sorted(i for i, _ in hits) == sorted(candidates.tolist())
    assert len(opened.search_dense(query, 10, candidate_ids=candidates)) == 4
    assert opened.search_dense(query, 5, candidate_ids=np.array([], dtype=np.int64)) == []


def test_bm25_stems_and_ranks_higher_is_better(opened: Index) -> None:
    hits = opened.search_bm25('"carer"', 10)
    texts = [r["text"] for r in opened.paragraphs([i for i, _ in hits])]
    assert len(hits) == 2  # "Carers receive..." and "Foster carers..."; "care leavers" is another stem
    assert all("carer" in t.lower() for t in texts)
    assert hits == sorted(hits, key=lambda h: -h[1])
    within = opened.search_bm25('"carers"', 10, opened.ids_where(local_authorities=["MILLBROOK"]))
    assert [r["report_id"] for r in opened.paragraphs([i for i, _ in within])] == ["millbrook-2012"]


def test_ids_where_filters(opened: Index) -> None:
    assert opened.ids_where() is None
    by_section = opened.paragraphs(opened.ids_where(sections=["CARE LEAV"]))
    assert {r["section"] for r in by_section} == {"Care leavers"}
    by_path = opened.ids_where(sections=["main findings"])
    assert len(by_path) == opened.paragraph_count  # matched through section_path
    by_year = opened.paragraphs(opened.ids_where(years=[2012]))
    assert {r["report_id"] for r in by_year} == {"millbrook-2012"}
    both = opened.paragraphs(opened.ids_where(grades=[1, 2], years=[2023, 2019]))
    assert {(r["report_id"], r["grade"]) for r in both} == {
        ("eastvale-2023", 1), ("eastvale-2023", 2), ("harbourside-2019", 2),
    }  # fmt: skip
    assert len(opened.ids_where(local_authorities=["Nowhere"])) == 0
    assert np.array_equal(opened.ids_where(years=np.array([2012])), opened.ids_where(years=[2012]))
    assert opened.ids_where(grades=2).tolist() == opened.ids_where(grades=[2]).tolist()


def test_reports_judgements_and_vocabulary(opened: Index) -> None:
    assert [r["report_id"] for r in opened.reports(year=np.int64(2023))] == ["eastvale-2023"]
    assert [r["report_id"] for r in opened.reports(framework="ilacs")] == ["eastvale-2023", "harbourside-2019"]
    poor = opened.judgements(grade=4)
    assert [(j["report_id"], j["title"]) for j in poor] == [("harbourside-2019", "Care leavers")]
    assert opened.judgement(poor[0]["judgement_id"])["grade"] == 4
    assert len(opened.judgements(title="care", local_authority="eastvale")) == 2
    vocab = opened.vocabulary()
    assert vocab["local_authorities"] == ["Eastvale", "Harbourside", "Millbrook"]
    assert vocab["years"] == [2012, 2019, 2023]
    assert "Care leavers" in vocab["sections"] and "Main findings" in vocab["parts"]


def test_embedder_is_the_manifest_model(opened: Index) -> None:
    model = opened.embedder
    assert model.name == opened.manifest["model"] and model.dimension == opened.manifest["dimension"]
    assert model.fingerprint == opened.manifest["model_fingerprint"]
    assert opened.embedder is model  # loaded once


def test_vectors_are_the_stored_normalised_embeddings(opened: Index) -> None:
    ids = opened.ids_where(report_ids=["eastvale-2023"])
    vecs = opened.vectors(ids)
    assert vecs.shape == (len(ids), opened.manifest["dimension"])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    with pytest.raises(NotFoundError):
        opened.vectors([10_000])


def test_missing_records_raise_not_found(opened: Index) -> None:
    for call in (lambda: opened.report("nope"), lambda: opened.paragraph("eastvale-2023", 99),
                 lambda: opened.judgement(12345)):  # fmt: skip
        with pytest.raises(NotFoundError):
            call()


def test_missing_index_names_the_directory(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match=str(tmp_path / "none")):
        Index.open(tmp_path / "none")


def test_model_mismatch_names_both_models(small_index: Path, embedder) -> None:
    with pytest.raises(IndexMismatchError) as err:
        Index.open(small_index, model="another-model")
    text = str(err.value)
    assert embedder.name in text and "another-model" in text and "evsearch index" in text


def test_schema_version_mismatch(small_index: Path) -> None:
    gen = small_index / (small_index / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["schema_version"] = SCHEMA_VERSION + 1
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="schema version"):
        Index.open(small_index)


def test_replacing_and_deleting_reports(small_index: Path, embedder) -> None:
    before = Index.open(small_index)
    old_ids = set(before.ids_where(report_ids=["eastvale-2023"]).tolist())
    write_reports(small_index, [make_report("eastvale-2023", extra=" Revised wording.")], embedder,
                  delete=("millbrook-2012",))  # fmt: skip
    after = Index.open(small_index)
    new_ids = set(after.ids_where(report_ids=["eastvale-2023"]).tolist())
    assert new_ids and not (new_ids & old_ids)
    assert all(r["text"].endswith("Revised wording.") for r in after.paragraphs(sorted(new_ids)))
    assert [r["report_id"] for r in after.reports()] == ["eastvale-2023", "harbourside-2019"]
    stats = after.stats()
    assert stats["paragraphs"] == stats["vectors"] == stats["fts_rows"] == 10
    assert after.search_bm25('"referrals"', 5) == []
    # the reader opened before the write still sees its own generation
    assert before.paragraph_count == 15 and before.report("millbrook-2012")
    before.close()
    after.close()


def test_threads_share_one_index(opened: Index, embedder) -> None:
    from concurrent.futures import ThreadPoolExecutor

    query = embedder.encode_query("caseloads and workforce")
    expected = (opened.search_dense(query, 3), opened.search_bm25('"children"', 3))

    def work(_: int):
        return opened.search_dense(query, 3), opened.search_bm25('"children"', 3)

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(result == expected for result in pool.map(work, range(40)))


def test_embedder_with_other_weights_is_refused(small_index: Path) -> None:
    gen = small_index / (small_index / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["model_fingerprint"] = "0000000000000000"
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with Index.open(small_index) as index:
        with pytest.raises(IndexMismatchError, match="weights"):
            index.embedder
