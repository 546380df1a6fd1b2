"""quick_tokens must tokenise exactly as spaCy's English tokenizer, from a dump that matches spaCy.

WHY: the query parser moved off spaCy (a cold `evsearch search` cannot pay
for importing it) but its phrase matching, stop words and residual text are
defined by spaCy's tokens. These tests hold the two together: the shipped rule
dump equals what the installed spaCy holds, and the tokens, their attributes
and phrase matches agree with spaCy's on every evaluation query, the query
vocabulary (themes, authorities, grade words) and real report paragraphs.
"""

from __future__ import annotations

import csv
import json
import re
from importlib import resources
from pathlib import Path

import pytest
import spacy
from spacy.matcher import PhraseMatcher as SpacyPhraseMatcher

from evsearch.vocab.grades import GRADE_WORDS
from evsearch.models import quick_tokens
from evsearch.models.quick_tokens import PhraseMatcher, stop_words, tokenize
from evsearch.search.query import CUE_PHRASES, STOP_PHRASES
from evsearch.vocab.authorities import register
from evsearch.search.themes import load_themes

REPO = Path(__file__).resolve().parents[2]
QUERIES_DIR = (REPO / ".." / "shared" / "queries").resolve()
SEED_TXT = (REPO / ".." / "shared" / "corpus" / "seed" / "east-sussex-2010-safeguarding-and-looked-after-children.txt").resolve()

# Our own strings: the affix, infix, special-case and whitespace rules a query can hit.
TRICKY = [
    "children's services", "well-being of 16-17 year olds", "don't  know", "e.g. foster care",
    "LA's plans.", "Grade 3 (adequate)", "what about U.K. and etc.", "care-leavers/young people",
    "can't won't isn't", "Mr. Smith", "St. Helens", "2019-20", "£5m", "10%", "Bath & North East Somerset",
    "a.m.", "well—being", "x,y", "Hello.World", "ok...", "aged 16+", "Kingston upon Hull, City of",
    "'quoted'", '"quoted"', "“smart quotes”", "new\nline", "tab\tx", " leading", "trailing ", "  two",
    "http://example.org/a?b=1 ok", "grade2", "ILACS:good", "(grade 4)", "5pm", "10a.m.", "outstanding!!",
    "", " ", "a  \n b", "²²²²", "1/2 of", "one hundred", "+44", "children’s",
]  # fmt: skip


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def _query_strings() -> list[str]:
    files = sorted((REPO / "eval").glob("queries-*.tsv"))
    if (QUERIES_DIR / "seed-dev.tsv").exists():
        files.append(QUERIES_DIR / "seed-dev.tsv")
    out = []
    for path in files:
        with path.open(encoding="utf-8") as handle:
            out += [row["query"] for row in csv.DictReader(handle, delimiter="\t")]
    return out


def _vocabulary_strings() -> list[str]:
    names = [name for entry in register() for name in (entry.name, *entry.aliases)]
    out = list(CUE_PHRASES) + list(STOP_PHRASES) + names + [n.replace("&", "and") for n in names if "&" in n]
    for grade in GRADE_WORDS:
        out += [grade.label, *grade.variants]
    for theme in load_themes():
        out += list(theme.phrases)
    return out


def _assert_same_tokens(nlp, texts: list[str]) -> None:
    differ = []
    for text in texts:
        ours = tokenize(text)
        theirs = nlp.make_doc(text)
        if [(t.text, t.space) for t in ours] != [(t.text, bool(t.whitespace_)) for t in theirs]:
            differ.append(text)
            continue
        for a, b in zip(ours, theirs):
            assert (a.lower_, a.is_alpha, a.is_lower, a.like_num, a.text_with_ws) == (
                b.lower_, b.is_alpha, b.is_lower, b.like_num, b.text_with_ws
            ), f"token {a.text!r} of {text!r}"  # fmt: skip
    assert differ == [], f"{len(differ)} of {len(texts)} strings tokenise differently, e.g. {differ[:3]}"


def test_dump_matches_the_installed_spacy() -> None:
    shipped = json.loads(resources.files("evsearch.models").joinpath("data", quick_tokens.DATA_FILE).read_text())
    assert shipped == quick_tokens.dump_spacy_rules(), "regenerate: python -m evsearch.models.quick_tokens"
    assert stop_words() == frozenset(spacy.blank("en").Defaults.stop_words)


def test_tricky_strings_tokenise_as_spacy(nlp) -> None:
    _assert_same_tokens(nlp, TRICKY)
    assert [t.text for t in tokenize("don't stop")] == ["do", "n't", "stop"]
    assert tokenize("Grade 3 (adequate)")[0:2].text == "Grade 3"


def test_every_evaluation_query_and_vocabulary_phrase_tokenises_as_spacy(nlp) -> None:
    queries = _query_strings()
    assert len(queries) > 100  # eval/queries-*.tsv are in the repo
    _assert_same_tokens(nlp, queries + _vocabulary_strings())


def test_report_paragraphs_tokenise_as_spacy(nlp) -> None:
    if not SEED_TXT.exists():
        pytest.skip(f"real corpus not found at {SEED_TXT}")
    paragraphs = [p for p in re.split(r"\n\s*\n", SEED_TXT.read_text(encoding="utf-8")) if p.strip()]
    assert len(paragraphs) > 100
    _assert_same_tokens(nlp, paragraphs)


def test_phrase_matches_equal_spacys(nlp) -> None:
    phrases = {"CARE": ["care leavers", "children in care"], "LA": ["East Sussex", "Reading"], "G": ["requires improvement"]}
    ours = PhraseMatcher()
    theirs = SpacyPhraseMatcher(nlp.vocab, attr="LOWER")
    for label, texts in phrases.items():
        ours.add(label, [tokenize(t) for t in texts])
        theirs.add(label, [nlp.make_doc(t) for t in texts])
    for text in ["Children in care and CARE LEAVERS in east sussex", "reading requires improvement", "nothing here", ""]:
        expected = {(nlp.vocab.strings[m], s, e) for m, s, e in theirs(nlp.make_doc(text))}
        assert set(ours(tokenize(text))) == expected, text
    assert ours(tokenize("care leavers")) == [("CARE", 0, 2)]


def test_the_module_does_not_import_spacy() -> None:
    source = Path(quick_tokens.__file__).read_text(encoding="utf-8")
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not any("spacy" in line for line in top_level)
