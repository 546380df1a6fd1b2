"""``Engine``: the one search API every face (CLI, HTTP, MCP, web page) calls.

It owns an open Index and the query parser built from that index's
vocabulary, and turns a user's query into one SearchResponse: understand the
query, retrieve with the filters inside both retrievers, fuse, boost the
sections the query is about, optionally rerank, deduplicate, paginate and
highlight.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evsearch import config
from evsearch.errors import InputError
from evsearch.indexer.grades import parse_grade
from evsearch.search import acronyms, highlight
from evsearch.search.query import ParsedQuery, QueryParser, Vocabulary, apply_options
from evsearch.search.results import Hit, SearchResponse, citation
from evsearch.search.retrieve import Topic, Tuning, boost, keyword_query, retrieve
from evsearch.search.themes import get_theme

log = logging.getLogger(__name__)

MAX_K = 100
_VECTOR_CACHE = 512  # query embeddings kept per engine


# An index swapped out by refresh() is closed this long after, so searches still using it finish.
RETIRE_SECONDS = 30.0


@dataclass
class _View:
    """Everything a search reads from one generation, opened completely before it is swapped in."""

    index: Any
    parser: QueryParser
    vocabulary: Vocabulary
    meta: dict[str, dict]
    acronyms: Any
    common_words: frozenset[str]
    filter_cache: dict[tuple, Any] = field(default_factory=dict)
    vectors: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict)


class Engine:
    """Open once, share between threads; ``refresh()`` after the index is rebuilt.

    Reads never wait on a refresh: the new generation is opened on the caller's thread
    (a writer's, not the one serving searches) and swapped in by one assignment of
    ``self._view``; the old index is closed ``RETIRE_SECONDS`` later.
    """

    def __init__(self, index_dir: str | Path | None = None, *, model: str | None = None, tuning: Tuning | None = None) -> None:
        self.index_dir = Path(index_dir or config.get("index"))
        self._model = model
        self.tuning = tuning or Tuning()
        self._lock = threading.RLock()
        self._reranker: Any = None
        self._reranker_loaded = False
        self._view: _View | None = None
        self._split: Any = None
        self._open()

    # the current generation's parts (one _View, replaced whole by refresh)
    @property
    def index(self) -> Any:
        view = self._view
        return None if view is None else view.index

    @property
    def parser(self) -> QueryParser:
        return self._view.parser  # type: ignore[union-attr]

    @property
    def vocabulary(self) -> Vocabulary:
        return self._view.vocabulary  # type: ignore[union-attr]

    @property
    def _meta(self) -> dict[str, dict]:
        return self._view.meta  # type: ignore[union-attr]

    @property
    def acronyms(self) -> Any:
        return self._view.acronyms  # type: ignore[union-attr]

    @property
    def common_words(self) -> frozenset[str]:
        return self._view.common_words  # type: ignore[union-attr]

    @property
    def _filter_cache(self) -> dict[tuple, Any]:
        return self._view.filter_cache  # type: ignore[union-attr]

    @property
    def _vectors(self) -> OrderedDict[str, np.ndarray]:
        return self._view.vectors  # type: ignore[union-attr]

    # -- lifecycle
    def _open(self) -> None:
        from evsearch.store.index import Index

        # the generation holds its derived search structures (BM25 matrix, filter columns, vector
        # shortlist): setting memory_indexes picks them or the SQLite/FAISS paths (same results)
        index = Index.open(self.index_dir, model=self._model)
        old_index = self.index
        if old_index is not None and old_index.manifest.get("model") == index.manifest.get("model"):
            # keep the loaded model across refreshes (same model: same vectors); loading costs seconds
            loaded = getattr(old_index, "_embedder", None)
            if loaded is not None and getattr(index, "_embedder", "absent") is None:
                index._embedder = loaded
        try:
            vocabulary = Vocabulary.from_index(index.vocabulary())
            lexicon = acronyms.load(index)
            view = _View(index, QueryParser(vocabulary), vocabulary, {r["report_id"]: r for r in index.reports()},
                         lexicon.acronyms, lexicon.common)  # fmt: skip
        except BaseException:
            index.close()
            raise
        with self._lock:
            old, self._view = self._view, view  # the swap: searches see the old view or the new one
        if old is not None:
            timer = threading.Timer(RETIRE_SECONDS, old.index.close)
            timer.daemon = True
            timer.start()

    def refresh(self) -> None:
        """Reopen the index (after `evsearch index` or an upload published a new generation)."""
        self._open()

    def is_stale(self) -> bool:
        """True when a newer generation was published since this one was opened (one small file read)."""
        index = self.index
        return index is not None and index.is_stale()

    def refresh_if_stale(self) -> bool:
        """Reopen when another process published a newer generation; True when it did.

        Long-lived readers (the HTTP and MCP servers) call this so an `evsearch index`
        run elsewhere shows up without a restart.
        """
        if self.is_stale():
            self._open()
            return True
        return False

    def close(self) -> None:
        with self._lock:
            view, self._view = self._view, None
        if view is not None:
            view.index.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embedder(self):
        return self.index.embedder

    # -- search
    def search(
        self,
        query: str,
        k: int = 10,
        offset: int = 0,
        *,
        grade: str | int | None = None,
        section: str | None = None,
        theme: str | None = None,
        report: str | None = None,
        la: str | None = None,
        year: int | str | None = None,
    ) -> SearchResponse:
        started = time.perf_counter()
        notes: list[str] = []
        query = _check_query(query, notes)
        k, offset = _check_page(k, offset)
        parsed = apply_options(
            self.parser.parse(query), vocabulary=self.vocabulary,
            grade=grade, section=section, theme=theme, report=report, la=la, year=year,
        )  # fmt: skip
        notes.extend(parsed.notes)
        candidates, applied = self._candidates(parsed, notes)
        topic = Topic(sections=list(parsed.sections), themes=parsed.theme_objects)
        if parsed.section and parsed.source.get("section") == "option" and parsed.section not in topic.sections:
            topic.sections.insert(0, parsed.section)

        text = parsed.text
        if not text and not topic and candidates is None and any(c.isalnum() for c in query):
            text = query  # only stop words ("AND OR NOT", "evidence"): search them as typed
        if not text and topic:  # "evidence for health adequate grade": the topic is the query
            text = " ".join(topic.sections or [t.name for t in topic.themes])
        records: dict[int, dict] = {}
        if candidates is not None and len(candidates) == 0:
            notes.append("no paragraphs pass the filters" + _absent(parsed, self.vocabulary, self._meta))
            ranked: list[tuple[int, float]] = []
        elif not text:
            if candidates is None:
                raise InputError(
                    f"nothing to search for in {query!r}",
                    hint="add topic words, or a filter such as a grade, local authority or year",
                )
            notes.append("no words left to rank by: paragraphs passing the filters, in report order")
            ranked = [(int(pid), 0.0) for pid in candidates]
        else:
            ranked, records = self._rank(text, parsed, topic, candidates, offset + k)
        window = [pid for pid, _ in ranked[: 2 * (offset + k) + 20]]  # room for dropped duplicates
        missing = [pid for pid in window if pid not in records]
        records.update((r["id"], r) for r in self.index.paragraphs(missing))
        records = {pid: records[pid] for pid in window if pid in records}
        _enclosing_numbers(self.index, records)
        ranked = _dedupe(ranked, records, limit=offset + k)
        page = ranked[offset : offset + k]
        extra_terms = self._expansion(text, topic) if text else []
        hits = [self._hit(records[pid], score, text, extra_terms, applied, topic) for pid, score in page]
        if self._use_reranker() and hits and text:
            notes.append(f"reranked by cross-encoder {config.get('cross_encoder')}")
        return SearchResponse(
            query=query,
            parsed=_parsed_dict(parsed, applied),
            hits=hits,
            notes=notes,
            k=k,
            offset=offset,
            total=None if candidates is None else int(len(candidates)),
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def _candidates(self, parsed: ParsedQuery, notes: list[str]) -> tuple[np.ndarray | None, list[str]]:
        """Paragraph ids passing the hard filters (None: no filter), and the filters' names."""
        filters: dict[str, list] = {}
        applied = []
        if parsed.grade is not None:
            filters["grades"] = [parsed.grade]
            applied.append("grade")
        if parsed.report:
            filters["report_ids"] = [parsed.report]
            applied.append("report")
        if parsed.la:
            filters["local_authorities"] = [parsed.la]
            applied.append("la")
        if parsed.year is not None:
            filters["years"] = [parsed.year]
            applied.append("year")
        if parsed.section and parsed.source.get("section") == "option":
            filters["sections"] = [parsed.section]
            applied.append("section")
        ids = self._ids_where(**filters) if filters else None
        if parsed.theme and parsed.source.get("theme") == "option":
            theme = get_theme(parsed.theme)
            if theme.sections:
                theme_ids = self._ids_where(sections=list(theme.sections))
                ids = theme_ids if ids is None else np.intersect1d(ids, theme_ids)
                applied.append("theme")
            else:
                notes.append(f"theme {theme.name!r} names no sections: it ranks results but does not filter them")
        return ids, applied

    def _ids_where(self, **filters: list) -> np.ndarray | None:
        """Filter id sets, cached per engine: a published index never changes, and the SQL
        behind some filters (section substrings) reads every paragraph."""
        key = tuple(sorted((name, tuple(values)) for name, values in filters.items()))
        cache = self._filter_cache
        if key not in cache:
            if len(cache) >= 256:
                cache.pop(next(iter(cache)))
            cache[key] = self.index.ids_where(**filters)
        return cache[key]

    def _rank(
        self, text: str, parsed: ParsedQuery, topic: Topic, candidates: np.ndarray | None, need: int
    ) -> tuple[list[tuple[int, float]], dict[int, dict]]:
        tuning = self.tuning
        found = self.acronyms.expansions(text) if tuning.acronyms and tuning.dense_acronyms else []
        dense_text = " ".join([text, *found])
        embedder = self.embedder
        expansion = self._expansion(text, topic) + self._phrases(parsed, text)
        fts = keyword_query(
            text, self.parser.nlp.Defaults.stop_words, extra=expansion, bigrams=tuning.phrase_bigrams,
            common=self.common_words,
        )
        scores = retrieve(self.index, lambda: self._query_vector(embedder, dense_text), fts, candidates, tuning, need)
        ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        focus = parsed.focus and parsed.grade is not None  # a judgement query about one topic
        # Boosts are small (< 0.25) except in focus mode, so only the head of the fused list can
        # move; records are fetched for it alone (fetching is the costly part).
        depth = len(ordered) if focus else max(tuning.boost_depth, need + 20)
        head, tail = ordered[:depth], ordered[depth:]
        # boosts read only section, grade and kind: light records (whole ones are fetched for the page)
        facets = {r["id"]: r for r in self.index.paragraph_facets([pid for pid, _ in head])}
        boosted = boost(dict(head), facets, topic, tuning, focus=focus)
        ranked = sorted(boosted.items(), key=lambda kv: (-kv[1], kv[0])) + tail
        if self._use_reranker() and ranked:
            from evsearch.search.rerank import rerank

            ranked = rerank(self._reranker, text, ranked, self.index, depth=max(30, need))
        records = {} if facets and "text" not in next(iter(facets.values())) else facets
        return ranked, records

    def _query_vector(self, embedder: Any, text: str) -> np.ndarray:
        """The query's embedding, kept for the next pages and repeats of popular queries
        (embedding is ~4 ms, the largest stage once retrieval runs in memory)."""
        cache = self._vectors
        with self._lock:
            found = cache.get(text)
            if found is not None:
                cache.move_to_end(text)
                return found
        vector = embedder.encode_query(text)
        with self._lock:
            cache[text] = vector
            if len(cache) > _VECTOR_CACHE:
                cache.popitem(last=False)
        return vector

    def _expansion(self, text: str, topic: Topic) -> list[str]:
        """Keyword-query additions: the themes' expansion terms and the corpus's acronyms."""
        themes = [p for t in topic.themes for p in t.expand] if self.tuning.expand else []
        found = self.acronyms.expansions(text) if self.tuning.acronyms else []
        return list(dict.fromkeys(themes + found))

    def _phrases(self, parsed: ParsedQuery, text: str) -> list[str]:
        if not self.tuning.concept_phrases:
            return []
        low = text.lower()
        return [p for p in parsed.phrases if p in low]

    def _use_reranker(self) -> bool:
        if not self._reranker_loaded:
            name = config.get("cross_encoder")
            if name:
                from evsearch.search.rerank import load

                self._reranker = load(name)
            self._reranker_loaded = True
        return self._reranker is not None

    def _hit(self, record: dict, score: float, text: str, extra_terms: list[str], applied: list[str], topic: Topic) -> Hit:
        if self._split is None:
            # the regex splitter, not spaCy: same sentences for ~97% of paragraphs, ~100x cheaper
            from evsearch.models.quick_sentences import sentences

            self._split = highlight.Highlighter(sentences)
        meta = self._meta.get(record["report_id"], {})
        matched = list(applied)
        level = topic.match(record.get("section")) if topic else 0
        if level == 2:
            matched.append("section")
        elif level == 1:
            matched.append("theme")
        hit = Hit.from_record(
            record, score,
            highlights=self._split.select(record["text"], text, extra_terms),
            local_authority=meta.get("local_authority"),
            year=meta.get("inspection_year") or meta.get("published_year"),
            matched=matched,
        )  # fmt: skip
        hit.citation = citation(hit)
        return hit

    # -- judgement evidence
    def evidence_for_judgement(self, report_id: str, judgement: str | int, k: int = 20) -> SearchResponse:
        from evsearch.search.evidence import judgement_evidence

        return judgement_evidence(self, report_id, judgement, k)

    # -- records (thin pass-throughs, so faces need only the Engine)
    def reports(self, la: str | None = None, year: int | None = None, framework: str | None = None) -> list[dict]:
        return self.index.reports(local_authority=la, year=int(year) if year not in (None, "") else None, framework=framework)

    def report(self, report_id: str) -> dict:
        return self.index.report(report_id)

    def paragraph(self, report_id: str, number: int) -> dict:
        return self.index.paragraph(report_id, int(number))

    def judgements(self, grade: str | int | None = None, title: str | None = None, la: str | None = None) -> list[dict]:
        return self.index.judgements(
            grade=parse_grade(grade) if grade not in (None, "") else None, title=title or None, local_authority=la or None
        )

    def judgement(self, judgement_id: int) -> dict:
        return self.index.judgement(int(judgement_id))

    def stats(self) -> dict:
        stats = dict(self.index.stats())
        stats["model"] = self.index.manifest.get("model")
        stats["model_backend"] = self.index.manifest.get("model_backend")
        stats["cross_encoder"] = config.get("cross_encoder") or None
        stats["fusion"] = self.tuning.fusion
        return stats


def _absent(parsed: ParsedQuery, vocabulary: Vocabulary, reports: dict) -> str:
    """Which filter value the index holds nothing for, said plainly."""
    missing = []
    if parsed.report and parsed.report not in reports:
        missing.append(f"no report {parsed.report!r}")
    if parsed.la and parsed.la.lower() not in {n.lower() for n in vocabulary.local_authorities}:
        missing.append(f"no reports for {parsed.la}")
    if parsed.year is not None and parsed.year not in vocabulary.years:
        missing.append(f"no reports from {parsed.year}")
    return f" (the index has {' and '.join(missing)})" if missing else ""


def _check_query(query: Any, notes: list[str]) -> str:
    if query is None or not isinstance(query, str) or not query.strip():
        raise InputError("the query is empty", hint="type some words to search for, e.g. 'care leavers housing'")
    query = " ".join(query.split())
    limit = int(config.get("max_query_chars"))
    if len(query) > limit:
        cut = query[:limit].rsplit(" ", 1)[0] or query[:limit]
        notes.append(f"query truncated to {len(cut)} characters (max_query_chars={limit})")
        query = cut
    return query


def _check_page(k: Any, offset: Any) -> tuple[int, int]:
    try:
        k, offset = int(k), int(offset)
    except (TypeError, ValueError) as exc:
        raise InputError("k and offset must be whole numbers") from exc
    if not 1 <= k <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K}, not {k}")
    if offset < 0:
        raise InputError(f"offset must be 0 or more, not {offset}")
    return k, offset


