"""The one "did you mean" rule: names compared as slugs, a name holding the word first, then close spellings."""

from __future__ import annotations

from evsearch.vocab.slugs import close_names

NAMES = ["Leeds", "Leicester", "Leicestershire", "East Sussex", "West Sussex", "Kingston upon Hull", "Solihull"]


def test_close_names_forgive_case_spacing_and_a_missing_letter() -> None:
    assert close_names("leds", NAMES) == ["Leeds"]
    assert close_names("EAST-SUSSEX", NAMES)[0] == "East Sussex"
    assert close_names("hull", NAMES) == ["Kingston upon Hull", "Solihull"]


def test_close_names_stay_quiet_when_nothing_is_close() -> None:
    assert close_names("Atlantis", NAMES) == []
    assert close_names("  ", NAMES) == []
    assert len(close_names("le", NAMES, n=2)) == 2
