"""The Engine over a real index of our own invented report (no ../shared needed)."""

from __future__ import annotations

import pytest

from evsearch.config import MAX_K
from evsearch.errors import InputError, NotFoundError, UnknownGradeError
from search_helpers import FIXTURE_ID, numbers


def test_grade_word_alone_filters(fixture_engine):
    r = fixture_engine.search("outstanding", k=4)
    assert r.parsed["grade"] == 1 and r.parsed["text"] == "" and r.parsed["relaxed"] == []
    assert numbers(r) == [22, 23, 24, 25]  # report order when nothing is left to rank by
    assert all(h.grade == 1 for h in r.hits)
    assert any("report order" in n for n in r.notes)


def test_inferred_grade_is_relaxed_to_fill_the_page(fixture_engine):
    # four paragraphs are graded outstanding: a page of ten shows them first, then the rest
    r = fixture_engine.search("outstanding", k=10)
    assert r.parsed["relaxed"] == ["grade"] and "grade" not in r.parsed["filters"]
    assert len(r.hits) == 10 and set(numbers(r)[:4]) == {22, 23, 24, 25}
    assert all(h.grade != 1 for h in r.hits[4:])
    assert all("grade" in h.matched for h in r.hits[:4]) and not any("grade" in h.matched for h in r.hits[4:])
    assert any("only 4 paragraphs" in n for n in r.notes)


def test_relaxing_keeps_the_authority_and_drops_the_grade_first(fixture_engine):
    r = fixture_engine.search("outstanding Fernhollow", k=10)
    assert r.parsed["la"] == "Fernhollow" and r.parsed["grade"] == 1
    assert r.parsed["filters"] == ["la"] and r.parsed["relaxed"] == ["grade"]
    assert r.parsed["ranking_text"] == "outstanding" and len(r.hits) == 10


def test_implied_grade_absent_still_returns_hits(fixture_engine):
    # the fixture's health section holds no inadequate paragraph; the section option stays hard
    r = fixture_engine.search("immunisations judged inadequate", section="Being healthy", k=3)
    assert r.parsed["grade"] == 4 and r.parsed["relaxed"] == ["grade"] and r.parsed["filters"] == ["section"]
    assert len(r.hits) == 3 and all(h.section == "Being healthy" for h in r.hits)
    assert r.hits[0].number == 18  # the immunisations paragraph, ranked on the rest of the text
    assert any("no paragraphs are graded inadequate" in n for n in r.notes)
    # the same grade as an explicit option stays hard: nothing passes
    hard = fixture_engine.search("immunisations", grade="inadequate", section="Being healthy")
    assert hard.hits == [] and hard.parsed["relaxed"] == []


def test_shortage_words_stay_in_the_ranking_text(fixture_engine):
    for query in ("not enough foster carers", "too few visits", "late health assessments", "delays in adoption"):
        text = fixture_engine.search(query, k=1).parsed["text"]
        assert text == query, (query, text)


def test_health_adequate_judgement_query(fixture_engine):
    r = fixture_engine.search("evidence for health adequate grade", k=7)
    assert r.parsed["grade"] == 3 and r.parsed["theme"] == "health"
    # the learned ranker (no focus mode: a section no longer leads whatever its text says) fills
    # the page from the two health sections graded 3, the other grade-3 section (3-4) at most once
    health = {9, 10, 11, 12, 17, 18, 19}
    assert set(numbers(r)[:4]) <= health and len(set(numbers(r)) & health) >= 6
    assert all(h.grade == 3 for h in r.hits)


def test_filters_fill_k_and_paginate_without_overlap(fixture_engine):
    # nine paragraphs of the fixture are graded good; "children" is in few of them
    first = fixture_engine.search("children", k=5, grade="good")
    second = fixture_engine.search("children", k=5, offset=5, grade="good")
    assert first.total == 9
    assert len(first.hits) == 5 and len(second.hits) == 4
    assert all(h.grade == 2 for h in first.hits + second.hits)
    assert not set(numbers(first)) & set(numbers(second))
    whole = fixture_engine.search("children", k=10, grade="good")
    assert numbers(whole) == numbers(first) + numbers(second)


