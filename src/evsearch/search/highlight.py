"""Highlights: the one or two sentences of a paragraph that carry the query.

A reader scanning fifty hits wants the sentence that answers, not the whole
paragraph. Sentences come from the regex splitter
(evsearch.models.quick_sentences: the same sentences as spaCy for ~97% of
paragraphs at ~1/100 of the cost, and highlights split every hit of every
query); each is scored by the query terms it holds, weighted so that long
words count more than short ones, with a bonus for query words kept
adjacent. Cheap (no model call) and deterministic.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Callable, Iterable

from evsearch.models.quick_sentences import sentences
from evsearch.models.words import terms

LIMIT = 2  # sentences marked at most
KEEP = 0.75  # a second sentence is marked when it scores this share of the best one
# (LIMIT and KEEP were set on the eval tune half: median marked share 0.58 -> 0.41; the test half is
# reported in docs/search.md by benchmarks/highlight_share.py)


def sentence_score(words: list[str], query_terms: set[str], query_bigrams: set[tuple[str, str]]) -> float:
    if not words or not query_terms:
        return 0.0
    found = {w for w in words if w in query_terms}
    score = sum(1.0 + min(len(w), 6) / 6 for w in found)
    score += 0.5 * sum(1 for pair in zip(words, words[1:]) if pair in query_bigrams)
    return score


def pick(
    analysed: list[tuple[str, list[str]]],
    query: str,
    extra_terms: Iterable[str] = (),
    limit: int = LIMIT,
    ignore: frozenset[str] = frozenset(),
) -> list[str]:
    """Up to ``limit`` sentences, in text order, that carry the query.

    A sentence carries the query when it holds query terms other than the
    ``ignore`` stems (words in most paragraphs: "children", "services"), and
    it is kept only when it scores at least ``KEEP`` of the best sentence, so
    one strong sentence is not padded with weak ones. When no sentence
    carries the query (a hit the dense model found by meaning), nothing is
    marked: marking the first sentence would claim it answers.
    """
    if not analysed:
        return []
    q = terms(query) + [t for e in extra_terms for t in terms(e)]
    q = [t for t in q if t not in ignore] or q
    q_terms = set(q)
    q_bigrams = set(zip(q, q[1:]))
    scored = [(sentence_score(words, q_terms, q_bigrams), i) for i, (_s, words) in enumerate(analysed)]
    best = max(score for score, _ in scored)
    if best <= 0:
        return []
    chosen = sorted(scored, key=lambda si: (-si[0], si[1]))[:limit]
    chosen = [(sc, i) for sc, i in chosen if sc >= best * KEEP]
    return [analysed[i][0] for _, i in sorted(chosen, key=lambda si: si[1])]


def analyse(text: str, split: Callable[[str], list[str]]) -> list[tuple[str, list[str]]]:
    """Each sentence with its stems, computed once per paragraph."""
    return [(s, terms(s)) for s in (x.strip() for x in split(text)) if s]


def select(
    text: str,
    query: str,
    *,
    split: Callable[[str], list[str]] = sentences,
    extra_terms: Iterable[str] = (),
    ignore: frozenset[str] = frozenset(),
) -> list[str]:
    """Highlights of one paragraph (uncached; see Highlighter for the engine's cached path)."""
    return pick(analyse(text, split), query, extra_terms, ignore=ignore)


class Highlighter:
    """Highlights with a bounded LRU of analysed paragraphs.

    Popular paragraphs come back across queries, so their analysis is kept
    (keyed by the paragraph text, so a rebuilt index cannot serve stale
    sentences).
    """

    def __init__(self, split: Callable[[str], list[str]] = sentences, size: int = 8192) -> None:
        self._split, self._size = split, size
        self._cache: OrderedDict[str, list[tuple[str, list[str]]]] = OrderedDict()
        self._lock = Lock()

    def analysed(self, text: str) -> list[tuple[str, list[str]]]:
        with self._lock:
            found = self._cache.get(text)
            if found is not None:
                self._cache.move_to_end(text)
                return found
        found = analyse(text, self._split)
        with self._lock:
            self._cache[text] = found
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return found

    def select(self, text: str, query: str, extra_terms: Iterable[str] = (), ignore: frozenset[str] = frozenset()) -> list[str]:
        return pick(self.analysed(text), query, extra_terms, ignore=ignore)
