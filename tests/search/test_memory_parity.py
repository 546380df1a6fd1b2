"""The Engine answers the same with its in-memory structures as with SQLite FTS5 + FAISS."""

from __future__ import annotations

import pytest

from evsearch.search.engine import Engine

QUERIES = [
    ("children in care council", {}),
    ("health assessments", {"grade": "adequate"}),
    ("leadership", {"section": "leadership"}),
    ("care leavers accommodation", {"theme": "care leavers"}),
    ("social workers supervision", {}),
    ('"unbalanced NEAR(x) -minus', {}),
]


@pytest.fixture(scope="module")
def plain_engine(fixture_index, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("EVSEARCH_MEMORY_INDEXES", "0")
    with Engine(fixture_index) as engine:
        assert engine.index.keyword.kind == "fts5"
        yield engine
    mp.undo()


@pytest.mark.parametrize(("query", "options"), QUERIES)
def test_same_hits_with_and_without_memory_indexes(fixture_engine, plain_engine, query, options):
    assert fixture_engine.index.keyword.kind == "bm25-segments"
    fast = fixture_engine.search(query, k=10, **options)
    plain = plain_engine.search(query, k=10, **options)
    assert [(h.report_id, h.seq) for h in fast.hits] == [(h.report_id, h.seq) for h in plain.hits]
    assert [h.score for h in fast.hits] == pytest.approx([h.score for h in plain.hits], rel=1e-5)
    assert [h.highlights for h in fast.hits] == [h.highlights for h in plain.hits]
    assert fast.total == plain.total