def test_topic_query_finds_the_paragraph(fixture_engine):
    r = fixture_engine.search("waiting lists for CAMHS therapy", k=3)
    assert r.hits[0].number == 10
    assert r.hits[0].highlights and "CAMHS" in r.hits[0].highlights[0]
    assert r.hits[0].citation.startswith("Fernhollow 2021, paragraph 10")


def test_acronym_long_form_expands(fixture_engine):
    assert "camhs" in fixture_engine.acronyms.expansions("child and adolescent mental health services")


def test_hit_shape(fixture_engine):
    body = fixture_engine.search("apprenticeships for care leavers", k=2).to_dict()
    assert set(body) >= {"query", "parsed", "hits", "notes", "k", "offset"}
    hit = body["hits"][0]
    for key in ("report_id", "number", "seq", "part", "section", "grade", "grade_label", "text",
                "highlights", "score", "section_path", "page", "kind", "citation"):
        assert key in hit
    assert hit["report_id"] == FIXTURE_ID and hit["number"] == 27
    assert 1 <= len(hit["highlights"]) <= 3 and hit["related"] == []


def test_explicit_options_override_parsed(fixture_engine):
    r = fixture_engine.search("outstanding support", grade=4, section="Quality of provision")
    assert r.parsed["grade"] == 4 and r.parsed["source"]["grade"] == "option"
    assert set(numbers(r)) == {6, 7, 8}
    assert "section" in r.parsed["filters"]


def test_theme_option_filters_by_sections(fixture_engine):
    r = fixture_engine.search("assessments", theme="health", k=20)
    assert r.hits and all("health" in h.section.lower() for h in r.hits)


def test_la_and_year_filters(fixture_engine):
    assert fixture_engine.search("children in care Fernhollow 2021").parsed["la"] == "Fernhollow"
    with pytest.raises(InputError, match="unknown local authority 'Nowhere'") as unknown:
        fixture_engine.search("children in care", la="Nowhere")
    assert unknown.value.hint == "see /authorities for the names"  # nothing close enough to offer
    with pytest.raises(InputError, match="unknown local authority 'Darlingtn'") as misspelt:
        fixture_engine.search("children in care", la="Darlingtn")
    assert misspelt.value.hint.startswith("did you mean: Darlington")
    # a register authority the index lacks, named by any alias: an empty page that says so
    empty = fixture_engine.search("children in care", la="Darlington Borough Council")
    assert empty.hits == [] and any("no reports for Darlington" in n for n in empty.notes)
    nothing = fixture_engine.search("children in care", report="no-such-report")
    assert nothing.hits == [] and any("no report 'no-such-report'" in n for n in nothing.notes)
    # an authority and a year read from the text are soft: relaxed, with a note, never empty
    elsewhere = fixture_engine.search("children in care council in Darlington 2019", k=3)
    assert elsewhere.parsed["relaxed"] == ["la", "year"] and len(elsewhere.hits) == 3
    assert any("no reports for Darlington" in n for n in elsewhere.notes)


@pytest.mark.parametrize("query", ['"unbalanced', "foster* NEAR(carers)", "-staff", "col:umn (x", "AND OR NOT", "^x"])
def test_fts_syntax_never_raises(fixture_engine, query):
    fixture_engine.search(query)


def test_bad_input(fixture_engine, monkeypatch):
    with pytest.raises(InputError, match="empty"):
        fixture_engine.search("   ")
    with pytest.raises(UnknownGradeError, match="valid grades"):
        fixture_engine.search("x", grade="brilliant")
    with pytest.raises(InputError):
        fixture_engine.search("x", k=0)
    assert len(fixture_engine.search("children", k=MAX_K).hits) >= 25  # the one k limit, from config
    with pytest.raises(InputError, match=f"between 1 and {MAX_K}"):
        fixture_engine.search("x", k=MAX_K + 1)
    with pytest.raises(InputError, match=f"between 1 and {MAX_K}"):
        fixture_engine.evidence_for_judgement(FIXTURE_ID, "Being healthy", k=MAX_K + 1)
    with pytest.raises(InputError):
        fixture_engine.search("x", offset=-1)
    with pytest.raises(InputError, match="nothing to search"):
        fixture_engine.search("?!")
    monkeypatch.setenv("EVSEARCH_MAX_QUERY_CHARS", "40")
    r = fixture_engine.search("foster carers training " * 20)
    assert len(r.query) <= 40 and any("truncated" in n for n in r.notes)


