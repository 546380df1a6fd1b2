"""One suite for every store backend: each must answer the read API the same way.

Parametrised over the presets (FAISS with its in-memory readers, FAISS read
plainly through SQLite FTS5 and the flat scan, Milvus Lite), each on a real
index of the same invented reports built by the real writer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from evsearch.store import Index
from store_helpers import TOPICS, make_report, write_reports

BACKENDS = ["faiss", "faiss-plain", "milvus"]


@pytest.fixture(scope="session")
def _milvus_template(tmp_path_factory, embedder) -> Path:
    index_dir = tmp_path_factory.mktemp("milvus-template") / "idx"
    write_reports(index_dir, [make_report(r) for r in TOPICS], embedder, backend="milvus")
    return index_dir


@pytest.fixture(params=BACKENDS)
def index(request, tmp_path: Path, _small_index_template: Path, monkeypatch: pytest.MonkeyPatch):
    template = request.getfixturevalue("_milvus_template") if request.param == "milvus" else _small_index_template
    index_dir = tmp_path / f"idx-{request.param}"
    shutil.copytree(template, index_dir)
    if request.param == "faiss-plain":
        monkeypatch.setenv("EVSEARCH_MEMORY_INDEXES", "0")
    opened = Index.open(index_dir)
    yield opened
    opened.close()


@pytest.fixture()
def reference(small_index: Path):
    """The plain FAISS/SQLite answers every backend is held to."""
    opened = Index.open(small_index)
    yield opened
    opened.close()


def test_manifest_names_the_backend(index: Index) -> None:
    preset = index.manifest["backend"]
    assert preset in ("faiss", "milvus")
    assert index.stats()["backend"] == preset
    assert index.stats()["paragraphs"] == index.stats()["vectors"] == sum(len(t[4]) for t in TOPICS.values())


def test_dense_finds_each_paragraph_from_its_own_vector(index: Index, reference: Index) -> None:
    ids = reference.dense.ids()
    vectors = reference.vectors(ids)
    for pid, vector in zip(ids[::2], vectors[::2]):
        hits = index.search_dense(vector, 3)
        assert hits[0][0] == pid and hits[0][1] == pytest.approx(1.0, abs=1e-4)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert np.allclose(index.vectors(ids[:3]), vectors[:3], atol=1e-6)


@pytest.mark.parametrize(
    "filters",
    [{"grades": [2]}, {"local_authorities": ["harbourside"], "grades": [3]}, {"years": [2012]},
     {"sections": ["care"]}, {"report_ids": ["eastvale-2023"]}, {"parts": ["MAIN"]}, {"frameworks": ["SLAC"]}],
)  # fmt: skip
def test_filters_apply_inside_dense_and_keyword_retrieval(index: Index, reference: Index, filters: dict) -> None:
    ids = index.ids_where(**filters)
    assert np.array_equal(ids, reference.ids_where(**filters)) and len(ids) > 0
    allowed = set(ids.tolist())
    query = reference.vectors(ids[:1])[0]
    dense = index.search_dense(query, 50, candidate_ids=ids)
    assert {pid for pid, _ in dense} == allowed  # every candidate, and nothing else
    expected = reference.search_dense(query, 50, candidate_ids=ids)
    assert [pid for pid, _ in dense] == [pid for pid, _ in expected]
    assert [s for _, s in dense] == pytest.approx([s for _, s in expected], abs=1e-5)
    keyword = index.search_bm25('"children" OR "care" OR "leaders"', 50, candidate_ids=ids)
    assert keyword and {pid for pid, _ in keyword} <= allowed


def test_keyword_ranks_the_paragraph_holding_a_rare_word_first(index: Index) -> None:
    hits = index.search_bm25('"apprenticeships"', 5)
    assert len(hits) == 1
    assert index.paragraphs([hits[0][0]])[0]["report_id"] == "eastvale-2023" and hits[0][1] > 0
    assert index.search_bm25('"zebra"', 5) == []
    assert index.search_bm25('"carers"', 5, candidate_ids=np.zeros(0, dtype=np.int64)) == []


def test_records_are_the_same_for_every_backend(index: Index, reference: Index) -> None:
    ids = reference.dense.ids()[::3].tolist()
    assert index.paragraphs(ids) == reference.paragraphs(ids)
    built_at = {"indexed_at"}  # each template index was built at its own moment
    report, expected = index.report("millbrook-2012"), reference.report("millbrook-2012")
    assert {k: v for k, v in report.items() if k not in built_at} == {
        k: v for k, v in expected.items() if k not in built_at
    }
    assert index.vocabulary() == reference.vocabulary()
    assert index.lexicon() == reference.lexicon()


def test_a_second_process_on_a_milvus_lite_index_gets_a_clear_error(_milvus_template: Path, tmp_path: Path) -> None:
    """Milvus Lite lets one process open a file: the second is told why and what to do instead."""
    import subprocess
    import sys

    index_dir = tmp_path / "held"
    shutil.copytree(_milvus_template, index_dir)
    script = (
        "import sys\nfrom evsearch.errors import IndexBusyError\nfrom evsearch.store import Index\n"
        "try:\n    Index.open(sys.argv[1])\nexcept IndexBusyError as exc:\n    print(exc.to_dict())\n    sys.exit(3)\n"
    )
    with Index.open(index_dir) as held:
        assert held.search_bm25('"apprenticeships"', 1)
        other = subprocess.run([sys.executable, "-c", script, str(index_dir)], capture_output=True, text=True,
                               timeout=300)  # fmt: skip
    assert other.returncode == 3, other.stderr[-2000:]
    assert "one process per file" in other.stdout and "--milvus-uri" in other.stdout
    with Index.open(index_dir) as again:  # released by the first: this process may open it again
        assert len(again.search_dense(again.vectors(again.dense.ids()[:1])[0], 2)) == 2
