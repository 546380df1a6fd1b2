"""spaCy pipeline: offline, cached, and sentence splits that survive report-style prose."""

from __future__ import annotations

from evsearch.models.nlp import get_nlp, sentence_spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]

# Our own sample, in the style of inspection prose (numbered paragraph, abbreviations, numbers).
SAMPLE = (
    "12. Leaders know their services well, e.g. through regular audits. "
    "Approx. two thirds of plans were reviewed on time (see para. 9 for the rest). "
    "In 2021, 87.5% of visits happened within 10 days.\n"
    "Managers act quickly when risk rises.   No. 4 of the actions is still open! "
    "Is the board confident? It says it is."
)


def test_pipeline_is_cached_and_local() -> None:
    nlp = get_nlp()
    assert get_nlp() is nlp
    assert nlp.lang == "en"
    assert "sentencizer" in nlp.pipe_names or "parser" in nlp.pipe_names or "senter" in nlp.pipe_names


def test_sentences_split_report_prose_correctly() -> None:
    assert sentences(SAMPLE) == [
        "12. Leaders know their services well, e.g. through regular audits.",
        "Approx. two thirds of plans were reviewed on time (see para. 9 for the rest).",
        "In 2021, 87.5% of visits happened within 10 days.",
        "Managers act quickly when risk rises.",
        "No. 4 of the actions is still open!",
        "Is the board confident?",
        "It says it is.",
    ]


def test_lone_paragraph_number_is_not_a_sentence() -> None:
    text = "7.\nThe service has improved. It now has a stable workforce."
    assert sentences(text) == ["7.\nThe service has improved.", "It now has a stable workforce."]


def test_spans_are_offsets_into_the_text() -> None:
    spans = sentence_spans(SAMPLE)
    assert len(spans) == 7
    assert all(SAMPLE[a:b] == s for (a, b), s in zip(spans, sentences(SAMPLE)))
    assert spans == sorted(spans) and all(a < b for a, b in spans)


def test_empty_text_has_no_sentences() -> None:
    assert sentences("") == []
    assert sentences("   \n ") == []

