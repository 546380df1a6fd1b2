"""Acronyms the corpus defines, for query expansion in both directions.

Reports define an acronym once ("Multi-Agency Public Protection Arrangements
(MAPPA)") and then use only the acronym, while users type either form. The
definitions are mined from the index's own text (a long form whose word
initials spell the bracketed acronym), so the table grows with the corpus and
is never hand-written. A query holding the long form gets the acronym added to
its keyword query, and one holding the acronym gets the long form.

The same pass counts document frequencies: words found in more than half of
all paragraphs have no BM25 weight (FTS5 clamps their idf) yet cost the most
to score, so the keyword query leaves them out. Reading every paragraph is
slow on a large index, so both are cached as JSON under the cache folder,
keyed by the index generation.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from evsearch.search.highlight import stem

_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,9})\s*\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-/]*")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_SKIP = frozenset({"and", "of", "for", "the", "in", "on", "to", "with", "&", "a"})
MAX_LONG_WORDS = 9


def _initials(words: list[str]) -> str:
    out = []
    for w in words:
        if w.lower() in _SKIP:
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
            if suffix[0].lower() in _SKIP:
                continue
            initials = _initials(suffix)
            if initials == key.lower():
                yield key.upper(), " ".join(suffix)
                break
            if len(initials) > len(key):
                break


def mine(texts: Iterable[str]) -> dict[str, str]:
    """ACRONYM -> its most frequent long form."""
    seen: dict[str, Counter] = {}
    for text in texts:
        if "(" not in text:
            continue
        for acronym, long_form in definitions_in(text):
            seen.setdefault(acronym, Counter())[long_form.lower()] += 1
    return {a: c.most_common(1)[0][0] for a, c in sorted(seen.items())}


class Acronyms:
    """Both directions of the table, matched on crude stems ("arrangement" = "arrangements")."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = dict(table)
        self._by_long: dict[tuple[str, ...], str] = {}
        for acronym, long_form in self.table.items():
            key = tuple(stem(w) for w in _WORD.findall(long_form.lower()) if w not in _SKIP)
            if len(key) >= 2:
                self._by_long.setdefault(key, acronym)
        self._longest = max((len(k) for k in self._by_long), default=0)

    def expansions(self, text: str) -> list[str]:
        """Keyword-query terms to add for ``text``: acronyms of long forms, long forms of acronyms."""
        out: list[str] = []
        words = _WORD.findall(text)
        for w in words:
            long_form = self.table.get(w.upper())
            if long_form and (w.isupper() or len(w) > 3):
                out.append(long_form)
        stems = [stem(w) for w in words if w.lower() not in _SKIP]
        for i in range(len(stems)):
            for n in range(min(self._longest, len(stems) - i), 1, -1):
                acronym = self._by_long.get(tuple(stems[i : i + n]))
                if acronym:
                    out.append(acronym.lower())
                    break
        return list(dict.fromkeys(out))


@dataclass
class Lexicon:
    """What one pass over the index's text teaches: its acronyms and its no-information words."""

    acronyms: Acronyms
    common: frozenset[str]  # words in more than half of all paragraphs (BM25 idf <= 0)


def learn(texts: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """(acronym table, words in more than half of the texts)."""
    table_source: list[str] = []
    df: Counter = Counter()
    n = 0
    for text in texts:
        n += 1
        if "(" in text:
            table_source.append(text)
        df.update(set(_TOKEN.findall(text.lower())))
    common = sorted(w for w, c in df.items() if c > n / 2) if n >= 20 else []
    return mine(table_source), common


def load(index, cache_dir: Path | None) -> Lexicon:
    """The index's lexicon, from the cache when this generation was read before."""
    manifest = getattr(index, "manifest", {}) or {}
    key = hashlib.sha256(
        f"{getattr(index, 'gen_dir', '')}|{manifest.get('built_at')}|{manifest.get('counts')}".encode()
    ).hexdigest()[:16]
    path = cache_dir / f"lexicon-{key}.json" if cache_dir else None
    if path and path.is_file():
        try:
            raw = json.loads(path.read_text("utf-8"))
            return Lexicon(Acronyms(raw["acronyms"]), frozenset(raw["common"]))
        except (OSError, ValueError, KeyError):
            pass
    ids = index.ids_where(kinds=["paragraph", "summary", "recommendation", "text"])
    table, common = learn(r["text"] for r in index.paragraphs(ids if ids is not None else []))
    if path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"acronyms": table, "common": common}, indent=0, sort_keys=True), "utf-8")
            tmp.replace(path)
        except OSError:  # a read-only home is fine: read the index again next time
            pass
    return Lexicon(Acronyms(table), frozenset(common))
