"""``View``: everything a search reads from one index generation, opened completely before use.

WHY one object: the stages (plan, retrieve, rank, assemble) read the index, the
query parser built from its vocabulary, its reports' metadata and its
lexicon. Keeping them together lets the Engine swap a refreshed generation in
with ONE attribute assignment (a search holds either the old view or the new
one, never a mix), and gives every stage one argument for "the index as it is".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evsearch.search.acronyms import Acronyms, load as load_lexicon
from evsearch.models.words import stem
from evsearch.search.highlight import Highlighter
from evsearch.search.query import QueryParser, Vocabulary
from evsearch.store.filters import Filters
from evsearch.store.index import Index

_VECTOR_CACHE = 512  # query embeddings kept per view
_FILTER_CACHE = 256  # filter id sets kept per view


@dataclass
class View:
    index: Index
    parser: QueryParser
    vocabulary: Vocabulary
    reports: dict[str, dict]  # report_id -> report record (local authority, years ...)
    acronyms: Acronyms
    common_words: frozenset[str]  # in over half the paragraphs: no BM25 weight
    common_stems: frozenset[str]  # their highlight stems: a sentence holding only these carries no query
    highlighter: Highlighter
    reranker: Any = None  # a cross-encoder (``predict(pairs)``) or None
    _filters: OrderedDict = field(default_factory=OrderedDict)
    _vectors: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, index: Index, *, highlighter: Highlighter, reranker: Any = None) -> "View":
        """Read what the stages need from ``index`` (the caller closes it if this raises)."""
        vocabulary = Vocabulary.from_index(index.vocabulary())
        lexicon = load_lexicon(index)
        return cls(
            index=index,
            parser=QueryParser(vocabulary),
            vocabulary=vocabulary,
            reports={r["report_id"]: r for r in index.reports()},
            acronyms=lexicon.acronyms,
            common_words=lexicon.common,
            common_stems=frozenset(stem(w) for w in lexicon.common),
            highlighter=highlighter,
            reranker=reranker,
        )

    @property
    def stop_words(self) -> frozenset[str] | set[str]:
        return self.parser.stop_words

    def ids_where(self, filters: Filters) -> np.ndarray | None:
        """Filter id sets, cached: a published generation never changes, and some filters
        (section substrings) read every paragraph."""
        key = filters
        with self._lock:
            if key in self._filters:
                return self._filters[key]
        found = self.index.ids_where(filters)
        with self._lock:
            self._filters[key] = found
            if len(self._filters) > _FILTER_CACHE:
                self._filters.popitem(last=False)
        return found

    def query_vector(self, text: str) -> np.ndarray:
        """The query's embedding, kept for next pages and repeated queries (embedding is the
        costliest step once retrieval runs in memory)."""
        with self._lock:
            found = self._vectors.get(text)
            if found is not None:
                self._vectors.move_to_end(text)
                return found
        vector = self.index.embedder.encode_query(text)
        with self._lock:
            self._vectors[text] = vector
            if len(self._vectors) > _VECTOR_CACHE:
                self._vectors.popitem(last=False)
        return vector

    def forget_queries(self) -> None:
        """Drop the kept query embeddings (benchmarks measure first-time queries)."""
        with self._lock:
            self._vectors.clear()
