"""Stage 2, plan: what one search will do, decided before anything is retrieved.

From the parsed query the plan fixes the filters (as a candidate id set), the
topic that boosts sections, the ranking text, the keyword query and the text
the dense model embeds. Everything after it (retrieve, fuse, rank, assemble)
reads only the ``Plan`` and the ``View``.

Filters read from free text are SOFT: when an inferred grade, local authority
or year would leave fewer paragraphs than the page needs, the plan relaxes as
few of them as it can, ranks on the rest and says so in the notes; the
paragraphs that pass every inferred filter are ``preferred`` (ranked first).
A relaxed grade word goes back into the ranking text ("serious case reviews
judged inadequate": "inadequate" is then an ordinary word). Explicit options
(``grade=``, ``--grade``) stay hard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable
from itertools import combinations

import numpy as np

from evsearch.errors import InputError
from evsearch.search.filters import FIELDS
from evsearch.vocab.slugs import close_names
from evsearch.search.keywords import keyword_query
from evsearch.search.query import ParsedQuery
from evsearch.search.themes import Theme, get_theme
from evsearch.search.tuning import Tuning
from evsearch.search.view import View
from evsearch.store.filters import Filters

# Inferred filters, in the order they are kept when some must be relaxed: an authority or a
# year named in a query is meant literally; a grade word is the most often incidental.
SOFT = ("la", "year", "grade")


@dataclass
class Topic:
    """What the query is about, for boosting: section titles named, themes found."""

    sections: list[str] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)

    def match(self, section: str | None) -> int:
        """2: section title named in the query; 1: a theme covers it; 0: neither."""
        if not section:
            return 0
        low = section.lower()
        if any(title.lower() in low or low in title.lower() for title in self.sections):
            return 2
        if any(theme.covers_section(section) for theme in self.themes):
            return 1
        return 0

    def __bool__(self) -> bool:
        return bool(self.sections or self.themes)


@dataclass
class Plan:
    query: str
    tuning: Tuning
    need: int  # ranked records the page needs (offset + k)
    parsed: ParsedQuery | None = None  # what the parse stage understood (None for judgement evidence)
    text: str = ""  # the ranking text
    dense_text: str = ""  # what the model embeds (text plus acronym expansions)
    keyword: str = ""  # FTS5 MATCH expression
    expansion: list[str] = field(default_factory=list)  # acronym/theme terms added (highlights use them too)
    topic: Topic = field(default_factory=Topic)
    focus: bool = False  # a judgement query naming only a topic: its sections lead outright
    candidates: np.ndarray | None = None  # ids passing the filters applied (None: unfiltered)
    preferred: np.ndarray | None = None  # ids passing every inferred filter, when some were relaxed
    applied: list[str] = field(default_factory=list)  # filter names applied
    relaxed: list[str] = field(default_factory=list)  # inferred filters relaxed to fill the page
    matched: list[str] = field(default_factory=list)  # what every hit matched (evidence: its place)
    prior: bool = True  # the evidence prior and topic boosts apply
    explain: bool = False  # the request asked for a per-hit explanation of the score
    notes: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """'empty': nothing passes the filters; 'order': nothing to rank by (report order); 'rank'."""
        if self.candidates is not None and len(self.candidates) == 0:
            return "empty"
        return "rank" if self.text else "order"


def plan(parsed: ParsedQuery, view: View, tuning: Tuning, *, need: int) -> Plan:
    """The plan of one search for ``parsed`` (notes carry what was read, relaxed or ignored)."""
    out = Plan(query=parsed.query, tuning=tuning, need=need, parsed=parsed, notes=list(parsed.notes))
    _filter(out, parsed, view)
    out.topic = Topic(sections=list(parsed.sections), themes=parsed.theme_objects)
    for section in parsed.filters.get("section", []):
        if section not in out.topic.sections:
            out.topic.sections.insert(0, section)
    out.focus = parsed.focus and parsed.grade is not None  # "evidence for health adequate grade"

    text = parsed.text
    if not text and not out.topic and out.candidates is None and any(c.isalnum() for c in parsed.query):
        text = parsed.query  # only stop words ("AND OR NOT", "evidence"): search them as typed
    if not text and out.topic:  # "evidence for health adequate grade": the topic is the query
        text = " ".join(out.topic.sections or [t.name for t in out.topic.themes])
    if "grade" in out.relaxed and parsed.grade_word and (tuning.relaxed_grade_word or not text):  # an ordinary word again
        text = f"{text} {parsed.grade_word}".strip()
    if not text and out.relaxed:  # "Darlington 2026" over an index without either
        text = " ".join(str(v) for name in out.relaxed for v in parsed.filters[name])
    out.text = text

    if out.mode == "empty":
        out.notes.append("no paragraphs pass the filters" + _absent(parsed, view))
    elif out.mode == "order":
        if out.candidates is None:
            raise InputError(
                f"nothing to search for in {parsed.query!r}",
                hint="add topic words, or a filter such as a grade, local authority or year",
            )
        out.notes.append("no words left to rank by: paragraphs passing the filters, in report order")
    else:
        _texts(out, parsed, view)
    return out


def _filter(out: Plan, parsed: ParsedQuery, view: View) -> None:
    """Candidates from the hard filters and as many inferred ones as leave ``need`` paragraphs."""
    hard: list[str] = []
    soft: list[str] = []
    clauses: dict[str, Filters] = {}
    for name, values in parsed.filters.items():
        found = _clauses(name, values, out)
        if found is None:
            continue
        clauses[name] = found
        (soft if parsed.source.get(name) == "query" and FIELDS[name].soft else hard).append(name)

    def ids(names: tuple[str, ...]) -> np.ndarray | None:
        spec = Filters()
        for name in (*hard, *names):
            spec = spec.and_(clauses[name])
        return view.ids_where(spec) if spec else None

    inferred = tuple(name for name in SOFT if name in soft)
    strict = ids(inferred)
    kept = inferred
    if inferred and strict is not None and len(strict) < out.need:
        options = [c for n in range(len(inferred) - 1, -1, -1) for c in combinations(inferred, n)]
        kept = next((c for c in options if _count(ids(c)) >= out.need), ())
        out.relaxed = [name for name in inferred if name not in kept]
        out.preferred = strict if len(strict) else None
        out.notes.append(_relaxed_note(parsed, out.relaxed, len(strict), view))
        out.candidates = ids(kept)
    else:
        out.candidates = strict
    out.applied = [*hard, *kept]


def _clauses(name: str, values: list, out: Plan) -> Filters | None:
    """The store clause of one field's values (a theme filters by its sections)."""
    field = FIELDS[name]
    if field.column is not None:
        return Filters(((field.column, tuple(values)),))
    theme = get_theme(values[0])
    if not theme.sections:
        out.notes.append(f"theme {theme.name!r} names no sections: it ranks results but does not filter them")
        return None
    return Filters((("sections", tuple(theme.sections)),))