def test_judgement_evidence_graded_section_first(fixture_engine):
    report = fixture_engine.report(FIXTURE_ID)
    healthy = next(j for j in report["judgements"] if j["title"] == "Being healthy")
    r = fixture_engine.evidence_for_judgement(FIXTURE_ID, "Being healthy", k=6)
    assert numbers(r)[:3] and set(numbers(r)[:3]) == {17, 18, 19}
    assert numbers(r)[0] == 17  # the paragraph that states the judgement
    assert all("graded section" in h.matched for h in r.hits[:3])
    assert any("elsewhere in report" in h.matched for h in r.hits[3:])
    by_id = fixture_engine.evidence_for_judgement(FIXTURE_ID, healthy["judgement_id"], k=6)
    assert numbers(by_id) == numbers(r)


def test_judgement_without_section(fixture_engine):
    report = fixture_engine.report(FIXTURE_ID)
    eq = [j for j in report["judgements"] if j["title"] == "Equality and diversity"]
    assert eq and eq[0]["section"] is None
    with pytest.raises(InputError, match="judgement_id"):
        fixture_engine.evidence_for_judgement(FIXTURE_ID, "Equality and diversity")
    r = fixture_engine.evidence_for_judgement(FIXTURE_ID, eq[0]["judgement_id"], k=5)
    assert len(r.hits) == 5 and any("no section of its own" in n for n in r.notes)
    with pytest.raises(NotFoundError):
        fixture_engine.evidence_for_judgement(FIXTURE_ID, "Astronomy")
    with pytest.raises(NotFoundError):
        fixture_engine.evidence_for_judgement("no-such-report", "Being healthy")


def test_records_pass_through(fixture_engine):
    assert fixture_engine.paragraph(FIXTURE_ID, 10)["number"] == 10
    assert [r["report_id"] for r in fixture_engine.reports(la="Fernhollow")] == [FIXTURE_ID]
    assert fixture_engine.judgements(grade="outstanding")
    assert all(j["grade"] == 1 for j in fixture_engine.judgements(grade="outstanding"))
    stats = fixture_engine.stats()
    assert stats["paragraphs"] > 20 and stats["model"]
    with pytest.raises(NotFoundError):
        fixture_engine.paragraph(FIXTURE_ID, 999)


def test_deep_pages_and_page_beyond_the_end(fixture_engine):
    every = fixture_engine.search("children", k=100)
    assert len(every.hits) >= 25  # the whole fixture report is reachable
    last = fixture_engine.search("children", k=5, offset=len(every.hits) - 2)
    assert [h.number for h in last.hits] == [h.number for h in every.hits[-2:]]
    assert fixture_engine.search("children", k=5, offset=500).hits == []


def test_refresh_reopens_and_keeps_searching(fixture_index):
    from evsearch.search.engine import Engine

    with Engine(fixture_index) as engine:
        before = [h.number for h in engine.search("virtual school", k=3).hits]
        model = engine.embedder
        engine.refresh()
        assert engine.embedder is model  # same model: not loaded again
        assert [h.number for h in engine.search("virtual school", k=3).hits] == before


class _WordCounter:
    """A stand-in scorer with the CrossEncoder.predict shape (no cross-encoder ships offline)."""

    def predict(self, pairs):
        return [text.lower().count("apprenticeship") for _query, text in pairs]


def test_rerank_hook_reorders_the_head(fixture_engine):
    from evsearch.search.rerank import rerank

    ranked = [(pid, 1.0 - i / 100) for i, pid in enumerate(fixture_engine.index.ids_where(report_ids=[FIXTURE_ID]))]
    reordered = rerank(_WordCounter(), "apprenticeship", ranked, fixture_engine.index, depth=len(ranked))
    top = fixture_engine.index.paragraphs([reordered[0][0]])[0]
    assert "apprenticeship" in top["text"].lower() and len(reordered) == len(ranked)
    assert sorted(pid for pid, _ in reordered) == sorted(pid for pid, _ in ranked)


