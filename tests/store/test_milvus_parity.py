"""Milvus parity: the same engine over a Milvus-backed index gives the FAISS backend's top-10.

Both indexes are built by the real indexer from our own fixture reports
(tests/search/data, tests/api/data, tests/fixtures/index); the queries are made up for this test.
Dense retrieval is exact in both (FAISS flat, Milvus FLAT), filters are the
same sets; only BM25 differs (Milvus's analyzer has no stemming), so the fused
top-10 must agree on at least 90% of the queries.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evsearch.search.engine import Engine

TESTS = Path(__file__).resolve().parents[1]
SOURCES = [
    TESTS / "search" / "data" / "fernhollow-2021-fixture-report.txt",
    TESTS / "api" / "data" / "northmoor-2019-fixture-report.txt",
    *sorted((TESTS / "fixtures" / "index").glob("*.txt")),
]
QUERIES = [
    ("how quickly do social workers see children after a referral", {}),
    ("stability of foster placements", {}),
    ("care leavers living in unsuitable accommodation", {}),
    ("what leaders learn from audits", {}),
    ("health assessments for looked after children", {}),
    ("domestic abuse information sharing between agencies", {}),
    ("children missing from education", {}),
    ("independent reviewing officers", {}),
    ("workforce turnover and caseloads", {"grade": "good"}),
    ("young people's views shape services", {}),
    ("multi-agency safeguarding hub", {}),
    ("education of children in care", {}),
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory):
    from evsearch.indexer.build import build_index
    from evsearch.indexer.options import BuildOptions

    src = tmp_path_factory.mktemp("parity-src")
    for path in SOURCES:
        shutil.copy(path, src / path.name)
    opened = {}
    for backend in ("faiss", "milvus"):
        out = tmp_path_factory.mktemp(f"parity-{backend}") / "index"
        result = build_index([src], out, BuildOptions.from_settings(backend=backend))
        assert not result.failed and result.indexed == len(SOURCES)
        opened[backend] = Engine(out)
    yield opened
    for engine in opened.values():
        engine.close()


def _top(engine: Engine, query: str, options: dict) -> list[tuple[str, int]]:
    return [(h.report_id, h.seq) for h in engine.search(query, k=10, **options).hits]


def test_milvus_index_reads_its_backend_from_the_manifest(engines) -> None:
    stats = engines["milvus"].index.stats()
    assert (stats["backend"], stats["ann"], stats["keyword"]) == ("milvus", "milvus", "milvus")
    assert stats["paragraphs"] == engines["faiss"].index.stats()["paragraphs"] > 40


def test_same_top_10_for_nine_queries_in_ten(engines) -> None:
    same = 0
    for query, options in QUERIES:
        faiss_top, milvus_top = _top(engines["faiss"], query, options), _top(engines["milvus"], query, options)
        assert len(faiss_top) == len(milvus_top) == 10, query
        same += faiss_top == milvus_top
    assert same / len(QUERIES) >= 0.9, f"{same} of {len(QUERIES)} queries had the same top-10"


def test_filters_apply_inside_milvus_retrieval(engines) -> None:
    for grade in ("good", "inadequate"):
        hits = engines["milvus"].search("support for families", k=10, grade=grade).hits
        expected = engines["faiss"].search("support for families", k=10, grade=grade).hits
        assert hits and {h.grade for h in hits} == {h.grade for h in expected} and len({h.grade for h in hits}) == 1
