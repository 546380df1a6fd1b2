"""The spaCy pipeline used by query understanding (its tokens, lemmas and sentence spans).

WHY: a trained English pipeline gives better sentences and lemmas, but it is an
optional download, and this product never downloads. So `get_nlp()` uses
en_core_web_sm when it is installed and otherwise a blank English pipeline with
the rule-based sentencizer and the lookup lemmatizer from spacy-lookups-data
(both local). Report prose is full of "para. 12", "e.g." and numbered
paragraphs ("14. The council ..."); `sentence_spans()` repairs the splits those
cause (the quick regex splitter in quick_sentences.py, which highlights use, applies the same repair).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from evsearch.models import offline  # noqa: F401

log = logging.getLogger(__name__)

TRAINED_PIPELINE = "en_core_web_sm"
# Abbreviations common in inspection prose that spaCy's English tokenizer splits
# ("para" + "."), which makes the sentencizer end a sentence there.
_ABBREVIATIONS = ("para.", "paras.", "approx.", "cf.", "incl.", "fig.", "ref.", "vs.", "no.", "nos.", "pp.")
# A "sentence" that is only a list/paragraph marker: "14.", "(b)", "iv.", "•".
_MARKER = re.compile(r"^(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z]|[ivxlc]{1,5})[.)]|[•\-–*])$", re.IGNORECASE)

# Components whose output sentence splitting never reads.
_NOT_FOR_SENTENCES = ("lemmatizer", "attribute_ruler", "ner")

_nlp = None
_lock = threading.Lock()


def _add_abbreviations(nlp) -> None:
    from spacy.symbols import ORTH

    for abbr in _ABBREVIATIONS:
        for form in {abbr, abbr.capitalize(), abbr.upper()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])


def _build():
    import spacy

    if spacy.util.is_package(TRAINED_PIPELINE):
        try:
            nlp = spacy.load(TRAINED_PIPELINE, exclude=["ner"])
            _add_abbreviations(nlp)
            log.info("spaCy: using trained pipeline %s", TRAINED_PIPELINE)
            return nlp
        except Exception as exc:  # a broken install must not stop search
            log.warning("spaCy: %s is installed but failed to load (%s); using the blank pipeline", TRAINED_PIPELINE, exc)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup table from spacy-lookups-data (local files)
    except Exception as exc:  # lemmas are a nicety; sentences still work without them
        if "lemmatizer" in nlp.pipe_names:
            nlp.remove_pipe("lemmatizer")
        log.warning("spaCy: lookup lemmatizer unavailable (%s); lemmas will equal the words", exc)
    _add_abbreviations(nlp)
    log.info("spaCy: %s not installed; using blank 'en' + sentencizer + lookup lemmatizer", TRAINED_PIPELINE)
    return nlp


def get_nlp():
    """The process-wide spaCy pipeline (built once, thread-safe)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = _build()
    return _nlp


def _should_join(previous: str, following: str) -> bool:
    """True when a split between two pieces is an artefact, not a sentence boundary."""
    if _MARKER.match(previous):
        return True  # "14." / "(b)" belongs to the sentence it numbers
    first = following.lstrip("\"'“‘([")[:1]
    return first.islower()  # real sentences start with a capital or digit; "approx. three" does not


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence in `text`, whitespace trimmed."""
    if not text or not text.strip():
        return []
    nlp = get_nlp()
    # Sentence boundaries never need lemmas: skipping the lookup lemmatizer makes a split ~5x
    # cheaper (1.3 -> 0.24 ms per paragraph), and highlights split every hit of every query.
    skip = [name for name in _NOT_FOR_SENTENCES if name in nlp.pipe_names]
    return tidy_spans(text, ((sent.start_char, sent.end_char) for sent in nlp(text, disable=skip).sents))


def tidy_spans(text: str, raw: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Raw sentence spans, stripped of edge whitespace, empty ones dropped, bad splits rejoined.

    Every sentence splitter (spaCy's, the fast regex one) ends here, so they agree on
    what a sentence is apart from where they cut.
    """
    spans: list[tuple[int, int]] = []
    for start, end in raw:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        if spans and _should_join(text[spans[-1][0] : spans[-1][1]], text[start:end]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans
