"""The authority register: one entry per English children's services authority, and every name it goes by.

WHY a register: reports name their authority in many ways ("Leeds City",
"the Isle of Wight", "Bristol City of", "Wakefield District Metropolitan",
"Medway Children's Services"), and each spelling used to become an authority
of its own, so an authority's history split across several names. The data
(``data/authorities.csv``, its sources in its header and in docs/parsing.md)
holds Ofsted's provider name and URN, the DfE LA number, the ONS code, the
region, predecessor and successor links and the dates an authority existed.

Names are matched through one normalisation (``name_key``, built on
``vocab.slugs.slugify``): case, punctuation, "&", a leading "the", "City of",
"London Borough of", "Royal Borough of" and trailing "Council", "City",
"Metropolitan District", "Children's Services" ... are dropped, so council-style
names need no listing; the CSV lists only irregular aliases ("Hull", "BCP").
Everything here is pure data and pure functions: the parser resolves a report's
authority with ``resolve``/``by_urn``, the faces check a user's ``la`` with
``parse_la``, and the query parser finds the authorities a query names with
``match`` over ``match_keys`` (the same keys, plus an index's unresolved names).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from evsearch.errors import InputError
from evsearch.vocab.slugs import close_names, slugify

# Word sequences that say what kind of council a name is, not which one.
_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("the",),
    ("council", "of", "the"),
    ("london", "borough", "of"),
    ("royal", "borough", "of"),
    ("metropolitan", "borough", "of"),
    ("city", "and", "county", "of"),
    ("borough", "of"),
    ("city", "of"),
    ("county", "of"),
    ("county",),
)
_PREFIXES_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(p for p in _PREFIXES if p[0] == first) for first in dict.fromkeys(p[0] for p in _PREFIXES)
}  # the same prefixes in the same order, looked up by their first word
_SUFFIX_WORDS = frozenset(
    "council city borough district metropolitan county authority local unitary childrens services department "
    "of the and children families trust first".split()  # "... Children and Families Trust", "... Children First"
)


@dataclass(frozen=True)
class Authority:
    """One register row. ``key`` (the slug of ``name``) is the URL word: /authorities/{key}."""

    name: str  # Ofsted's provider name: what reports, pages and filters show
    urn: str | None  # Ofsted's unique reference number for the authority
    la_code: str  # DfE LA number ("383"), unique in the register
    ons_code: str | None  # ONS/GSS code; None for authorities abolished before those codes (2009)
    region: str
    aliases: tuple[str, ...] = ()  # irregular names only; the rules in name_key cover the rest
    predecessors: tuple[str, ...] = ()  # LA numbers
    successors: tuple[str, ...] = ()
    valid_from: str | None = None  # ISO date; None: before the register starts (2009)
    valid_to: str | None = None  # None: current

    @property
    def key(self) -> str:
        return slugify(self.name)

    @property
    def current(self) -> bool:
        return self.valid_to is None

    def valid_on(self, day: str) -> bool:
        """Whether the authority existed on ``day`` (ISO date)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "key": self.key,
            "urn": self.urn,
            "la_code": self.la_code,
            "ons_code": self.ons_code,
            "region": self.region,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }


def _words(text: str) -> list[str]:
    return slugify(text.replace("&", " and ")).split("-") if text else []


def full_key(text: str) -> str:
    """A name with case, punctuation and "&" folded but every word kept ("City of London" stays itself)."""
    return " ".join(w for w in _words(text) if w)


def name_key(text: str) -> str:
    """The one normalisation of an authority name: "the Royal Borough of Kensington & Chelsea Council"
    -> "kensington and chelsea"; "Bristol, City of" -> "bristol"; "Wakefield District Metropolitan" -> "wakefield"."""
    return " ".join(_stripped([w for w in _words(text) if w]))


