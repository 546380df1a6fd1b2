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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evsearch import config
from evsearch.config import MAX_K
from evsearch.errors import InputError
from evsearch.vocab.grades import parse_grade
from evsearch.search.assemble import assemble, hit_of
from evsearch.search.evidence import judgement_evidence
from evsearch.search import learned
from evsearch.search.explain import explain as explain_hits
from evsearch.search.facets import facet_counts, parse_facets
from evsearch.search.fusion import fuse
from evsearch.search.highlight import Highlighter
from evsearch.search.plan import Plan, plan
from evsearch.search.query import apply_options
from evsearch.search.rank import rank
from evsearch.search.results import Hit, SearchResponse
from evsearch.search.retrieve import retrieve
from evsearch.search.tuning import Tuning
from evsearch.search.view import View
from evsearch.store.index import Index

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
        return self._plan(self._current(), query, k, offset, options)

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
        facets: str | Sequence[str] | None = None,
        explain: bool = False,
    ) -> SearchResponse:
        """``facets`` ("grade,la,year,framework") adds counts over the whole ranked pool (search/facets.py);
        ``explain`` gives each hit the signals that placed it, in words (search/explain.py)."""
        started = time.perf_counter()
        view = self._current()  # one generation for the whole search
        facet_names = parse_facets(facets)
        options = dict(grade=grade, section=section, theme=theme, report=report, la=la, year=year)
        planned = self._plan(view, query, k, offset, options)
        k, offset = _check_page(k, offset)
        found = rank(fuse(retrieve(planned, view)), view)
        hits = assemble(found, view, offset=offset, k=k)
        if explain:
            explain_hits(hits, found, view)
        counts = facet_counts([pid for pid, _ in found.ranked], view.index, view.reports, facet_names) if facet_names else None
        parsed = planned_dict(planned)
        return SearchResponse(
            query=planned.query,
            parsed=parsed,
            hits=hits,
            notes=planned.notes,
            k=k,
            offset=offset,
            total=None if planned.candidates is None else int(len(planned.candidates)),
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            facets=counts,
        )

    def _plan(self, view: View, query: str, k: Any, offset: Any, options: dict[str, Any]) -> Plan:
        notes: list[str] = []
        query = _check_query(query, notes)
        k, offset = _check_page(k, offset)
        parsed = apply_options(view.parser.parse(query), vocabulary=view.vocabulary, **options)
        planned = plan(parsed, view, self.tuning, need=offset + k)
        planned.notes[:0] = notes
        return planned

    # -- judgement evidence
    def evidence_for_judgement(self, report_id: str, judgement: str | int, k: int = 20) -> SearchResponse:
        return judgement_evidence(self._current(), self.tuning, report_id, judgement, k)

    # -- records (thin pass-throughs, so faces need only the Engine)
    def reports(self, la: str | None = None, year: int | None = None, framework: str | None = None) -> list[dict]:
        return self.index.reports(local_authority=la, year=int(year) if year not in (None, "") else None, framework=framework)

    def report(self, report_id: str) -> dict:
        return self.index.report(report_id)

    def paragraph(self, report_id: str, number: int) -> dict:
        return self.index.paragraph(report_id, int(number))

    def cited_paragraph(self, report_id: str, number: int) -> Hit:
        """One numbered paragraph as a cited hit (no score), for faces that read a paragraph back."""
        view = self._current()
        return hit_of(view.index.paragraph(report_id, int(number)), 0.0, view)

    def judgements(self, grade: str | int | None = None, title: str | None = None, la: str | None = None) -> list[dict]:
        return self.index.judgements(
            grade=parse_grade(grade) if grade not in (None, "") else None, title=title or None, local_authority=la or None
        )

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
