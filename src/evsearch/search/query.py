"""Query understanding: filters and topics read out of what a user typed.

"what supports the outstanding leadership grade in Darlington 2026" holds a
grade, a topic, a local authority and a year; only "leadership" should drive
ranking. The parser finds these with a lower-case phrase matcher over spaCy's
English tokens (evsearch.models.quick_tokens runs spaCy's tokenizer rules without
importing spaCy, which a cold CLI search cannot afford) over a vocabulary built
from the index (local authorities, years, section and judgement titles) plus the
theme taxonomy, and hands back a ParsedQuery: the filters understood and the
residual text.

Grade words are ambiguous ("good support for care leavers"). The rule: a grade
word is a FILTER when the query is about a judgement, that is when
  1. it carries a judgement cue ("grade", "graded", "judged", "judgement",
     "rated", "what supports"), or a grade number ("grade 3"); or
  2. the grade word sits next to a section/judgement title from the index
     ("outstanding leadership and management"); or
  3. nothing else is left once filters, themes, section titles, stop-phrases
     and generic words are taken away ("outstanding", "inadequate Darlington",
     "good placement stability").
Otherwise it stays in the text as an ordinary word and a note says how to
filter. Explicit options (--grade, --la ...) always override the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from evsearch.vocab.authorities import match, match_keys
from evsearch.vocab.grades import GRADE_WORDS, label_for
from evsearch.models.quick_tokens import Doc, PhraseMatcher, stop_words, tokenize
from evsearch.search.filters import FIELDS
from evsearch.search.themes import Theme, load_themes

# Phrases that say "this is about a judgement" (rule 1); removed from the residual.
CUE_PHRASES = (
    "grade", "grades", "graded", "grading", "judged", "judged as", "judgement", "judgements",
    "judgment", "judgments", "rated", "rating", "ratings", "what supports", "what supported",
    "what justifies", "justify", "justifies",
)
# Phrases that carry no topic: removed from the residual, but not judgement cues.
STOP_PHRASES = (
    "evidence", "evidence for", "evidence of", "evidence that", "evidence behind", "show me",
    "find", "find me", "paragraphs", "paragraph", "examples of", "where", "which", "what",
    "why", "why was", "why is", "how",
)
# Words that do not make a query topical on their own (rule 3).
GENERIC_WORDS = frozenset(
    "service services provision practice work outcomes outcome section sections area areas "
    "children child young people council local authority authorities la report reports "
    "inspection inspections ofsted".split()
)
# spaCy calls these stop words, but in a query about services they carry the point: "not enough
# foster placements", "too few social workers", "serious case reviews". They stay in the ranking text.
MEANINGFUL = frozenset({"not", "no", "enough", "few", "fewer", "too", "less", "never", "without", "cannot", "serious"})
# Four-digit numbers in this range are read as an inspection/publication year.
MIN_YEAR, MAX_YEAR = 2005, 2035

@dataclass
class Vocabulary:
    """What the index holds, for recognising names in queries."""

    local_authorities: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    judgements: list[str] = field(default_factory=list)

    @classmethod
    def from_index(cls, raw: dict[str, list]) -> "Vocabulary":
        """From the store's ``Index.vocabulary()``."""
        return cls(
            local_authorities=list(raw["local_authorities"]),
            years=[int(y) for y in raw["years"]],
            sections=list(raw["sections"]),
            judgements=list(raw["judgement_titles"]),
        )


@dataclass
class ParsedQuery:
    query: str  # what was searched for, after truncation
    text: str  # the residual that drives ranking
    # field (search/filters.py) -> values: read from the query (soft fields) or given as options
    filters: dict[str, list] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)  # field -> "query" | "option"
    themes: list[str] = field(default_factory=list)  # themes found (an explicit theme first)
    sections: list[str] = field(default_factory=list)  # section titles named in the text
    focus: bool = False  # the text names only topics (themes/sections): rank those sections first
    phrases: list[str] = field(default_factory=list)  # multi-word concepts recognised, for phrase matching
    grade_word: str | None = None  # the grade as the user wrote it ("adequate"), when read from the text
    ignored: list[str] = field(default_factory=list)  # fields read from the text that the request said to ignore
    notes: list[str] = field(default_factory=list)

    def first(self, name: str) -> Any:
        values = self.filters.get(name)
        return values[0] if values else None

    @property
    def grade(self) -> int | None:
        return self.first("grade")

    @property
    def la(self) -> str | None:
        return self.first("la")

    @property
    def year(self) -> int | None:
        return self.first("year")

    @property
    def report(self) -> str | None:
        return self.first("report")

    @property
    def theme(self) -> str | None:
        return self.first("theme") or (self.themes[0] if self.themes else None)

    @property
    def section(self) -> str | None:
        """The section filter when given, else the first section title named (a boost)."""
        return self.first("section") or (self.sections[0] if self.sections else None)

    @property
    def grade_label(self) -> str | None:
        if self.grade is None:
            return None
        return self.grade_word if self.source.get("grade") == "query" and self.grade_word else label_for(self.grade)

    @property
    def theme_objects(self) -> list[Theme]:
        by_name = {t.name: t for t in load_themes()}
        return [by_name[n] for n in self.themes if n in by_name]

    def to_dict(self) -> dict:
        """The parse as JSON: every field's values under "values", the first of each beside them
        (grade, la, year, report, section, theme), and what the query's topic is."""
        source = dict(self.source)
        if self.sections and "section" not in source:
            source["section"] = "query"
        if self.themes and "theme" not in source:
            source["theme"] = "query"
        return {
            "query": self.query, "text": self.text,
            "grade": self.grade, "grade_label": self.grade_label, "la": self.first("la"), "year": self.first("year"),
            "report": self.first("report"), "section": self.section, "theme": self.theme,
            "values": {name: list(values) for name, values in self.filters.items()},
            "themes": list(self.themes), "sections": list(self.sections), "source": source, "focus": self.focus,
            "phrases": list(self.phrases),
        }  # fmt: skip


