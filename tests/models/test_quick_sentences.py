"""The regex splitter used for highlights agrees with the spaCy splitter on report prose."""

from __future__ import annotations

import pytest

from evsearch.models import nlp
from evsearch.models.quick_sentences import sentence_spans, sentences

# Invented prose in the reports' style (never corpus text).
CASES = [
    "Leaders act quickly. Staff feel supported! Do managers check plans? Yes.",
    "14. The council knows its services well. Audits are thorough.",
    "Plans are reviewed (see para. 12) and updated. Visits happen on time.",
    "Some areas, e.g. housing and health, need work. Others, i.e. education, are strong.",
    "Support includes advice, training etc. Carers value it.",
    "The head of service said \"we listen to children.\" Children agree.",
    "Approx. three in ten plans lack detail. This is too many.",
    "(a) Ensure plans are clear.",
    "",
    "   ",
    "One sentence without a full stop",
]


@pytest.mark.parametrize("text", CASES)
def test_matches_spacy_sentences(text: str) -> None:
    assert sentences(text) == [text[a:b] for a, b in nlp.sentence_spans(text)]


def test_spans_are_trimmed_offsets() -> None:
    text = "  First one.   Second one.  "
    assert [text[a:b] for a, b in sentence_spans(text)] == ["First one.", "Second one."]
    assert sentence_spans("") == []


def test_opening_bracket_stays_with_its_sentence() -> None:
    # spaCy leaves "(" on the previous sentence; highlights should not start with ")".
    assert sentences("Plans improve. (Recommendation)") == ["Plans improve.", "(Recommendation)"]
