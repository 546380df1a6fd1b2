"""The authority register: complete, consistent, and every usual way of writing a name finds its entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evsearch.errors import InputError
from evsearch.vocab.authorities import by_urn, name_key, parse_la, register, resolve, suggest


def _named(name: str):
    return next(a for a in register() if a.name == name and a.current)


def test_register_covers_every_current_authority_once() -> None:
    current = [a for a in register() if a.current]
    # 153 children's services authorities in England since the 2023 Cumbria split.
    assert len(current) == 153
    codes = [a.la_code for a in register()]
    assert len(codes) == len(set(codes)), "an LA number names two entries"
    names = [a.key for a in register()]
    assert len(names) == len(set(names)), "two entries share a page (/authorities/{key})"
    urns = [a.urn for a in register() if a.urn]
    assert len(urns) == len(set(urns))
    assert {a.region for a in register()} == {
        "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
        "East of England", "London", "South East", "South West",
    }  # fmt: skip
    for entry in register():
        assert re.fullmatch(r"\d{3}", entry.la_code), entry
        assert entry.ons_code is None or re.fullmatch(r"E(06|08|09|10)\d{6}", entry.ons_code), entry


def test_reorganisations_link_both_ways() -> None:
    by_code = {a.la_code: a for a in register()}
    for entry in register():
        for code in entry.successors:
            successor = by_code[code]
            assert entry.la_code in successor.predecessors
            assert entry.valid_to is not None and successor.valid_from is not None
            assert entry.valid_to < successor.valid_from
        for code in entry.predecessors:
            assert entry.la_code in by_code[code].successors
    cumbria = next(a for a in register() if a.name == "Cumbria")
    assert {by_code[c].name for c in cumbria.successors} == {"Cumberland", "Westmorland and Furness"}
    northants = next(a for a in register() if a.name == "Northamptonshire")
    assert {by_code[c].name for c in northants.successors} == {"North Northamptonshire", "West Northamptonshire"}
    assert set(_named("Bournemouth, Christchurch & Poole").predecessors) == {"835", "836", "837"}
    assert {by_code[c].name for c in _named("Bedford").predecessors} == {"Bedfordshire"}
    assert {by_code[c].name for c in _named("Cheshire East").predecessors} == {"Cheshire"}


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Leeds City", "Leeds"),
        ("the Isle of Wight", "Isle of Wight"),
        ("Bristol City of", "Bristol"),
        ("Wakefield District Metropolitan", "Wakefield"),
        ("Medway Children's Services", "Medway"),
        ("East Riding", "East Riding of Yorkshire"),
        ("Hull", "Kingston upon Hull"),
        ("Leicester City", "Leicester"),
        ("Borough of Redcar and Cleveland", "Redcar and Cleveland"),
        ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"),
        ("RBKC", "Kensington and Chelsea"),
        ("BCP", "Bournemouth, Christchurch & Poole"),
        ("Bournemouth, Christchurch and Poole Council", "Bournemouth, Christchurch & Poole"),
        ("London Borough of Tower Hamlets", "Tower Hamlets"),
        ("Telford and Wrekin Council", "Telford & Wrekin"),
        ("St. Helens Metropolitan Borough Council", "St Helens"),
        ("County Durham", "Durham"),
        ("City of London", "London Corporation"),
        ("Council of the Isles of Scilly", "Isles of Scilly"),
        ("Bradford Children and Families Trust", "Bradford"),
        ("east-sussex", "East Sussex"),  # a slug, as /authorities/{la} takes it
        ("383", "Leeds"),  # DfE LA number
        ("80481", "Leeds"),  # Ofsted URN
        ("E08000035", "Leeds"),  # ONS code
    ],
)
def test_variants_resolve_to_their_entry(written: str, name: str) -> None:
    entry = resolve(written)
    assert entry is not None and entry.name == name


def test_a_shared_name_resolves_by_date() -> None:
    assert resolve("Dorset", on="2015-06-01").la_code == "835"  # Dorset County Council
    assert resolve("Dorset", on="2024-06-01").la_code == "838"  # Dorset Council, from 2019
    assert resolve("Dorset").la_code == "838"  # no date: the current one


def test_unknown_names_stay_unknown() -> None:
    for text in ("Eastvale", "London", "", "Children's Services", "Council"):
        assert resolve(text) is None, text
    assert by_urn("99999") is None
    assert by_urn("80481").name == "Leeds"


def test_aliases_in_the_data_are_irregular_only() -> None:
    # Council-style forms come from the rules; listing them would be a second source of truth.
    for entry in register():
        for alias in entry.aliases:
            assert name_key(alias) != name_key(entry.name), (entry.name, alias)


def test_parse_la_accepts_aliases_and_suggests_on_unknown() -> None:
    assert parse_la("leeds city council") == "Leeds"
    assert parse_la("Eastvale", known=["Eastvale"]) == "Eastvale"  # an unresolved name an index holds
    with pytest.raises(InputError) as caught:
        parse_la("Leeeds")
    assert "Leeds" in caught.value.hint
    assert suggest("Westmoreland and Furnace")[0] == "Westmorland and Furness"


@pytest.mark.corpus
def test_every_corpus_folder_urn_is_in_the_register(ilacs_dir: Path) -> None:
    folders = [p for p in ilacs_dir.iterdir() if p.is_dir()]
    assert folders
    for folder in folders:
        urn, _, name = folder.name.partition("_")
        entry = by_urn(urn)
        assert entry is not None, folder.name
        assert name_key(entry.name) == name_key(name), (folder.name, entry.name)


def test_an_authority_mentioned_once_on_a_cover() -> None:
    from evsearch.vocab.authorities import mentioned

    assert mentioned("Children's services in Leeds\nInspection dates: 1 to 5 May 2019").name == "Leeds"
    assert mentioned("Kingston upon Hull City Council").name == "Kingston upon Hull"  # longest name wins
    assert mentioned("A joint report on Leeds and Bradford") is None  # two authorities: no guess
    assert mentioned("reading and writing at home") is None  # lower case words are not names


def test_a_cover_without_a_title_line_still_finds_its_authority(tmp_path: Path) -> None:
    from evsearch.parser.metadata import extract_report

    cover = "Ofsted\nChildren's services in Sefton\nInspection dates: 3 to 14 June 2024\n"
    report = extract_report([cover, "1. Some text."], "x", str(tmp_path / "report.pdf"))
    assert (report.local_authority, report.authority_resolved, report.authority_printed) == ("Sefton", True, None)
