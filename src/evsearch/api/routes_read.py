"""Read-only HTTP endpoints: thin calls into the Engine, its dicts returned as JSON.

Each route validates its parameters (FastAPI ``Query``/``Path`` bounds and the
grade vocabulary), runs one Engine call on the engine thread and returns the
core's own dict, so `evsearch search --json`, this API and the MCP tools
cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import Field as PydanticField

from evsearch import config
from evsearch.api.pages import page, wants_html
from evsearch.api.public import public_name, public_report, public_stats
from evsearch.api.schemas import (
    ERRORS,
    ID_MAX,
    HealthOut,
    JudgementOut,
    ParagraphOut,
    ReportOut,
    SearchOut,
)
from evsearch.api.params import filter_params
from evsearch.api.worker import EngineWorker
from evsearch.errors import InputError
from evsearch.search.filters import FACETS, FIELDS, GROUP_BY, SOFT_FIELDS, YEAR_MAX, YEAR_MIN, SearchRequest
from evsearch.vocab.grades import GRADE_NUMBERS, GRADE_WORDS, label_for

router = APIRouter()

__all__ = ["YEAR_MAX", "YEAR_MIN", "ReportId", "router"]

ReportId = Annotated[str, Path(description="Report id, as in /reports.", max_length=300)]

SearchFilters = Annotated[dict, Depends(filter_params())]  # every field of search/filters.py
ReportFilters = Annotated[dict, Depends(filter_params(("la", "year", "framework"), lists=False))]
JudgementFilters = Annotated[dict, Depends(filter_params(("grade", "la", "year", "framework", "report")))]


def _worker(request: Request) -> EngineWorker:
    return request.app.state.worker


def one(filters: dict[str, list], name: str) -> Any:
    """The single value of a filter an endpoint takes once (an alias and the name given both: refused)."""
    values = filters.get(name) or []
    if len(values) > 1:
        raise InputError(f"{name} takes one value here, not {len(values)}")
    return values[0] if values else None


@router.get("/search", responses={200: {"model": SearchOut}, **ERRORS}, tags=["search"])
async def search(
    request: Request,
    q: Annotated[
        str,
        Query(
            description="What to find, in plain words; grade words, authorities and years in it act as filters.",
            examples=["children missing from education", "health of looked after children"],
            openapi_examples={
                "topic": {"summary": "A topic", "value": "health assessments for children in care"},
                "graded": {"summary": "Grade words filter", "value": "inadequate help and protection"},
                "authority": {"summary": "Local authority filter", "value": "East Sussex foster carers"},
            },
            min_length=1,
            max_length=10_000,
        ),
    ],
    filters: SearchFilters,
    k: Annotated[int, Query(description="Hits to return (per group when grouped).", ge=1, le=config.MAX_K, examples=[10])] = 10,
    offset: Annotated[int, Query(description="Hits to skip (paging).", ge=0, le=10_000)] = 0,
    group_by: Annotated[
        str | None,
        Query(description=f"The best k hits per {', '.join(GROUP_BY)} (search/groups.py).", max_length=20),
    ] = None,
    facets: Annotated[
        str | None,
        Query(description=f"Counts over the matching set: any of {','.join(FACETS)} (comma-separated).", max_length=100),
    ] = None,
    ignore: Annotated[
        list[Annotated[str, PydanticField(max_length=20)]] | None,
        Query(description=f"Fields not to read from the query text ({', '.join(SOFT_FIELDS)}): a removed chip; "
                          "their words rank as ordinary words. Repeatable."),
    ] = None,
    explain: Annotated[bool, Query(description="Give each hit the signals that placed it, in words.")] = False,
) -> Any:
    """Hybrid evidence search: graded, cited paragraphs with highlighted sentences."""
    search_request = SearchRequest.of(
        q, k, offset, facets=facets, group_by=group_by or None, explain=explain, ignore=ignore, **filters
    )
    response = await _worker(request).run(lambda engine: engine.search(search_request))
    return JSONResponse(response.to_dict())  # already plain JSON types: skip FastAPI's re-encoding


@router.get("/reports", responses={200: {"model": list[ReportOut]}, **ERRORS}, tags=["reports"])
async def reports(request: Request, filters: ReportFilters) -> Any:
    """Reports in the index, with their metadata."""
    la, year, framework = one(filters, "la"), one(filters, "year"), one(filters, "framework")
    found = await _worker(request).run(lambda e: e.reports(la=la, year=year, framework=framework))
    return [public_report(r) for r in found]


@router.get("/reports/{report_id}", responses={200: {"model": ReportOut}, **ERRORS}, tags=["reports"])
async def report(request: Request, report_id: ReportId) -> Any:
    """One report's metadata and its judgement table (a browser gets the report reader page)."""
    if wants_html(request):
        return page("reader.html")
    worker = _worker(request)
    return public_report(await worker.run(lambda e: e.report(report_id)))


