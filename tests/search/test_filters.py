"""The filter table agrees with everything built from it (store columns, SQL, facets, soft filters)."""

from __future__ import annotations

import pytest

from evsearch.errors import InputError, UnknownGradeError
from evsearch.search.facets import FACETS as FACET_OBJECTS
from evsearch.search.filters import ALIASES, FACETS, FIELDS, GROUP_BY, SearchRequest
from evsearch.search.plan import SOFT
from evsearch.store import schema
from evsearch.store.filters import COLUMNS


def test_every_field_names_a_store_column_with_sql_mask_and_milvus():
    assert {f.column for f in FIELDS.values() if f.column} <= set(COLUMNS)
    assert set(COLUMNS) == set(schema.PARAGRAPH_FILTERS)


def test_facets_soft_filters_and_groups_come_from_the_table():
    assert tuple(FACET_OBJECTS) == FACETS == ("grade", "la", "year", "framework")
    assert set(SOFT) == {name for name, f in FIELDS.items() if f.soft}
    assert set(GROUP_BY) <= set(FIELDS)


def test_an_alias_means_one_field_only():
    names = [n for f in FIELDS.values() for n in (f.name, *f.aliases)]
    assert len(names) == len(set(names)) == len(ALIASES)


def test_values_are_parsed_once_by_their_field():
    request = SearchRequest.of("x", grade=["Inadequate", "1", "inadequate"], year="2019", framework="ILACS", kind="Summary")
    assert request.filters == {"grade": (4, 1), "year": (2019,), "framework": ("ilacs",), "kind": ("summary",)}
    assert SearchRequest.of("x", la="", year=None, section="  ").filters == {}
    with pytest.raises(UnknownGradeError):
        SearchRequest.of("x", grade="superb")
    with pytest.raises(InputError, match="year"):
        SearchRequest.of("x", year="1066")
    with pytest.raises(InputError, match="theme takes one value"):
        SearchRequest.of("x", theme=["health", "adoption"])
    with pytest.raises(InputError, match="kind must be one of"):
        SearchRequest.of("x", kind="poem")