_LOOKBACK = 12  # bullets of one recommendation paragraph rarely exceed this


def _enclosing_numbers(index: Any, records: dict[int, dict]) -> None:
    """Give unnumbered items (recommendation bullets) the number of the paragraph they sit in.

    Reports print "20. ... should take the following action:" and then
    bullets; a citation of a bullet is a citation of paragraph 20. Ids are
    assigned in reading order within a report, so the enclosing paragraph is
    the nearest earlier id of the same report that has a number.
    """
    todo = [r for r in records.values() if r.get("number") is None and r.get("kind") == "recommendation"]
    if not todo:
        return
    wanted = sorted({i for r in todo for i in range(max(0, r["id"] - _LOOKBACK), r["id"])} - set(records))
    before = {r["id"]: r for r in index.paragraphs(wanted)}
    before.update(records)
    for record in todo:
        for pid in range(record["id"] - 1, max(-1, record["id"] - _LOOKBACK - 1), -1):
            prev = before.get(pid)
            if prev is None or prev["report_id"] != record["report_id"] or prev["seq"] >= record["seq"]:
                break
            if prev.get("number") is not None:
                record["number"] = prev["number"]
                record["number_inferred"] = True
                break


_NORM = re.compile(r"[^a-z0-9]+")


def _dedupe(ranked: list[tuple[int, float]], records: dict[int, dict], *, limit: int) -> list[tuple[int, float]]:
    """Drop repeats: the same report paragraph, or near-identical text (a report indexed twice)."""
    seen_keys: set = set()
    out = []
    for pid, score in ranked:
        rec = records.get(pid)
        if rec is None:
            if len(out) >= limit:
                break
            continue
        keys = {("text", _NORM.sub(" ", rec["text"].lower()).strip()[:300])}
        if rec.get("number") is not None:
            keys.add(("num", rec["report_id"], rec["number"]))
        if keys & seen_keys:
            continue
        seen_keys |= keys
        out.append((pid, score))
        if len(out) >= limit:
            break
    return out


def _parsed_dict(parsed: ParsedQuery, applied: list[str]) -> dict:
    body = parsed.to_dict()
    body["filters"] = applied
    return body
