"""fts_escape turns any user text into a MATCH expression that SQLite accepts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from evsearch.store import Index, fts_escape

NASTY = ['"', "*", "NEAR(", "-", ":", "(", ")", "^", "AND", "OR", "NOT", "text:", "'", "\\", "{", "}", "+"]


def test_escape_quotes_every_term() -> None:
    assert fts_escape('carers NEAR(safe) -"plan*": OR') == '"carers" OR "near" OR "safe" OR "plan" OR "or"'
    assert fts_escape("  ;;  ") == ""
    assert fts_escape("Café café") == '"café"'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(NASTY)), max_size=8).map(" ".join))
def test_escaped_user_text_never_raises(opened: Index, text: str) -> None:
    hits = opened.search_bm25(fts_escape(text), 5)
    assert isinstance(hits, list) and len(hits) <= 5
