"""``Engine``: the one search API every face (CLI, HTTP, MCP, web page) calls.

It orchestrates and owns the lifecycle (open, refresh, close); the work is
done by one stage per module, each with one entry point, over one object:

    query.py     parse     the text -> ParsedQuery (filters, topics, residual text)
    plan.py      plan      ParsedQuery -> Plan (filters as candidates, soft-filter relaxing,
                           topic, keyword query, dense text)
    retrieve.py  retrieve  Plan -> Candidates (one ranked list per retriever)
    fusion.py    fuse      Candidates -> Candidates (one fused order)
    rank.py      rank      Candidates -> Candidates (the learned model over features.py, 0-1 scores)
    assemble.py  assemble  Candidates -> hits (group, cite, highlight)

Judgement evidence (evidence.py) runs through the same stages.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from evsearch import config
from evsearch.config import MAX_K
from evsearch.errors import InputError
from evsearch.vocab.authorities import parse_la
from evsearch.search.assemble import assemble, hit_of
from evsearch.search.evidence import judgement_evidence
from evsearch.search.facets import facet_counts
from evsearch.search.filters import SearchRequest, field_named, parse_values
from evsearch.search.groups import collapse, group_entry, group_values
from evsearch.search import learned
from evsearch.search.explain import explain as explain_hits
from evsearch.search.fusion import fuse
from evsearch.search.highlight import Highlighter
from evsearch.search.plan import Plan, plan
from evsearch.search.understood import understood
from evsearch.search.query import apply_options
from evsearch.search.rank import rank
from evsearch.search.results import Hit, SearchResponse
from evsearch.search.retrieve import retrieve
from evsearch.search.tuning import Tuning
from evsearch.search.view import View
from evsearch.store.base import JudgementFilter
from evsearch.store.index import Index

# judgement filters by field name (search/filters.py) -> JudgementFilter's
JUDGEMENT_FIELDS = {"grade": "grade", "la": "local_authority", "year": "year", "framework": "framework", "report": "report_id"}

# An index swapped out by refresh() is closed this long after, so searches still using it finish.
RETIRE_SECONDS = 30.0


class Engine:
    """Open once, share between threads; ``refresh()`` after the index is rebuilt.

    Reads never wait on a refresh: the new generation is opened on the caller's thread
    (a writer's, not the one serving searches) and swapped in by one assignment of
    ``self.view``; the old index is closed ``RETIRE_SECONDS`` later.
    """

    def __init__(self, index_dir: str | Path | None = None, *, model: str | None = None, tuning: Tuning | None = None) -> None:
        self.index_dir = Path(index_dir or config.get("index"))
        self._model = model
        self.tuning = tuning or Tuning()
        if self.tuning.ranker == "learned":
            learned.load(self.tuning.ranker_model)  # a model of other features is refused here, not mid-search
        self._lock = threading.Lock()
        self._highlighter = Highlighter()  # kept across refreshes: keyed by paragraph text
        self._reranker: Any = None
        if config.get("cross_encoder"):
            from evsearch.models.reranker import load_cross_encoder

            self._reranker = load_cross_encoder(config.get("cross_encoder"))
        self.view: View | None = None
        self._open()

    # -- lifecycle
    def _open(self) -> None:
        # the generation holds its derived search structures (BM25 matrix, filter columns, vector
        # shortlist): setting memory_indexes picks them or the SQLite/FAISS paths (same results)
        # (the model is loaded once per process: a refresh on the same model does not reload it)
        index = Index.open(self.index_dir, model=self._model)
        try:
            view = View.open(index, highlighter=self._highlighter, reranker=self._reranker)
        except BaseException:
            index.close()
            raise
        with self._lock:
            old, self.view = self.view, view  # the swap: a search sees the old view or the new one
        if old is not None:
            timer = threading.Timer(RETIRE_SECONDS, old.index.close)
            timer.daemon = True
            timer.start()

    def refresh(self) -> None:
        """Reopen the index (after `evsearch index` or an upload published a new generation)."""
        self._open()

    def is_stale(self) -> bool:
        """True when a newer generation was published since this one was opened (one small file read)."""
        view = self.view
        return view is not None and view.index.is_stale()

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
            view, self.view = self.view, None
        if view is not None:
            view.index.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def index(self) -> Index:
        return self._current().index

    @property
    def embedder(self):
        return self._current().index.embedder

    @property
    def parser(self):
        return self._current().parser

    @property
    def acronyms(self):
        return self._current().acronyms

    def _current(self) -> View:
        view = self.view
        if view is None:
            raise InputError(f"the engine for {self.index_dir} is closed")
        return view

    # -- search
    def plan(self, query: str, k: int = 10, offset: int = 0, **options: Any) -> Plan:
        """The plan of a search (stages 1-2), for callers that run their own ranking (the lab)."""
        return self._plan(self._current(), SearchRequest.of(query, k, offset, **options))

    def search(self, request: SearchRequest | str, k: int = 10, offset: int = 0, **options: Any) -> SearchResponse:
        """One search. ``request`` is a SearchRequest (what every face builds), or the query text with
        the request's other parts as keywords: ``search("care leavers", k=5, la=["Leeds", "Bradford"])``."""
        if isinstance(request, str):
            request = SearchRequest.of(request, k, offset, **options)
        elif k != 10 or offset != 0 or options:
            raise InputError("pass k, offset and filters inside the SearchRequest")
        return self._search(self._current(), request)  # one generation for the whole search

    def _search(self, view: View, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        planned = self._plan(view, request)
        if request.group_by:
            return self._grouped(view, request, planned, started)
        found = rank(fuse(retrieve(planned, view)), view)
        hits = assemble(found, view, offset=request.offset, k=request.k)
        if request.explain:
            explain_hits(hits, found, view)
        total, estimate = _total(planned, found, view.index)
        pool = [pid for pid, _ in found.ranked]
        counts = facet_counts(pool, view.index, view.reports, request.facets) if request.facets else None
        return SearchResponse(
            query=planned.query,
            parsed=planned_dict(planned),
            understood=understood(planned),
            hits=hits,
            notes=planned.notes,
            k=request.k,
            offset=request.offset,
            total=total,
            total_is_estimate=estimate,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            facets=counts,
        )

    def _grouped(self, view: View, request: SearchRequest, planned: Plan, started: float) -> SearchResponse:
        """The best ``k`` hits per group (search/groups.py): one search per known value, else a collapse."""
        name = str(request.group_by)
        values = group_values(request, planned)
        notes = list(planned.notes)
        if values is None:
            found = rank(fuse(retrieve(planned, view)), view)
            groups = collapse(found, view, name, request.k, request.offset)
            total, estimate = _total(planned, found, view.index)
        else:
            groups, total, estimate = [], 0, False
            for value in values:
                one = self._search(view, request.with_filter(name, (value,)))
                own = [n for n in one.notes if n not in notes and f"overridden by the {name} option" not in n]
                groups.append(group_entry(name, value, one.hits, one.total or 0, one.total_is_estimate, own))
                total += one.total or 0
                estimate = estimate or one.total_is_estimate
        return SearchResponse(
            query=planned.query, parsed=planned_dict(planned), understood=understood(planned), hits=[], notes=notes,
            k=request.k, offset=request.offset, total=total, total_is_estimate=estimate, group_by=name, groups=groups,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )  # fmt: skip

    def _plan(self, view: View, request: SearchRequest) -> Plan:
        notes: list[str] = []
        query = _check_query(request.query, notes)
        k, offset = _check_page(request.k, request.offset)
        parsed = apply_options(view.parser.parse(query), request.filters, vocabulary=view.vocabulary,
                               ignore=request.ignore)  # fmt: skip
        planned = plan(parsed, view, self.tuning, need=offset + k)
        planned.explain = request.explain
        planned.notes[:0] = notes
        return planned

    # -- judgement evidence
    def evidence_for_judgement(self, report_id: str, judgement: str | int, k: int = 20) -> SearchResponse:
        return judgement_evidence(self._current(), self.tuning, report_id, judgement, k)

    # -- records (thin pass-throughs, so faces need only the Engine)
    def _la(self, la: str | None) -> str | None:
        """A user's ``la`` as the stored name (any alias, code or URN; unknown: InputError with the closest names)."""
        return parse_la(la, self._current().vocabulary.local_authorities) if la not in (None, "") else None

    def reports(self, la: str | None = None, year: int | None = None, framework: str | None = None) -> list[dict]:
        return self.index.reports(local_authority=self._la(la), year=int(year) if year not in (None, "") else None, framework=framework)

    def report(self, report_id: str) -> dict:
        return self.index.report(report_id)

    def paragraph(self, report_id: str, number: int) -> dict:
        return self.index.paragraph(report_id, int(number))

    def cited_paragraph(self, report_id: str, number: int) -> Hit:
        """One numbered paragraph as a cited hit (no score), for faces that read a paragraph back."""
        view = self._current()
        return hit_of(view.index.paragraph(report_id, int(number)), 0.0, view)

    def judgements(self, title: str | None = None, family: str | Sequence[str] | None = None, **filters: Any) -> list[dict]:
        """Judgements across reports, each with its report's local_authority, year and framework.

        ``filters``: grade, la, year, framework, report (search/filters.py names and aliases), one
        value or a list each (ORed)."""
        view = self._current()
        given: dict[str, tuple] = {}
        for name, raw in filters.items():
            field = field_named(name)
            if field is None or field.name not in JUDGEMENT_FIELDS:
                raise InputError(f"unknown judgement filter {name!r}", hint="filters: " + ", ".join(JUDGEMENT_FIELDS))
            values = parse_values(field, raw)
            if field.resolve is not None:
                values = tuple(field.resolve(v, view.vocabulary) for v in values)
            given[JUDGEMENT_FIELDS[field.name]] = given.get(JUDGEMENT_FIELDS[field.name], ()) + values
        families = [family] if isinstance(family, str) else list(family or ())
        where = JudgementFilter.of(
            title=(title or "").strip() or None, family=[f.strip() for f in families if f.strip()] or None,
            **{name: values or None for name, values in given.items()},
        )  # fmt: skip
        return view.index.judgements(where)

    def judgement(self, judgement_id: int) -> dict:
        return self.index.judgement(int(judgement_id))

    def stats(self) -> dict:
        index = self.index
        stats = dict(index.stats())
        stats["model_backend"] = index.manifest.get("model_backend")
        stats["cross_encoder"] = config.get("cross_encoder") or None
        stats["fusion"] = self.tuning.fusion
        stats["ranker"] = self.tuning.ranker
        return stats


def _total(planned: Plan, found: Any, index: Index) -> tuple[int, bool]:
    """(paragraphs matching, whether that is an estimate). Exact when every paragraph passing the
    filters was scored (a filtered search within the pool, or report order); otherwise the count
    of paragraphs the retrievers scored, marked as an estimate: more may match."""
    if planned.mode == "empty":
        return 0, False
    if planned.mode == "order":
        return len(planned.candidates), False
    scored = len(found.ranked)
    exact = scored >= (index.paragraph_count if planned.candidates is None else len(planned.candidates))
    return scored, not exact


def planned_dict(planned: Plan) -> dict:
    """What was understood, for the response: the parsed query plus the filters applied/relaxed."""
    body = planned.parsed.to_dict()
    body["filters"] = list(planned.applied)
    body["relaxed"] = list(planned.relaxed)
    body["ranking_text"] = planned.text  # what ranked: the residual, a relaxed grade word, or the topic
    return body


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