def _stripped(words: list[str]) -> list[str]:
    """``name_key``'s rules on a name's words: the affixes that say what kind of council, dropped."""
    changed = True
    while changed and words:
        changed = False
        for prefix in _PREFIXES_BY_FIRST.get(words[0], ()):
            if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
                words = words[len(prefix) :]
                changed = True
                break
        while len(words) > 1 and words[-1] in _SUFFIX_WORDS:
            words.pop()
            changed = True
    return words


def _cell(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


@lru_cache(maxsize=1)
def register() -> tuple[Authority, ...]:
    """Every authority in the register, in name order (read once from the package data)."""
    text = resources.files("evsearch.vocab").joinpath("data/authorities.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO("".join(line for line in text.splitlines(True) if not line.startswith("#"))))
    return tuple(
        Authority(
            name=row["name"],
            urn=row["urn"] or None,
            la_code=row["la_code"],
            ons_code=row["ons_code"] or None,
            region=row["region"],
            aliases=_cell(row["aliases"]),
            predecessors=_cell(row["predecessors"]),
            successors=_cell(row["successors"]),
            valid_from=row["valid_from"] or None,
            valid_to=row["valid_to"] or None,
        )
        for row in rows
    )


@dataclass(frozen=True)
class _Lookup:
    by_code: dict[str, Authority]  # URN, LA number and ONS code
    exact: dict[str, tuple[Authority, ...]]  # full_key of names and aliases
    loose: dict[str, tuple[Authority, ...]]  # name_key of names and aliases


@lru_cache(maxsize=1)
def _lookup() -> _Lookup:
    by_code: dict[str, Authority] = {}
    exact: dict[str, list[Authority]] = {}
    loose: dict[str, list[Authority]] = {}
    regions = {name_key(entry.region) for entry in register()}  # "London" names a region, not the City
    for entry in register():
        for code in (entry.urn, entry.la_code, entry.ons_code):
            if code:
                by_code[code.lower()] = entry
        for name in (entry.name, *entry.aliases):
            for table, key in ((exact, full_key(name)), (loose, name_key(name))):
                if key and key not in regions and entry not in table.setdefault(key, []):
                    table[key].append(entry)
    return _Lookup(by_code, {k: tuple(v) for k, v in exact.items()}, {k: tuple(v) for k, v in loose.items()})


def _current(candidates: tuple[Authority, ...]) -> Authority:
    """Of the authorities a name may mean, the current one (else the last listed)."""
    return next((a for a in candidates if a.current), candidates[-1])


def by_urn(urn: str | None) -> Authority | None:
    """The authority with Ofsted URN ``urn`` (a corpus folder's ``<URN>_<name>`` prefix)."""
    entry = _lookup().by_code.get((urn or "").strip().lower())
    return entry if entry is not None and entry.urn == (urn or "").strip() else None


def resolve(text: str | None, *, on: str | None = None) -> Authority | None:
    """The authority ``text`` names: a name, an alias, a council-style name, a slug, a URN, an LA number
    or an ONS code; ``on`` (ISO date) picks between authorities that shared a name. None when unknown."""
    if not text or not text.strip():
        return None
    table = _lookup()
    code = table.by_code.get(text.strip().lower())
    if code is not None:
        return code
    if on:  # "Dorset" in 2015 is Dorset County Council, in 2024 Dorset Council
        candidates = (*table.exact.get(full_key(text), ()), *table.loose.get(name_key(text), ()))
        valid = [a for a in dict.fromkeys(candidates) if a.valid_on(on)]
        if valid:
            return valid[0]
    return _named(text)


def _named(text: str) -> Authority | None:
    """The authority a name (not a code) means: every word kept first ("City of London"), then the
    rule-stripped key; of several that shared it, the current one. ``resolve`` and ``match`` both ask this."""
    table = _lookup()
    exact = table.exact.get(full_key(text), ())
    if exact:
        return _current(exact)
    loose = table.loose.get(name_key(text), ())
    return _current(loose) if loose else None


@lru_cache(maxsize=1)
def _mention_pattern() -> re.Pattern[str]:
    names = sorted({n for entry in register() for n in (entry.name, *entry.aliases) if len(n) > 3}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def mentioned(text: str, *, on: str | None = None) -> Authority | None:
    """The one authority ``text`` names (a cover page whose title line could not be read), matched as
    printed, capitalised, whole words; None when it names none or more than one."""
    found = {resolve(m.group(1), on=on) for m in _mention_pattern().finditer(text)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def by_la_code(code: str) -> Authority | None:
    entry = _lookup().by_code.get(code.strip().lower())
    return entry if entry is not None and entry.la_code == code.strip() else None


def suggest(text: str, n: int = 3, extra: Iterable[str] = ()) -> list[str]:
    """The names closest to ``text``: ``extra`` names first (an index's own names, so a page that exists
    is offered before one that does not), then the register's names and aliases, each given as its
    canonical name. One rule for every "did you mean" (``vocab.slugs.close_names``)."""
    canonical: dict[str, str] = {}
    for entry in register():
        for name in (entry.name, *entry.aliases):
            canonical.setdefault(name, entry.name)
    wanted = name_key(text) or text
    found = close_names(wanted, list(extra), n=n) + [canonical[c] for c in close_names(wanted, canonical, n=n * 2)]
    return list(dict.fromkeys(found))[:n]


def parse_la(value: str, known: Iterable[str] = ()) -> str:
    """A user's ``la`` (any alias, code, URN or slug) as the canonical name an index stores.

    ``known`` are names an index holds that the register lacks (unresolved reports, kept verbatim):
    they match themselves. Raises InputError naming the closest names when nothing matches.
    """
    value = " ".join(str(value).split())
    entry = resolve(value)
    if entry is not None:
        return entry.name
    wanted = name_key(value)
    for name in known:
        if name.lower() == value.lower() or name_key(name) == wanted or slugify(name) == slugify(value):
            return name
    close = suggest(value, extra=known)
    raise InputError(
        f"unknown local authority {value!r}",
        hint=("did you mean: " + ", ".join(close)) if close else "see /authorities for the names",
    )


# -- names in running text (a query) ---------------------------------------------------------------

# One-word names that are also everyday words: in lower case ("reading and writing") they are the word.
EVERYDAY_NAMES = frozenset({"reading", "bury", "bath", "derby", "sutton", "poole"})
# Words name_key drops that may end a name in running text ("Leeds City Council", "Bradford Children and
# Families Trust", "Medway Children's Services"). Not "city" or "county": after a place name they are as
# often the query's own words ("Kent county lines", "Leeds city centre").
_CLOSING_WORDS = frozenset("council borough district metropolitan authority services trust".split())
_WHITESPACE_TOKENS = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class NameKeys:
    """What ``match`` looks phrases up in (``match_keys``): built once per index, not per query."""

    verbatim: dict[str, str]  # full_key and name_key of a name only an index holds -> that name as held
    first: frozenset[str]  # words a mention may start with: a key's first word or a prefix's ("london")
    last: frozenset[str]  # words a mention may end with: a key's last word or a closing word
    words: frozenset[str]  # every word a mention may hold: its keys' words and the affixes' words
    longest: int  # the most words a mention may have, affixes included


def match_keys(extra: Iterable[str] = ()) -> NameKeys:
    """The keys ``match`` finds names by: the register's names and aliases (the tables ``resolve`` reads)
    and ``extra``, names an index holds that the register lacks (unresolved reports, kept verbatim), which
    match themselves under the same two keys, as ``parse_la`` accepts them."""
    table = _lookup()
    verbatim: dict[str, str] = {}
    for name in extra:
        if _named(name) is None:
            for key in (full_key(name), name_key(name)):
                if key:
                    verbatim.setdefault(key, name)
    keys = [k.split() for k in (*table.exact, *table.loose, *verbatim)]
    return NameKeys(
        verbatim=verbatim,
        first=frozenset({k[0] for k in keys} | {p[0] for p in _PREFIXES if p != ("the",)}),
        last=frozenset({k[-1] for k in keys} | _CLOSING_WORDS),
        # "s": the tokenizer's "'s" ("Medway Children's Services"), which the key reads as part of "childrens"
        words=frozenset({w for k in keys for w in k} | {w for p in _PREFIXES for w in p} | _SUFFIX_WORDS | {"s"}),
        longest=max(map(len, keys)) + max(map(len, _PREFIXES)) + 4,  # "... Children and Families Trust"
    )


@lru_cache(maxsize=1)
def _register_keys() -> NameKeys:
    return match_keys()


@lru_cache(maxsize=4096)
def _token_words(token: str) -> tuple[str, ...]:
    return tuple(w for w in _words(token) if w)


def _name_of(phrase: str, last_word: str, keys: NameKeys) -> str | None:
    """The name ``phrase`` is, by ``resolve``'s keys (the register's, then the index's verbatim names).
    Under the stripped key it must end on the name or on a closing word: "Leeds Children and Families
    Trust" is Leeds, "Leeds children and families" is Leeds and then three words of the query."""
    table = _lookup()
    words = [w for w in _words(phrase) if w]
    exact = " ".join(words)  # full_key(phrase)
    if exact in table.exact:
        return _current(table.exact[exact]).name
    if exact in keys.verbatim:
        return keys.verbatim[exact]
    loose_words = _stripped(words)
    if last_word not in _CLOSING_WORDS and loose_words[-1:] != [last_word]:
        return None
    loose = " ".join(loose_words)  # name_key(phrase)
    return _current(table.loose[loose]).name if loose in table.loose else keys.verbatim.get(loose)


def match(text: str | Sequence[str], keys: NameKeys | None = None) -> list[tuple[int, int, str]]:
    """Every authority ``text`` names, as (start, end, name): tokens[start:end] name the register's
    canonical ``name`` (or a name ``keys`` holds verbatim), left to right; where two mentions overlap the
    longer wins. ``text`` is a string (split at whitespace) or its tokens, each with the whitespace after
    it, so that a mention reads as typed.

    A phrase names an authority when the keys ``resolve`` finds names by (``full_key``, else ``name_key``)
    find it: any name or alias, in any case, with or without its council-style affixes ("London Borough
    of", "City Council"), with "&" or "and". A mention starts on a name's word or an affix's, and ends on
    a name's word or a closing word ("Council", "Services"; not "county"). A one-word name that is an
    everyday word (``EVERYDAY_NAMES``) counts only when capitalised or with an affix ("reading" alone is
    the word). Codes and slugs, which ``resolve`` also takes, are not names in running text.
    """
    tokens = _WHITESPACE_TOKENS.findall(text) if isinstance(text, str) else list(text)
    keys = keys or _register_keys()
    words = [_token_words(t) for t in tokens]
    found: list[tuple[int, int, str]] = []
    for start, head in enumerate(words):
        if not head or head[0] not in keys.first:
            continue
        count = 0
        for end in range(start + 1, len(tokens) + 1):
            tail = words[end - 1]
            count += len(tail)
            if count > keys.longest or not keys.words.issuperset(tail):
                break  # no name runs on through a word no name or affix has
            if not tail or tail[-1] not in keys.last:
                continue
            if end - start == 1 and head[0] in EVERYDAY_NAMES and tokens[start].islower():
                continue
            name = _name_of("".join(tokens[start:end]), tail[-1], keys)
            if name:
                found.append((start, end, name))
    chosen: list[tuple[int, int, str]] = []
    for mention in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        if all(mention[1] <= s or e <= mention[0] for s, e, _ in chosen):
            chosen.append(mention)
    return sorted(chosen)
