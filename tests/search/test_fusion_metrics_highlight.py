"""Pure ranking pieces: fusion, keyword-query safety, highlights, metrics."""

from __future__ import annotations

import math

import pytest

from evsearch.errors import InputError
from evsearch.search import evaluate, fusion, highlight
from evsearch.search.retrieve import Topic, keyword_query, quote
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
        fusion.fuse([], [], method="nope")


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
    assert highlight.select(text, "zebra", split=_split) == ["The weather was mild."]
    assert highlight.select("", "x", split=_split) == []


def test_metrics_known_values():
    rels = {("r", 1): 2, ("r", 2): 1}
    perfect = [("r", 1), ("r", 2)]
    assert evaluate.ndcg_at(perfect, rels) == pytest.approx(1.0)
    swapped = [("r", 2), ("r", 1)]
    expected = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert evaluate.ndcg_at(swapped, rels) == pytest.approx(expected)
    assert evaluate.mrr_at([("r", 9), ("r", 2)], rels) == 0.5
    assert evaluate.recall_at([("r", 1)], rels) == 0.5
    assert evaluate.mrr_at([("x", 1)], rels) == 0.0


def test_load_qrels_errors(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("qid\tquery\n1\tx\n")
    with pytest.raises(InputError, match="missing column"):
        evaluate.load_qrels(bad)
    with pytest.raises(InputError, match="no such"):
        evaluate.load_qrels(tmp_path / "none.tsv")
    good = tmp_path / "q.tsv"
    good.write_text("qid\tquery\treport\tnumber\trel\nq1\tfoo\tr\t3\t2\nq1\tfoo\tr\t4\t1\n")
    qs = evaluate.load_qrels(good)
    assert qs.queries == {"q1": "foo"} and qs.qrels["q1"][("r", 3)] == 2
    result = evaluate.evaluate(qs, lambda text, _judged: [("r", 3)])
    assert result["overall"]["mrr@10"] == 1.0 and result["overall"]["recall@10"] == 0.5


def test_acronym_mining_and_expansion():
    from evsearch.search.acronyms import Acronyms, learn

    texts = ["Partners attend the Multi-Agency Risk Assessment Conference (MARAC) weekly.",
             "The Independent Reviewing Officers (IROs) chair reviews.",
             "A note (see page 4) and a Big Word (BW) here."] + ["filler text about the weather"] * 20
    table, common = learn(texts)
    assert table["MARAC"] == "multi-agency risk assessment conference"
    assert table["IRO"] == "independent reviewing officers"
    assert "BW" in table and "the" in common and "marac" not in common
    acr = Acronyms(table)
    assert acr.expansions("risk assessment conferences held by multi agency partners") == []
    assert acr.expansions("a multi-agency risk assessment conference") == ["marac"]
    assert acr.expansions("IRO caseloads") == ["independent reviewing officers"]


def test_report_names_match_qrels_by_file_stem():
    reports = [{"report_id": "seed--east-x", "path": "/c/seed/east-x.txt"}, {"report_id": "other", "path": "/c/o.pdf"}]
    assert evaluate.report_names(reports, {"east-x"}) == {"seed--east-x": "east-x", "other": "other"}
    assert evaluate.report_names(reports, {"seed--east-x"})["seed--east-x"] == "seed--east-x"
