"""The corpus lexicon: acronyms the reports define and words too common to score.

Reports define an acronym once ("Multi-Agency Public Protection Arrangements
(MAPPA)") and then use only the acronym, while users type either form. The
definitions are mined from the index's own text (a long form whose word
initials spell the bracketed acronym), so the table grows with the corpus and
is never hand-written. The same pass counts document frequencies: words in
more than half of all paragraphs have no BM25 weight (FTS5 clamps their idf)
yet cost the most to score.

WHY here, in the store: reading every paragraph is slow on a large index, so
the writer builds ``lexicon.json`` into each generation before publishing it
(derived.py) and readers load it in milliseconds; search/acronyms.py matches
queries against it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,9})\s*\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-/]*")
_TOKEN = re.compile(r"\w+", re.UNICODE)
SKIP = frozenset({"and", "of", "for", "the", "in", "on", "to", "with", "&", "a"})
MAX_LONG_WORDS = 9
# paragraph kinds whose text teaches the lexicon (headings and tables would skew frequencies)
KINDS = ("paragraph", "summary", "recommendation", "text")


def _initials(words: list[str]) -> str:
    out = []
    for w in words:
        if w.lower() in SKIP:
            continue
        out.extend(part[0] for part in re.split(r"[-/]", w) if part)
    return "".join(out).lower()


def definitions_in(text: str) -> Iterable[tuple[str, str]]:
    """(ACRONYM, long form) pairs defined in ``text``."""
    for m in _DEFINITION.finditer(text):
        acronym = m.group(1)
        caps = sum(c.isupper() for c in acronym)
        if caps < 2:
            continue
        key = acronym[:-1] if acronym.endswith("s") and acronym[:-1].isupper() else acronym
        words = _WORD.findall(text[max(0, m.start() - 160) : m.start()])[-MAX_LONG_WORDS:]
        for n in range(2, len(words) + 1):
            suffix = words[-n:]
            if suffix[0].lower() in SKIP:
                continue
            initials = _initials(suffix)
            if initials == key.lower():
                yield key.upper(), " ".join(suffix)
                break
            if len(initials) > len(key):
                break


def _definitions(texts: Iterable[str]) -> dict[str, Counter]:
    seen: dict[str, Counter] = {}
    for text in texts:
        if "(" not in text:
            continue
        for acronym, long_form in definitions_in(text):
            seen.setdefault(acronym, Counter())[long_form.lower()] += 1
    return seen


def mine(texts: Iterable[str]) -> dict[str, str]:
    """ACRONYM -> its most frequent long form."""
    return {a: c.most_common(1)[0][0] for a, c in sorted(_definitions(texts).items())}


def counts(texts: Iterable[str]) -> dict[str, object]:
    """What a segment keeps so lexicons combine across segments: text count, word document
    frequencies and definition counts (``combine`` turns a list of these into a lexicon)."""
    table_source: list[str] = []
    df: Counter = Counter()
    n = 0
    for text in texts:
        n += 1
        if "(" in text:
            table_source.append(text)
        df.update(set(_TOKEN.findall(text.lower())))
    definitions = {a: dict(c) for a, c in sorted(_definitions(table_source).items())}
    return {"n": n, "df": dict(sorted(df.items())), "definitions": definitions}


def combine(parts: Iterable[dict]) -> dict[str, object]:
    """{"acronyms": table, "common": words in more than half of all texts} over several ``counts``."""
    n = 0
    df: Counter = Counter()
    seen: dict[str, Counter] = {}
    for part in parts:
        n += int(part["n"])
        df.update(part["df"])
        for acronym, forms in part["definitions"].items():
            seen.setdefault(acronym, Counter()).update(forms)
    common = sorted(w for w, c in df.items() if c > n / 2) if n >= 20 else []
    return {"acronyms": {a: c.most_common(1)[0][0] for a, c in sorted(seen.items())}, "common": common}


def learn(texts: Iterable[str]) -> dict[str, object]:
    """{"acronyms": table, "common": words in more than half of the texts} (the lexicon.json content)."""
    return combine([counts(texts)])
