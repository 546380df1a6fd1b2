"""Dense Rocchio feedback on a real index: the moved query, and the engine's switch for it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from evsearch.search.feedback import rocchio
from evsearch.search.tuning import Tuning


def test_rocchio_moves_the_query_to_the_normalised_mix_of_it_and_its_top_hits(fixture_engine):
    index = fixture_engine.index
    query = index.embedder.encode_query("support for foster carers")
    ranked = index.search_dense(query, 5)
    moved = rocchio(index, query, ranked, docs=3, beta=0.3)
    expected = query + 0.3 * index.vectors([pid for pid, _ in ranked[:3]]).mean(axis=0)
    assert np.allclose(moved, expected / np.linalg.norm(expected), atol=1e-6)
    assert abs(float(np.linalg.norm(moved)) - 1.0) < 1e-5
    # closer to its top hits than the typed query was, but still near the query
    top = index.vectors([ranked[0][0]])[0]
    assert float(moved @ top) > float(query @ top)
    assert float(moved @ query) > 0.9
    # nothing to learn from: the query as it was
    assert rocchio(index, query, [], docs=3, beta=0.3) is query
    assert rocchio(index, query, ranked, docs=3, beta=0.0) is query


def test_the_engine_searches_with_feedback_by_default_and_without_when_switched_off(fixture_engine):
    assert Tuning().feedback_docs > 0 and Tuning().feedback_beta > 0
    saved = fixture_engine.tuning
    try:
        with_fb = fixture_engine.search("support for foster carers", k=10)
        fixture_engine.tuning = replace(saved, feedback_docs=0)
        without = fixture_engine.search("support for foster carers", k=10)
    finally:
        fixture_engine.tuning = saved
    assert with_fb.hits and without.hits
    # the same candidates are found; feedback only re-scores the dense side
    assert {h.id for h in with_fb.hits[:3]} & {h.id for h in without.hits[:3]}
    assert [h.score for h in with_fb.hits] != [h.score for h in without.hits]
