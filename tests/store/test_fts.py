"""The keyword query (search/keywords.py) turns any user text into a MATCH expression the store accepts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from evsearch.search.keywords import keyword_query
from evsearch.store import Index

NASTY = ['"', "*", "NEAR(", "-", ":", "(", ")", "^", "AND", "OR", "NOT", "text:", "'", "\\", "{", "}", "+"]


def test_keyword_query_quotes_every_term() -> None:
    assert keyword_query('carers NEAR(safe) -"plan*": OR', frozenset()) == '"carers" OR "near" OR "safe" OR "plan" OR "or"'
    assert keyword_query("  ;;  ", frozenset()) == ""
    assert keyword_query("Café café", frozenset()) == '"café"'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(NASTY)), max_size=8).map(" ".join))
def test_escaped_user_text_never_raises(opened: Index, text: str) -> None:
    hits = opened.search_bm25(keyword_query(text, frozenset()), 5)
    assert isinstance(hits, list) and len(hits) <= 5