def _count(ids: np.ndarray | None) -> float:
    return float("inf") if ids is None else len(ids)


def phrase(parsed: ParsedQuery, name: str) -> str:
    """How one field's values read back ("graded inadequate", "from Bradford", "in 2018 or 2022")."""
    if name == "grade" and parsed.source.get("grade") == "query" and parsed.grade_word:
        return f"graded {parsed.grade_word}"
    return FIELDS[name].phrase(parsed.filters[name])


def _relaxed_note(parsed: ParsedQuery, relaxed: list[str], passing: int, view: View) -> str:
    what = " and ".join(phrase(parsed, name) for name in relaxed)
    if passing == 0:
        return f"no paragraphs are {what}" + _absent(parsed, view) + ": read from the query, so not applied"
    return (
        f"only {passing} paragraphs pass every filter read from the query: they come first, then "
        f"paragraphs not {what}"
    )


def _texts(out: Plan, parsed: ParsedQuery, view: View) -> None:
    """Keyword query and dense text from the ranking text."""
    tuning, text = out.tuning, out.text
    themes = [p for t in out.topic.themes for p in t.expand] if tuning.expand else []
    found = view.acronyms.expansions(text) if tuning.acronyms else []
    out.expansion = list(dict.fromkeys(themes + found))
    low = text.lower()
    phrases = [p for p in parsed.phrases if p in low] if tuning.concept_phrases else []
    out.keyword = keyword_query(
        text, view.stop_words, extra=out.expansion + phrases, bigrams=tuning.phrase_bigrams, common=view.common_words
    )
    out.dense_text = " ".join([text, *found]) if tuning.dense_acronyms else text


def _did_you_mean(wanted: str, names: Iterable[str]) -> str:
    close = close_names(wanted, names)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def _absent(parsed: ParsedQuery, view: View) -> str:
    """Which filter value the index holds nothing for, said plainly."""
    reports = parsed.filters.get("report", [])
    missing = [f"no report {r!r}" + _did_you_mean(r, view.reports) for r in reports if r not in view.reports]
    known = view.vocabulary.local_authorities
    lowered = {n.lower() for n in known}
    missing += [f"no reports for {la}" + _did_you_mean(la, known) for la in parsed.filters.get("la", [])
                if la.lower() not in lowered]  # fmt: skip
    missing += [f"no reports from {y}" for y in parsed.filters.get("year", []) if y not in view.vocabulary.years]
    return f" (the index has {' and '.join(missing)})" if missing else ""
