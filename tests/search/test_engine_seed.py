"""Acceptance on the real seed report: the structured cases, filters, pagination, quality."""

from __future__ import annotations

import pytest

from evsearch.search.evaluate import Found, evaluate, load_qrels
from search_helpers import QUERIES_DIR, SEED_ID, numbers, require

pytestmark = pytest.mark.corpus

HEALTH_ADEQUATE = set(range(33, 53)) | set(range(71, 80))


def test_health_adequate_grade(seed_engine):
    r = seed_engine.search("evidence for health adequate grade", k=29)
    assert r.parsed["grade"] == 3 and r.parsed["theme"] == "health" and r.parsed["relaxed"] == []
    # the learned ranker (no focus mode: a section no longer leads whatever its text says) still
    # fills the page from both health sections
    assert set(numbers(r)[:20]) <= HEALTH_ADEQUATE
    assert len(set(numbers(r)) & HEALTH_ADEQUATE) >= 27
    assert all(h.grade == 3 for h in r.hits)  # nothing graded otherwise


def test_outstanding_alone(seed_engine):
    r = seed_engine.search("outstanding", k=20)
    assert r.hits and all(h.grade == 1 for h in r.hits)
    assert len(r.hits) == r.total  # every grade-1 paragraph, in report order
    assert [h.seq for h in r.hits] == sorted(h.seq for h in r.hits)
    # a page larger than the grade-1 paragraphs: the inferred grade is relaxed, they come first
    wider = seed_engine.search("outstanding", k=30)
    assert wider.parsed["relaxed"] == ["grade"] and len(wider.hits) == 30
    assert {h.seq for h in wider.hits[: r.total]} == {h.seq for h in r.hits}
    assert all(h.grade != 1 for h in wider.hits[r.total :])


def test_structured_query_parses_everything(seed_engine):
    r = seed_engine.search("what supports the outstanding leadership grade in Darlington 2026")
    p = r.parsed
    assert (p["la"], p["year"], p["grade"], p["theme"], p["text"]) == ("Darlington", 2026, 1, "leadership", "leadership")
    # the authority and year were read from the text: relaxed (the index has neither), never empty
    assert p["relaxed"] == ["la", "year"] and p["filters"] == ["grade"]
    assert r.hits and all(h.grade == 1 for h in r.hits) and any("no reports for Darlington" in n for n in r.notes)
    here = seed_engine.search("what supports the outstanding leadership grade in East Sussex")
    assert here.hits and all(h.grade == 1 for h in here.hits) and here.parsed["relaxed"] == []


def test_implied_filter_never_empties_a_query(seed_engine):
    # the seed has no inadequate grade: the grade read from the text is relaxed, the rest ranks
    r = seed_engine.search("serious case reviews initially judged inadequate", k=5)
    assert r.parsed["grade"] == 4 and r.parsed["relaxed"] == ["grade"] and len(r.hits) == 5
    # the relaxed grade word does not rank (Tuning.relaxed_grade_word): the topic does
    assert r.parsed["ranking_text"] == "serious case reviews initially"
    assert any("serious case review" in h.text.lower() for h in r.hits[:3])
    assert any("no paragraphs are graded inadequate" in n for n in r.notes)


def test_filters_return_k(seed_engine):
    for grade, k in ((1, 20), (2, 50), (3, 30)):
        r = seed_engine.search("support for children", k=k, grade=grade)
        assert len(r.hits) == min(k, r.total) == k
        assert all(h.grade == grade for h in r.hits)


def test_pagination_has_no_overlap(seed_engine):
    pages = [numbers(seed_engine.search("care leavers accommodation", k=10, offset=o)) for o in (0, 10, 20)]
    flat = [n for page in pages for n in page]
    assert len(flat) == 30 and len(set(flat)) == 30
    assert numbers(seed_engine.search("care leavers accommodation", k=30)) == flat


def test_recommendation_bullets_cite_their_paragraph(seed_engine):
    r = seed_engine.search("participation in the county-wide MAPPA", k=5)
    bullet = next(h for h in r.hits if h.kind == "recommendation")
    assert bullet.number == 20 and bullet.number_inferred and bullet.timeframe


def test_judgement_evidence_on_seed(seed_engine):
    r = seed_engine.evidence_for_judgement(SEED_ID, "Being healthy", k=12)
    assert set(numbers(r)[:9]) == set(range(71, 80))
    eq = [j for j in seed_engine.report(SEED_ID)["judgements"] if j["title"] == "Equality and diversity"]
    r = seed_engine.evidence_for_judgement(SEED_ID, eq[0]["judgement_id"], k=5)
    assert r.hits and any("equality and diversity" in h.text.lower() for h in r.hits[:3])


def test_dev_quality_thresholds(seed_engine):
    require(QUERIES_DIR / "seed-dev.tsv")
    qs = load_qrels(QUERIES_DIR / "seed-dev.tsv")
    result = evaluate(qs, lambda text, _judged: [Found.of_hit(h) for h in seed_engine.search(text, k=10).hits])
    overall = result["overall"]
    # a floor against real regressions, below today's figure (0.920 / 0.955 with the ranker of 6 Dec,
    # re-pooled qrels): one query trading two places moves 11 queries' mean by ~0.005
    assert overall["ndcg@10"] >= 0.91, result
    assert overall["mrr@10"] >= 0.95, result