# The indexed file types and how a browser should open them (a PDF inline, so #page=N works).
SOURCE_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8"}


@router.get(
    "/reports/{report_id}/source",
    responses={200: {"content": {t.split(";")[0]: {} for t in SOURCE_TYPES.values()}, "description": "The indexed file"},
               **ERRORS},  # fmt: skip
    tags=["reports"],
)
async def source(request: Request, report_id: ReportId) -> Any:
    """The file the report was indexed from, for checking a citation at its page (``#page=N`` in a PDF).

    404 when the file is gone or its bytes changed since indexing (its pages may no longer match);
    the server's path never leaves it.
    """
    from evsearch.errors import NotFoundError
    from evsearch.models.files import sha256_of_file

    worker = _worker(request)
    record = await worker.run(lambda e: e.report(report_id))
    path = FilePath(record["path"])
    if not path.is_file() or path.suffix.lower() not in SOURCE_TYPES:
        raise NotFoundError(f"the file of report {report_id!r} is no longer where it was indexed",
                            hint="index it again with `evsearch index`")  # fmt: skip
    if sha256_of_file(path) != record.get("content_hash"):
        raise NotFoundError(f"the file of report {report_id!r} changed after it was indexed",
                            hint="index it again with `evsearch index`")  # fmt: skip
    return FileResponse(path, media_type=SOURCE_TYPES[path.suffix.lower()], filename=public_name(path),
                        content_disposition_type="inline")  # fmt: skip


@router.get(
    "/reports/{report_id}/paragraphs/{number}",
    responses={200: {"model": ParagraphOut}, **ERRORS},
    tags=["reports"],
)
async def paragraph(
    request: Request,
    report_id: ReportId,
    number: Annotated[int, Path(description="Printed paragraph number.", ge=0, le=1_000_000)],
) -> Any:
    """One numbered paragraph with its section and grade: the context of a citation."""
    worker = _worker(request)
    return await worker.run(lambda e: e.paragraph(report_id, number))


@router.get("/judgements", responses={200: {"model": list[JudgementOut]}, **ERRORS}, tags=["judgements"])
async def judgements(
    request: Request,
    filters: JudgementFilters,
    title: Annotated[
        str | None, Query(description="Judgement title (or part of it).", examples=["Overall effectiveness"], max_length=300)
    ] = None,
    family: Annotated[
        list[Annotated[str, PydanticField(max_length=60)]] | None,
        Query(description="Judgement family (docs/judgements.md), e.g. help_and_protection. Repeatable."),
    ] = None,
) -> Any:
    """Graded judgements across reports (e.g. every 'inadequate' overall effectiveness), each with its
    report's local_authority, year and framework. Repeat a filter to compare (``la=Leeds&la=Bradford``)."""
    return await _worker(request).run(lambda e: e.judgements(title=title, family=family, **filters))


@router.get(
    "/judgements/{judgement_id}/evidence",
    responses={200: {"model": SearchOut}, **ERRORS},
    tags=["judgements"],
)
async def judgement_evidence(
    request: Request,
    judgement_id: Annotated[int, Path(description="Judgement id, as in /judgements.", ge=0, le=ID_MAX)],
    k: Annotated[int, Query(description="Paragraphs to return.", ge=1, le=config.MAX_K)] = 20,
) -> Any:
    """The paragraphs that support one judgement, best first."""
    worker = _worker(request)

    def evidence(engine: Any) -> Any:
        judgement = engine.judgement(judgement_id)
        return engine.evidence_for_judgement(judgement["report_id"], judgement_id, k=k)

    return JSONResponse((await worker.run(evidence)).to_dict())


def vocabulary() -> dict:
    """Filter choices for the page: the grade table, the theme taxonomy's names, and the filter
    fields themselves (search/filters.py), so a page builds its controls from the one table."""
    from evsearch.search.themes import theme_names

    grades = [{"grade": g, "label": label_for(g)} for g in GRADE_NUMBERS]
    words = sorted({w.label for w in GRADE_WORDS})
    fields = [
        {"name": f.name, "help": f.help, "aliases": list(f.aliases), "many": f.many, "soft": f.soft,
         "integer": f.integer, "example": f.example}
        for f in FIELDS.values()
    ]  # fmt: skip
    return {"grades": grades, "grade_words": words, "themes": theme_names(), "filters": fields,
            "facets": list(FACETS), "group_by": list(GROUP_BY)}  # fmt: skip


@router.get("/healthz", responses={200: {"model": HealthOut}}, tags=["service"])
async def healthz(request: Request) -> Any:
    """Liveness plus index statistics, the embedding model and the filter vocabulary."""
    worker = _worker(request)
    stats = await worker.run(lambda e: e.stats())
    model = stats.get("model") if isinstance(stats.get("model"), str) else None
    return {
        "status": "ok",
        "model": public_stats(model or config.get("model")),
        "index": public_name(request.app.state.index_dir),
        "stats": public_stats(stats),
        "vocab": vocabulary(),
    }
