"""Unnumbered evidence (issue 8 part 4): cited for what it is, grouped with the paragraph that develops it.

The Brackenmoor fixture (our own words) opens with three "What needs to
improve?" bullets; numbered paragraphs 1, 2 and 4 develop them.
"""

from __future__ import annotations

from search_helpers import numbers


def _top_group(r) -> dict[str, dict]:
    """The first hit's group (the hit and its related records): citation without details -> entry."""
    top = r.hits[0]
    group = {top.citation.split(" (")[0]: {"id": top.id, "kind": top.kind, "hit": top}}
    group.update({rel["citation"].split(" (")[0]: {"id": rel["id"]} for rel in top.related})
    return group


def test_bullet_is_cited_by_its_heading_not_a_paragraph(ilacs_engine):
    r = ilacs_engine.search("strategy meetings held quickly when a child is at risk of harm", k=5)
    group = _top_group(r)
    # whichever of the pair the ranker puts first, the bullet is cited for what it is
    assert "Brackenmoor 2023, recommendation under What needs to improve?, page 1" in group
    top = r.hits[0]
    if top.kind == "recommendation":
        assert top.number is None and not top.number_inferred


def test_bullet_and_its_paragraph_are_one_hit(ilacs_engine):
    r = ilacs_engine.search("strategy meetings held quickly when a child is at risk of harm", k=5)
    assert sorted(_top_group(r)) == [
        "Brackenmoor 2023, paragraph 1, page 1", "Brackenmoor 2023, recommendation under What needs to improve?, page 1"
    ]
    assert numbers(r).count(1) <= 1  # paragraph 1 and its bullet are one hit, not two
    ids = [h.id for h in r.hits] + [rel["id"] for h in r.hits for rel in h.related]
    assert len(ids) == len(set(ids))  # no record twice on a page


def test_the_paragraph_leads_when_it_ranks_first(ilacs_engine):
    r = ilacs_engine.search("not enough foster homes for siblings", k=3)
    assert r.hits[0].number == 4
    assert [rel["citation"] for rel in r.hits[0].related] == ["Brackenmoor 2023, recommendation under What needs to improve?, page 1"]
    assert all(h.kind == "paragraph" or h.number is None for h in r.hits)


def test_pages_of_grouped_hits_do_not_overlap(ilacs_engine):
    whole = ilacs_engine.search("children", k=20)
    first = ilacs_engine.search("children", k=3)
    second = ilacs_engine.search("children", k=3, offset=3)
    assert [h.id for h in first.hits + second.hits] == [h.id for h in whole.hits[:6]]
    ids = [h.id for h in whole.hits] + [rel["id"] for h in whole.hits for rel in h.related]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 11  # every record once
