"""spaCy's English tokenizer and a lower-case phrase matcher, without importing spaCy.

WHY: query understanding needs only tokens, their lower-case forms and phrase
lookups, nothing a trained pipeline adds; yet importing spaCy (which imports
torch through thinc) costs 1.3-2 s, more than the rest of a cold
`evsearch search` together. This module runs spaCy's own English tokenizer
rules (special cases such as "don't" -> "do" + "n't", prefix, suffix, infix and
URL patterns, the stop-word list and like_num's number words), dumped from the installed spaCy into
data/spacy_en_tokenizer.json, through the algorithm of spaCy's Tokenizer in
plain Python. tests/models/test_quick_tokens.py checks that the dump equals
what the installed spaCy holds and that the tokens agree with
``spacy.blank("en").make_doc`` on every evaluation query and vocabulary phrase;
after a spaCy upgrade, regenerate the dump with
``python -m evsearch.models.quick_tokens``.

The one rule not reproduced is spaCy's second pass that applies special cases
spanning affixes (emoticons such as ":)" glued to words); queries do not need it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Iterator

DATA_FILE = "spacy_en_tokenizer.json"
@dataclass(frozen=True)
class Token:
    """One token: its text, whether one space follows it, and the attributes the query parser reads."""

    text: str
    space: bool = False

    @property
    def text_with_ws(self) -> str:
        return self.text + " " if self.space else self.text

    @property
    def lower_(self) -> str:
        return self.text.lower()

    @property
    def is_alpha(self) -> bool:
        return self.text.isalpha()

    @property
    def is_lower(self) -> bool:
        return self.text.islower()

    @property
    def like_num(self) -> bool:
        """spaCy's English rule: digits (with , . separators), a fraction, a number or ordinal word, '21st'."""
        text = self.text[1:] if self.text.startswith(("+", "-", "±", "~")) else self.text
        text = text.replace(",", "").replace(".", "")
        if text.isdigit():
            return True
        if text.count("/") == 1:
            num, denom = text.split("/")
            if num.isdigit() and denom.isdigit():
                return True
        lower = text.lower()
        return lower in _rules().number_words or (lower.endswith(("st", "nd", "rd", "th")) and lower[:-2].isdigit())


@dataclass(frozen=True)
class Span:
    """Tokens doc[start:end] as written: inner spaces kept, the last token's space dropped."""

    text: str


class Doc(list):
    """A tokenised string: a list of Tokens; a slice is a Span (as in spaCy)."""

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, slice):
            tokens = list.__getitem__(self, key)
            return Span("".join(t.text_with_ws for t in tokens[:-1]) + tokens[-1].text if tokens else "")
        return list.__getitem__(self, key)


