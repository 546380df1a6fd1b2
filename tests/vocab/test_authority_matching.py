"""Authority names in running text (a query): the register's own key rules find them, nothing else.

Every phrasing here is our own; no evaluation query, report name or report text.
"""

from __future__ import annotations

import pytest

from evsearch.vocab.authorities import EVERYDAY_NAMES, match, match_keys, register, resolve


def _names(text: str, keys=None) -> list[str]:
    return [name for _start, _end, name in match(text, keys)]


def _said(text: str, keys=None) -> list[str]:
    """The words of each mention, as typed."""
    words = text.split()
    return [" ".join(words[start:end]) for start, end, _name in match(text, keys)]


def _forms(name: str) -> list[str]:
    forms = [name, name.upper(), " ".join(name.replace("&", " and ").split()), name.replace(" and ", " & "), f"{name} Council"]
    if name.lower() not in EVERYDAY_NAMES:
        forms.append(name.lower())
    return list(dict.fromkeys(forms))


def test_every_register_name_and_alias_is_found_in_a_sentence_as_resolve_reads_it() -> None:
    missed = []
    for entry in register():
        for name in (entry.name, *entry.aliases):
            for form in _forms(name):
                # as resolve reads the form ("Dorset County Council Council": the current Dorset), or, where
                # resolve knows only the name ("City of London Council"), the name the mention's head gives
                expected = (resolve(form) or resolve(name)).name
                sentence = f"how leaders respond to neglect in {form} since 2021"
                if _names(sentence) != [expected]:
                    missed.append((form, _names(sentence), expected))
    assert missed == []


@pytest.mark.parametrize(
    ("text", "said", "name"),
    [
        ("neglect in Leeds City Council 2019", "Leeds City Council", "Leeds"),
        ("adoption in the London Borough of Tower Hamlets", "London Borough of Tower Hamlets", "Tower Hamlets"),
        ("the Royal Borough of Kensington & Chelsea Council reviews", "Royal Borough of Kensington & Chelsea Council",
         "Kensington and Chelsea"),
        ("visits in the City of Bristol", "City of Bristol", "Bristol"),
        ("early help in County Durham", "County Durham", "Durham"),
        ("Kent County Council fostering", "Kent County Council", "Kent"),
        ("Wakefield Metropolitan District Council leaders", "Wakefield Metropolitan District Council", "Wakefield"),
        ("Medway Children's Services audits", "Medway Children's Services", "Medway"),
        ("Bradford Children and Families Trust caseloads", "Bradford Children and Families Trust", "Bradford"),
        ("st. helens metropolitan borough council", "st. helens metropolitan borough council", "St Helens"),
        ("Stoke-on-Trent placements", "Stoke-on-Trent", "Stoke-on-Trent"),
        ("Brighton & Hove care leavers", "Brighton & Hove", "Brighton and Hove"),
        ("telford and wrekin care leavers", "telford and wrekin", "Telford & Wrekin"),
        ("Bournemouth Christchurch and Poole leaders", "Bournemouth Christchurch and Poole", "Bournemouth, Christchurch & Poole"),
        ("BCP leaders", "BCP", "Bournemouth, Christchurch & Poole"),
        ("Hull 2020 neglect", "Hull", "Kingston upon Hull"),
        ("Kingston upon Hull City Council", "Kingston upon Hull City Council", "Kingston upon Hull"),
        ("RBKC fostering", "RBKC", "Kensington and Chelsea"),
        ("East Riding early help", "East Riding", "East Riding of Yorkshire"),
        ("City of London placements", "City of London", "London Corporation"),
    ],
)  # fmt: skip
def test_affixes_ampersands_and_aliases(text: str, said: str, name: str) -> None:
    assert (_said(text), _names(text)) == ([said], [name])


def test_each_authority_named_is_its_own_mention() -> None:
    assert _names("Leeds and Bradford compared") == ["Leeds", "Bradford"]
    assert _names("Brighton and Hove and Leeds") == ["Brighton and Hove", "Leeds"]
    assert _names("Leeds, Bradford & Wakefield") == ["Leeds", "Bradford", "Wakefield"]


def test_affix_words_the_query_uses_itself_stay_the_query_s() -> None:
    assert _said("Kent county lines") == ["Kent"]  # "county" does not close a name
    assert _said("Leeds city centre hubs") == ["Leeds"]
    assert _said("leeds children and families") == ["leeds"]  # only "Trust" closes that long affix
    assert _said("Leeds children's services") == ["Leeds children's services"]


def test_regions_and_codes_are_not_authorities_in_text() -> None:
    assert _names("children in London") == []  # a region; "City of London" is the authority
    assert _names("cases 383 and 80481 and E08000035") == []  # codes resolve as an la option, not in prose
    assert _names("the council's children's services") == []


def test_an_everyday_word_is_an_authority_only_when_capitalised_or_with_an_affix() -> None:
    assert _names("reading and writing at home") == []
    assert _names("the reading age of children") == []
    assert _names("children in care in Reading") == ["Reading"]
    assert _names("reading borough council audits") == ["Reading"]
    assert _names("where to bury the lead") == [] and _names("Bury 2019") == ["Bury"]
    assert _names("in the Bath") == []  # not a name the register holds at all


def test_names_an_index_holds_verbatim_match_themselves() -> None:
    keys = match_keys(["Eastvale Borough Council", "Leeds"])  # an unresolved report's name, and a register one
    assert _names("neglect in Eastvale 2020", keys) == ["Eastvale Borough Council"]
    assert _names("eastvale borough council audits", keys) == ["Eastvale Borough Council"]
    assert _names("Eastvale and Leeds", keys) == ["Eastvale Borough Council", "Leeds"]
    assert _names("neglect in Eastvale 2020") == []  # the register alone does not know it
    assert keys.verbatim == {"eastvale borough council": "Eastvale Borough Council", "eastvale": "Eastvale Borough Council"}


def test_tokens_with_their_whitespace_give_token_spans() -> None:
    tokens = ["care ", "in ", "Stoke", "-", "on", "-", "Trent ", "2019"]
    assert match(tokens) == [(2, 7, "Stoke-on-Trent")]
    assert match(["Leeds", ","]) == [(0, 1, "Leeds")]
    assert match("") == [] and match([]) == []


def test_every_mention_resolves_to_the_name_it_is_given() -> None:
    text = "Leeds City Council, the London Borough of Hackney, BCP, Hull and Telford & Wrekin since 2020"
    tokens = text.split(" ")
    for start, end, name in match(text):
        assert resolve(" ".join(tokens[start:end])).name == name
