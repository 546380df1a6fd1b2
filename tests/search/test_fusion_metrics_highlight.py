"""Pure ranking pieces: fusion, keyword-query safety, highlights (metrics: test_evaluate.py)."""

from __future__ import annotations

import pytest

from evsearch.models.words import stem
from evsearch.search import fusion, highlight
from evsearch.search.keywords import keyword_query, quote
from evsearch.search.plan import Topic
from evsearch.search.themes import get_theme, load_themes

STOP = frozenset({"the", "for", "and", "of", "a"})


def test_rrf_rewards_agreement():
    fused = fusion.rrf([[(1, 0.9), (2, 0.8)], [(2, 5.0), (3, 4.0)]], k=60)
    assert max(fused, key=fused.get) == 2
    assert fused[1] == pytest.approx(1 / 61)


def test_convex_scales_bm25_by_its_best():
    fused = fusion.convex([(1, 0.8), (2, 0.4)], [(2, 10.0), (3, 5.0)], alpha=0.5)
    assert fused[2] == pytest.approx(0.5 * 0.4 + 0.5 * 1.0)
    assert fused[3] == pytest.approx(0.25)
    assert fused[1] == pytest.approx(0.4)
    with pytest.raises(ValueError):
        fusion.fuse_scores([], [], method="nope")


def test_keyword_query_quotes_everything():
    q = keyword_query('MAPPA "participation" NEAR(x) -staff col:umn', STOP, bigrams=True)
    assert '"mappa"' in q and '"near"' in q and '"mappa participation"' in q
    # every clause is a quoted string joined by OR
    for clause in q.split(" OR "):
        assert clause.startswith('"') and clause.endswith('"')
    assert quote('say "hi"') == '"say ""hi"""'
    assert keyword_query("the for", STOP) == ""
    # words in most paragraphs are dropped, unless nothing else is left
    assert keyword_query("children placements", STOP, common={"children"}) == '"placements"'
    assert keyword_query("children", STOP, common={"children"}) == '"children"'


def test_keyword_query_keeps_shortage_words_as_phrases():
    # "not"/"too"/"no" alone match half the corpus: they count only with the word they qualify
    q = keyword_query("not enough foster carers, too few visits", STOP).split(" OR ")
    assert {'"not enough"', '"too few"', '"enough"', '"few"', '"foster"'} <= set(q)
    assert '"not"' not in q and '"too"' not in q


def test_themes_load_and_cover_sections():
    names = [t.name for t in load_themes()]
    for expected in ("health", "care leavers", "leadership", "education", "help and protection",
                     "children in care", "adoption", "fostering", "safeguarding", "young carers"):
        assert expected in names
    assert get_theme("health").covers_section("Being healthy")
    assert not get_theme("health").covers_section("Leadership and management")
    topic = Topic(sections=["Quality of provision"], themes=[get_theme("health")])
    assert topic.match("Quality of provision") == 2
    assert topic.match("The contribution of health agencies") == 1
    assert topic.match("Staying safe") == 0


def _split(text: str) -> list[str]:
    return [s.strip() + "." for s in text.split(".") if s.strip()]


def test_highlight_picks_supporting_sentence():
    text = ("The weather was mild. Foster carers praised the training they received. "
            "Budgets were tight. Carers also valued support groups.")
    got = highlight.select(text, "foster carers training", split=_split)
    assert got[0] == "Foster carers praised the training they received."
    assert "The weather was mild." not in got
    assert highlight.select(text, "zebra", split=_split) == []  # nothing carries the query: nothing marked
    assert highlight.select("", "x", split=_split) == []


def test_highlight_marks_at_most_two_sentences_that_carry_the_query():
    text = ("Carers get training. Foster carers praised the training they received. "
            "Children in care were seen. Foster carers valued training from the council.")
    got = highlight.select(text, "foster carers training")
    assert got == ["Foster carers praised the training they received.",
                   "Foster carers valued training from the council."]
    # words in most paragraphs ("children") do not make a sentence carry the query
    ignore = frozenset({stem("children")})
    assert highlight.select(text, "children council", ignore=ignore) == ["Foster carers valued training from the council."]


def test_acronym_mining_and_expansion():
    from evsearch.search.acronyms import Acronyms
    from evsearch.store.lexicon import learn

    texts = ["Partners attend the Multi-Agency Risk Assessment Conference (MARAC) weekly.",
             "The Independent Reviewing Officers (IROs) chair reviews.",
             "A note (see page 4) and a Big Word (BW) here."] + ["filler text about the weather"] * 20
    learned = learn(texts)
    table, common = learned["acronyms"], learned["common"]
    assert table["MARAC"] == "multi-agency risk assessment conference"
    assert table["IRO"] == "independent reviewing officers"
    assert "BW" in table and "the" in common and "marac" not in common
    acr = Acronyms(table)
    assert acr.expansions("risk assessment conferences held by multi agency partners") == []
    assert acr.expansions("a multi-agency risk assessment conference") == ["marac"]
    assert acr.expansions("IRO caseloads") == ["independent reviewing officers"]
