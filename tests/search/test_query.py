"""Query understanding: filters read from text, the grade-word rule, explicit overrides."""

from __future__ import annotations

import pytest

from evsearch.errors import InputError, UnknownGradeError
from evsearch.search.filters import SearchRequest
from evsearch.search.query import QueryParser, Vocabulary, apply_options

VOCAB = Vocabulary(
    local_authorities=["Darlington", "East Sussex", "Reading", "Kingston upon Thames"],
    years=[2010, 2011, 2019, 2026],
    sections=["Leadership and management", "Being healthy", "Quality of provision",
              "How good are outcomes for looked after children and care leavers?"],
    judgements=["Equality and diversity"],
)


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    return QueryParser(VOCAB)


def test_structured_judgement_query(parser):
    p = parser.parse("what supports the outstanding leadership grade in Darlington 2026")
    assert (p.grade, p.la, p.year) == (1, "Darlington", 2026)
    assert p.theme == "leadership"
    assert p.text == "leadership"
    assert p.focus


def test_health_adequate_grade(parser):
    p = parser.parse("evidence for health adequate grade")
    assert p.grade == 3 and p.theme == "health" and p.text == "health" and p.focus


def test_grade_alone_is_a_filter(parser):
    p = parser.parse("outstanding")
    assert p.grade == 1 and p.text == ""


def test_grade_number(parser):
    assert parser.parse("grade 4 help and protection").grade == 4
    assert parser.parse("Grade 2").grade == 2


def test_good_as_description_stays_text(parser):
    p = parser.parse("good support for care leavers")
    assert p.grade is None
    assert p.text == "good support for care leavers"
    assert "care leavers" in p.themes
    assert any("not a grade filter" in n for n in p.notes)


def test_grade_next_to_section_title_is_a_filter(parser):
    p = parser.parse("outstanding leadership and management in east sussex")
    assert p.grade == 1 and p.la == "East Sussex" and p.section == "Leadership and management"


def test_grade_word_inside_section_title_is_not_a_grade(parser):
    p = parser.parse("How good are outcomes for looked after children and care leavers?")
    assert p.grade is None
    assert p.section.startswith("How good are outcomes")


def test_wordy_authority_needs_capital(parser):
    p = parser.parse("reading age of children")
    assert p.la is None and "reading" in p.text
    assert parser.parse("children in care in Reading").la == "Reading"


def test_years_and_authorities_beyond_the_index(parser):
    p = parser.parse("inadequate 1999")  # not a plausible inspection year: stays text
    assert p.year is None and p.grade == 4 and p.text == "1999"
    p = parser.parse("care leavers in Wiltshire 2024")  # known authority and year, not in VOCAB
    assert (p.la, p.year, p.text) == ("Wiltshire", 2024, "care leavers")


def test_fts_syntax_is_plain_text(parser):
    p = parser.parse('foo "bar NEAR( -x:y *')
    assert p.grade is None and p.la is None and "NEAR" in p.text


def test_explicit_options_override(parser):
    given = SearchRequest.of("x", grade="inadequate", la="kingston upon thames", year="2019", theme="camhs").filters
    p = apply_options(parser.parse("outstanding leadership grade in Darlington"), given, vocabulary=VOCAB)
    assert (p.grade, p.la, p.year, p.theme) == (4, "Kingston upon Thames", 2019, "mental health")
    assert p.source["grade"] == "option"
    assert any("overridden" in n for n in p.notes)


def test_bad_options(parser):
    with pytest.raises(UnknownGradeError) as err:
        SearchRequest.of("x", grade="excellent")
    assert "outstanding" in str(err.value)
    with pytest.raises(InputError, match="unknown theme"):
        SearchRequest.of("x", theme="astrology")
    with pytest.raises(InputError, match="year"):
        SearchRequest.of("x", year="last year")
    with pytest.raises(InputError, match="unknown filter 'colour'"):
        SearchRequest.of("x", colour="red")


def test_aliases_and_lists_reach_one_field():
    request = SearchRequest.of("x", local_authority="Leeds", authority=["Bradford", "Leeds"], inspection_year=[2018, "2022"])
    assert request.filters == {"la": ("Leeds", "Bradford"), "year": (2018, 2022)}
    assert SearchRequest.of("x", group_by="authority").group_by == "la"
    with pytest.raises(InputError, match="group_by"):
        SearchRequest.of("x", group_by="colour")


def test_every_year_and_authority_named_is_kept(parser):
    p = parser.parse("compare help and protection in Darlington and East Sussex 2018 and 2022")
    assert p.filters["year"] == [2018, 2022]
    assert p.filters["la"] == ["Darlington", "East Sussex"]
    assert p.source["year"] == p.source["la"] == "query"


def test_authorities_are_read_by_the_register_rules(parser):
    # The matching rules themselves are tested in tests/vocab/test_authority_matching.py; here, that the
    # parser uses them: council-style affixes leave the ranking text, and each name is the register's.
    p = parser.parse("neglect in the City of Bristol and Kent County Council 2021")
    assert (p.filters["la"], p.year, p.text) == (["Bristol", "Kent"], 2021, "neglect")
    assert parser.parse("Brighton & Hove care leavers").la == "Brighton and Hove"
    assert parser.parse("children in London").la is None  # a region, not the City of London
    own = QueryParser(Vocabulary(local_authorities=["Darlington", "Eastvale Borough Council"]))  # one unresolved
    p = own.parse("neglect in Eastvale and Darlington")
    assert (p.filters["la"], p.text) == (["Eastvale Borough Council", "Darlington"], "neglect")