class QueryParser:
    """Built once per index (vocabulary changes only when the index does)."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        self.themes = load_themes()
        self._theme_by_name = {t.name: t for t in self.themes}
        # Authority names are the register's rules (vocab.authorities.match), plus the index's unresolved names.
        self._authorities = match_keys(self.vocabulary.local_authorities)
        self._sections: dict[str, str] = {}
        self._years = set(self.vocabulary.years)
        self.stop_words = stop_words() - MEANINGFUL

        matcher = PhraseMatcher()
        make = tokenize

        def add(label: str, phrases: Iterable[str]) -> None:
            docs = [make(p) for p in dict.fromkeys(phrases) if p.strip()]
            if docs:
                matcher.add(label, docs)

        for gw in GRADE_WORDS:
            add(f"GRADE:{gw.grade}", [gw.label, *gw.variants])
        add("CUE", CUE_PHRASES)
        add("STOP", STOP_PHRASES)
        for theme in self.themes:
            add(f"THEME:{theme.name}", theme.phrases)
        for title in [*self.vocabulary.sections, *self.vocabulary.judgements]:
            key = " ".join(title.split()).lower()
            if len(key) > 2:
                self._sections.setdefault(key, " ".join(title.split()))
        add("SECTION", self._sections)
        self._phrases = matcher

    # -- parsing -----------------------------------------------------------------

    def parse(self, query: str) -> ParsedQuery:
        doc = tokenize(query)
        spans = self._spans(doc)
        parsed = ParsedQuery(query=query, text="")
        removed = [False] * len(doc)
        grade_spans: list[tuple[int, int, int]] = []
        topic_tokens = [False] * len(doc)
        cue = False
        section_spans: list[tuple[int, int]] = []
        grade_number: int | None = None
        authorities: list[str] = []  # every authority named: "Leeds and Bradford" compares both
        years: list[int] = []  # every year named: "2018 and 2022" compares both

        for (start, end), labels in spans:
            text = doc[start:end].text
            for label in labels:
                kind, _, value = label.partition(":")
                if kind == "GRADENUM":
                    grade_number = grade_number or int(re.sub(r"\D", "", text))
                    cue = True
                    _mark(removed, start, end)
                elif kind == "GRADE":
                    grade_spans.append((start, end, int(value)))
                elif kind == "CUE":
                    cue = True
                    _mark(removed, start, end)
                elif kind == "STOP":
                    _mark(removed, start, end)
                elif kind == "LA":
                    _add_unique(authorities, value)
                    _mark(removed, start, end)
                elif kind == "THEME":
                    _add_unique(parsed.themes, value)
                    _mark(topic_tokens, start, end)
                    if end - start > 1:
                        _add_unique(parsed.phrases, text.lower())
                elif kind == "SECTION":
                    _add_unique(parsed.sections, self._sections[" ".join(text.split()).lower()])
                    section_spans.append((start, end))
                    _mark(topic_tokens, start, end)
        for i, tok in enumerate(doc):
            if tok.like_num and len(tok.text) == 4 and tok.text.isascii() and tok.text.isdigit():  # "²" is a digit to isdigit(), not to int()
                year = int(tok.text)
                if year in self._years or MIN_YEAR <= year <= MAX_YEAR:
                    if year not in years:
                        years.append(year)
                    removed[i] = True
        for title in parsed.sections:  # a section title implies the themes that cover it
            for theme in self.themes:
                if theme.covers_section(title):
                    _add_unique(parsed.themes, theme.name)

        grade = grade_number
        if grade_spans and grade is None:
            start, end, _grade = grade_spans[0]
            adjacent = any(_adjacent(doc, start, end, s, e, self.stop_words) for s, e in section_spans)
            content_left = any(
                not removed[i] and not topic_tokens[i] and not (start <= i < end)
                and _is_content(doc[i], self.stop_words)
                for i in range(len(doc))
            )
            if cue or adjacent or not content_left:
                grade = grade_spans[0][2]
                parsed.grade_word = doc[start:end].text.lower()
                for s, e, _g in grade_spans:
                    _mark(removed, s, e)
            else:
                word = doc[start:end].text
                parsed.notes.append(
                    f"'{word}' read as an ordinary word, not a grade filter "
                    f"(add 'grade' to the query or use the grade option to filter)"
                )
        elif grade_spans:
            for s, e, _g in grade_spans:
                _mark(removed, s, e)

        for name, values in (("grade", [] if grade is None else [grade]), ("la", authorities), ("year", years)):
            if values:
                parsed.filters[name] = values
                parsed.source[name] = "query"
        parsed.text = _residual(doc, removed, self.stop_words)
        parsed.focus = bool(parsed.themes or parsed.sections) and not any(
            not removed[i] and not topic_tokens[i] and _is_content(doc[i], self.stop_words) for i in range(len(doc))
        )
        return parsed

    def _spans(self, doc) -> list[tuple[tuple[int, int], list[str]]]:
        """Matches grouped by span; a longer span swallows the shorter ones inside it."""
        found: dict[tuple[int, int], list[str]] = {}
        authorities = [(f"LA:{name}", s, e) for s, e, name in match([t.text_with_ws for t in doc], self._authorities)]
        for label, start, end in [*self._phrases(doc), *_grade_numbers(doc), *authorities]:
            found.setdefault((start, end), []).append(label)
        accepted: list[tuple[tuple[int, int], list[str]]] = []
        for (start, end), labels in sorted(found.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0])):
            if any(start < e and s < end for (s, e), _ in accepted):
                # Themes inside a longer span still count as topics (not grades/filters).
                continue
            accepted.append(((start, end), labels))
        accepted.sort(key=lambda kv: kv[0][0])
        return accepted


def _grade_numbers(doc: Doc) -> list[tuple[str, int, int]]:
    """'grade 3' and 'grade3': a judgement cue carrying the grade number."""
    found = []
    for i, token in enumerate(doc):
        if token.lower_ == "grade" and i + 1 < len(doc) and re.fullmatch(r"[1-4]", doc[i + 1].text):
            found.append(("GRADENUM", i, i + 2))
        elif re.fullmatch(r"grade[1-4]", token.lower_):
            found.append(("GRADENUM", i, i + 1))
    return found


def _mark(flags: list[bool], start: int, end: int) -> None:
    for i in range(start, end):
        flags[i] = True


def _add_unique(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _is_content(token, stop: set[str]) -> bool:
    return token.is_alpha and token.lower_ not in stop and token.lower_ not in GENERIC_WORDS


def _adjacent(doc, s1: int, e1: int, s2: int, e2: int, stop: set[str]) -> bool:
    """Two spans touch, allowing stop words between them ("good for leadership")."""
    lo, hi = (e1, s2) if e1 <= s2 else (e2, s1)
    return all(doc[i].lower_ in stop or not doc[i].is_alpha for i in range(lo, hi))


def _residual(doc, removed: list[bool], stop: set[str]) -> str:
    """The tokens left, trimmed of stop words and punctuation at both ends."""
    keep = [i for i in range(len(doc)) if not removed[i]]

    def empty(i: int) -> bool:
        return doc[i].lower_ in stop or not any(c.isalnum() for c in doc[i].text)

    while keep and empty(keep[0]):
        keep.pop(0)
    while keep and empty(keep[-1]):
        keep.pop()
    if not keep:
        return ""
    text = "".join(doc[i].text_with_ws if i + 1 in keep or i == keep[-1] else doc[i].text + " " for i in keep)
    return " ".join(text.split())


def apply_options(
    parsed: ParsedQuery, filters: Mapping[str, Sequence[Any]], *, vocabulary: Vocabulary, ignore: Sequence[str] = ()
) -> ParsedQuery:
    """Explicit filters (a SearchRequest's, already parsed) override what was read from the text, and say so.

    ``ignore`` names fields not to read from the text (a chip the user removed): their words go
    back into the ranking text as ordinary words."""
    for name in ignore:
        if parsed.source.get(name) == "query" and name not in filters:
            values = parsed.filters.pop(name)
            parsed.source.pop(name)
            words = [parsed.grade_word or str(v) for v in values] if name == "grade" else [str(v) for v in values]
            parsed.text = " ".join([parsed.text, *words]).strip()
            parsed.ignored.append(name)
    for name, values in filters.items():
        values = list(values)
        if not values:
            continue
        resolve = FIELDS[name].resolve
        if resolve is not None:
            values = list(dict.fromkeys(resolve(v, vocabulary) for v in values))
        old = parsed.filters.get(name)
        if old and old != values and parsed.source.get(name) == "query":
            said = ", ".join(str(v) for v in old)
            parsed.notes.append(f"{name} {said} read from the query was overridden by the {name} option")
        if name == "theme":
            parsed.themes = values + [t for t in parsed.themes if t not in values]
        parsed.filters[name] = values
        parsed.source[name] = "option"
    return parsed