def test_vocabulary_reads_the_store_keys(fixture_engine):
    from evsearch.search.query import Vocabulary

    vocab = Vocabulary.from_index(fixture_engine.index.vocabulary())
    assert vocab.local_authorities == ["Fernhollow"] and vocab.years == [2021]
    assert "Being healthy" in vocab.sections and "Equality and diversity" in vocab.judgements


def test_understood_says_what_was_read_applied_and_relaxed(fixture_engine):
    r = fixture_engine.search("outstanding Fernhollow", k=10)
    read = {f["field"]: f for f in r.understood["filters"]}
    assert read["la"] == {"field": "la", "values": ["Fernhollow"], "text": "from Fernhollow", "source": "query",
                          "state": "applied"}  # fmt: skip
    assert read["grade"]["state"] == "relaxed" and read["grade"]["text"] == "graded outstanding"
    assert r.understood["relaxed"] == ["grade"] and r.understood["ranking_text"] == "outstanding"
    assert r.understood["summary"] == "read from your query: from Fernhollow; relaxed: graded outstanding"
    assert r.to_dict()["understood"] == r.understood


def test_search_request_is_the_one_entry_point(fixture_engine):
    from evsearch.search.filters import SearchRequest

    request = SearchRequest.of("children", 5, grade=["good"], local_authority="fernhollow")
    by_request = fixture_engine.search(request)
    assert [h.id for h in by_request.hits] == [h.id for h in fixture_engine.search("children", k=5, grade="good", la="Fernhollow").hits]
    assert by_request.understood["filters"][1]["values"] == ["Fernhollow"]  # the index's spelling
    with pytest.raises(InputError, match="inside the SearchRequest"):
        fixture_engine.search(request, k=3)


def test_group_by_grade_runs_one_search_per_grade(fixture_engine):
    r = fixture_engine.search("children", k=2, group_by="grade")
    assert r.group_by == "grade" and [g["value"] for g in r.groups] == [1, 2, 3, 4]
    for group in r.groups:
        assert all(h["grade"] == group["value"] for h in group["hits"])
    assert sum(g["total"] for g in r.groups) == r.total
    picked = fixture_engine.search("children", k=2, group_by="grade", grade=["good", "outstanding"])
    assert [g["value"] for g in picked.groups] == [1, 2]


def test_totals_are_exact_when_every_candidate_was_scored(fixture_engine):
    filtered = fixture_engine.search("children", k=3, grade="good", facets="grade,year")
    assert (filtered.total, filtered.total_is_estimate) == (9, False)
    assert filtered.facets["grade"] == [{"value": 2, "label": "2 good", "count": 9}]
    unfiltered = fixture_engine.search("children", k=3, facets="grade")
    counted = unfiltered.facets["grade"]
    assert sum(c["count"] for c in counted) == unfiltered.total
    assert [c["value"] for c in counted if c["value"] is not None] == sorted(c["value"] for c in counted if c["value"])
    # the fixture is smaller than the pool: every paragraph was scored, so the count is exact too
    assert unfiltered.total == fixture_engine.index.paragraph_count and not unfiltered.total_is_estimate


def test_ignore_puts_an_inferred_filter_back_into_the_text(fixture_engine):
    inferred = fixture_engine.search("outstanding Fernhollow", k=3)
    assert {f["field"] for f in inferred.understood["filters"]} == {"la", "grade"}
    plain = fixture_engine.search("outstanding Fernhollow", k=3, ignore="grade")
    assert [f["field"] for f in plain.understood["filters"]] == ["la"]
    assert plain.understood["ignored"] == ["grade"] and plain.understood["ranking_text"] == "outstanding"
    assert "grade" not in plain.parsed["source"] and not any("grade" in h.matched for h in plain.hits)
    with pytest.raises(InputError, match="ignore"):
        fixture_engine.search("outstanding", ignore="section")


def test_group_by_grade_compares_every_grade_when_the_query_names_one(fixture_engine):
    r = fixture_engine.search("support judged outstanding", k=1, group_by="grade")
    assert [g["value"] for g in r.groups] == [1, 2, 3, 4]
    assert all(h["grade"] == g["value"] for g in r.groups for h in g["hits"])