@dataclass(frozen=True)
class _Rules:
    specials: dict[str, list[str]]
    prefix: Callable[[str], re.Match | None]
    suffix: Callable[[str], re.Match | None]
    infixes: Callable[[str], Iterator[re.Match]]
    url: Callable[[str], re.Match | None]
    stop_words: frozenset[str]
    number_words: frozenset[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = json.loads(resources.files("evsearch.models").joinpath("data", DATA_FILE).read_text("utf-8"))
    return _Rules(
        specials={key: list(value) for key, value in raw["specials"].items()},
        prefix=re.compile(raw["prefix"]).search,
        suffix=re.compile(raw["suffix"]).search,
        infixes=re.compile(raw["infix"]).finditer,
        url=re.compile(raw["url"]).match,
        stop_words=frozenset(raw["stop_words"]),
        number_words=frozenset(raw["number_words"]),
    )


def stop_words() -> frozenset[str]:
    """spaCy's English stop words (lower case)."""
    return _rules().stop_words


def tokenize(text: str) -> Doc:
    """Tokens as ``spacy.blank("en").make_doc(text)`` gives them (texts and trailing spaces)."""
    doc = Doc()
    if not text:
        return doc
    pieces: list[tuple[str, bool]] = []  # (chunk, is whitespace)
    start, in_ws = 0, text[0].isspace()
    for i, char in enumerate(text):
        if char.isspace() != in_ws:
            if start < i:
                pieces.append((text[start:i], in_ws))
            # one space after a word belongs to it; any other whitespace is a token of its own
            start = i + 1 if char == " " else i
            if char == " ":
                pieces.append(("", True))  # marks "the previous token has a space"
            in_ws = not in_ws
    if start < len(text):
        pieces.append((text[start:], in_ws))
    for chunk, is_space in pieces:
        if chunk == "" and is_space:
            if doc:
                doc[-1] = Token(doc[-1].text, True)
            continue
        doc.extend(Token(t) for t in _chunk_tokens_cached(chunk))
    return doc


@lru_cache(maxsize=16384)
def _chunk_tokens_cached(chunk: str) -> tuple[str, ...]:
    return tuple(_chunk_tokens(chunk, _rules()))


def _chunk_tokens(chunk: str, rules: _Rules) -> list[str]:
    if chunk in rules.specials:
        return rules.specials[chunk]
    if chunk.isalpha():
        return [chunk]  # letters only: no affix, infix or URL rule can apply (tests hold this to spaCy)
    prefixes: list[str] = []
    suffixes: list[str] = []
    middle = _split_affixes(chunk, prefixes, suffixes, rules)
    tokens: list[str] = []
    for prefix in prefixes:
        tokens += rules.specials.get(prefix, [prefix])
    if middle:
        if middle in rules.specials:
            tokens += rules.specials[middle]
        elif rules.url(middle):
            tokens.append(middle)
        else:
            tokens += _split_infixes(middle, rules)
    for suffix in reversed(suffixes):
        tokens += rules.specials.get(suffix, [suffix])
    return tokens


def _split_affixes(string: str, prefixes: list[str], suffixes: list[str], rules: _Rules) -> str:
    """spaCy's Tokenizer._split_affixes: peel prefixes and suffixes until a special case or nothing."""
    last_size = 0
    while string and len(string) != last_size:
        if string in rules.specials:
            break
        last_size = len(string)
        found = rules.prefix(string)
        pre_len = found.end() - found.start() if found else 0
        prefix, minus_pre = string[:pre_len], string[pre_len:]
        if pre_len and minus_pre and minus_pre in rules.specials:
            prefixes.append(prefix)
            string = minus_pre
            break
        found = rules.suffix(string[pre_len:])
        suf_len = found.end() - found.start() if found else 0
        suffix, minus_suf = string[len(string) - suf_len :], string[: len(string) - suf_len]
        if suf_len and minus_suf and minus_suf in rules.specials:
            suffixes.append(suffix)
            string = minus_suf
            break
        if pre_len and suf_len and pre_len + suf_len <= len(string):
            string = string[pre_len : len(string) - suf_len]
            prefixes.append(prefix)
            suffixes.append(suffix)
        elif pre_len:
            string = minus_pre
            prefixes.append(prefix)
        elif suf_len:
            string = minus_suf
            suffixes.append(suffix)
        if string and string in rules.specials:
            break
    return string


def _split_infixes(string: str, rules: _Rules) -> list[str]:
    tokens: list[str] = []
    start = 0
    for match in rules.infixes(string):
        if match.start() == 0:
            continue  # an infix cannot open the token
        if match.start() != start:
            tokens.append(string[start : match.start()])
        if match.start() != match.end():
            tokens.append(string[match.start() : match.end()])
        start = match.end()
    if string[start:]:
        tokens.append(string[start:])
    return tokens


class PhraseMatcher:
    """Labelled phrases matched on lower-case token sequences (spaCy's PhraseMatcher, attr LOWER)."""

    def __init__(self) -> None:
        self._labels: dict[tuple[str, ...], list[str]] = {}
        self._lengths: set[int] = set()

    def add(self, label: str, phrases: Iterable[Doc]) -> None:
        for phrase in phrases:
            key = tuple(t.lower_ for t in phrase)
            if key:
                labels = self._labels.setdefault(key, [])
                if label not in labels:
                    labels.append(label)
                self._lengths.add(len(key))

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        """(label, start, end) of every match, overlapping ones included, by start then length."""
        lowers = [t.lower_ for t in doc]
        found: list[tuple[str, int, int]] = []
        for start in range(len(lowers)):
            for length in sorted(self._lengths):
                labels = self._labels.get(tuple(lowers[start : start + length])) if start + length <= len(lowers) else None
                found += [(label, start, start + length) for label in labels or ()]
        return found


def dump_spacy_rules() -> dict:
    """The installed spaCy's English tokenizer rules and stop words, as data/ holds them."""
    import spacy
    from spacy.attrs import ORTH
    from spacy.lang.en import lex_attrs

    nlp = spacy.blank("en")
    tokenizer = nlp.tokenizer
    return {
        "spacy_version": spacy.__version__,
        "specials": {key: [piece[ORTH] for piece in value] for key, value in sorted(tokenizer.rules.items())},
        "prefix": tokenizer.prefix_search.__self__.pattern,
        "suffix": tokenizer.suffix_search.__self__.pattern,
        "infix": tokenizer.infix_finditer.__self__.pattern,
        "url": tokenizer.url_match.__self__.pattern,
        "stop_words": sorted(nlp.Defaults.stop_words),
        "number_words": sorted({*lex_attrs._num_words, *lex_attrs._ordinal_words}),
    }


if __name__ == "__main__":  # python -m evsearch.models.quick_tokens: regenerate the dump after a spaCy upgrade
    from pathlib import Path

    target = Path(__file__).parent / "data" / DATA_FILE
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(dump_spacy_rules(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {target}")
