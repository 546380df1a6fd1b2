"""Read-only HTTP endpoints: thin calls into the Engine, its dicts returned as JSON.

Each route validates its parameters (FastAPI ``Query``/``Path`` bounds and the
grade vocabulary), runs one Engine call on the engine thread and returns the
core's own dict, so `evsearch search --json`, this API and the MCP tools
cannot drift apart.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

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
from evsearch.api.worker import EngineWorker
from evsearch.vocab.grades import GRADE_NUMBERS, GRADE_WORDS, label_for, parse_grade
from evsearch.search.contrast import check_group_by, contrast

router = APIRouter()

YEAR_MIN, YEAR_MAX = 1990, 2100

Grade = Annotated[
    str | None,
    Query(
        description="Grade word or number: outstanding|good|requires improvement|adequate|inadequate or 1-4.",
        examples=["inadequate", "3"],
        max_length=60,
    ),
]
LocalAuthority = Annotated[
    str | None, Query(description="Local authority name.", examples=["East Sussex"], max_length=200)
]
Year = Annotated[
    int | None, Query(description="Inspection year.", examples=[2010], ge=YEAR_MIN, le=YEAR_MAX)
]
ReportId = Annotated[str, Path(description="Report id, as in /reports.", max_length=300)]


def _worker(request: Request) -> EngineWorker:
    return request.app.state.worker


def _grade(value: str | None) -> int | None:
    """Parse a grade once here so a typo is a 400 naming the valid words."""
    return None if value in (None, "") else parse_grade(value)


def _blank(value: str | None) -> str | None:
    """Empty filter boxes in forms mean 'no filter'."""
    return value if value not in (None, "") and value.strip() else None


@router.get("/search", responses={200: {"model": SearchOut}, **ERRORS}, tags=["search"])
async def search(
    request: Request,
    q: Annotated[
        str,
        Query(
            description="What to find, in plain words; grade words and local authorities in it act as filters.",
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
    k: Annotated[int, Query(description="Hits to return.", ge=1, le=config.MAX_K, examples=[10])] = 10,
    offset: Annotated[int, Query(description="Hits to skip (paging).", ge=0, le=10_000)] = 0,
    grade: Grade = None,
    section: Annotated[
        str | None, Query(description="Section title (or part of it).", examples=["Overall effectiveness"], max_length=300)
    ] = None,
    theme: Annotated[str | None, Query(description="Theme name.", examples=["health"], max_length=100)] = None,
    report: Annotated[str | None, Query(description="Restrict to one report id.", max_length=300)] = None,
    la: LocalAuthority = None,
    year: Year = None,
    group_by: Annotated[
        str | None,
        Query(description="'grade': the best k hits under each grade, side by side (search/contrast.py).", max_length=20),
    ] = None,
    facets: Annotated[
        str | None,
        Query(description="Counts over the ranked pool: any of grade,la,year,framework (comma-separated).", max_length=100),
    ] = None,
    explain: Annotated[bool, Query(description="Give each hit the signals that placed it, in words.")] = False,
) -> Any:
    """Hybrid evidence search: graded, cited paragraphs with highlighted sentences."""
    worker = _worker(request)
    if check_group_by(_blank(group_by)):
        filters = dict(grade=_grade(grade), section=_blank(section), theme=_blank(theme), report=_blank(report), la=_blank(la), year=year)
        return JSONResponse(await worker.run(lambda engine: contrast(engine, q, k=k, **filters)))
    response = await worker.run(
        lambda engine, *a, **kw: engine.search(*a, **kw),
        q,
        k=k,
        offset=offset,
        grade=_grade(grade),
        section=_blank(section),
        theme=_blank(theme),
        report=_blank(report),
        la=_blank(la),
        year=year,
        facets=_blank(facets),
        explain=explain,
    )
    return JSONResponse(response.to_dict())  # already plain JSON types: skip FastAPI's re-encoding


@router.get("/reports", responses={200: {"model": list[ReportOut]}, **ERRORS}, tags=["reports"])
async def reports(
    request: Request,
    la: LocalAuthority = None,
    year: Year = None,
    framework: Annotated[
        str | None, Query(description="Inspection framework.", examples=["slac", "sif", "ilacs"], max_length=40)
    ] = None,
) -> Any:
    """Reports in the index, with their metadata."""
    worker = _worker(request)
    found = await worker.run(lambda e: e.reports(la=_blank(la), year=year, framework=_blank(framework)))
    return [public_report(r) for r in found]


@router.get("/reports/{report_id}", responses={200: {"model": ReportOut}, **ERRORS}, tags=["reports"])
async def report(request: Request, report_id: ReportId) -> Any:
    """One report's metadata and its judgement table (a browser gets the report reader page)."""
    if wants_html(request):
        return page("reader.html")
    worker = _worker(request)
    return public_report(await worker.run(lambda e: e.report(report_id)))


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
    grade: Grade = None,
    title: Annotated[
        str | None, Query(description="Judgement title (or part of it).", examples=["Overall effectiveness"], max_length=300)
    ] = None,
    la: LocalAuthority = None,
) -> Any:
    """Graded judgements across reports (e.g. every 'inadequate' overall effectiveness)."""
    worker = _worker(request)
    g = _grade(grade)
    return await worker.run(lambda e: e.judgements(grade=g, title=_blank(title), la=_blank(la)))


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
    """Filter choices for the page: the grade table and the theme taxonomy's names."""
    from evsearch.search.themes import theme_names

    grades = [{"grade": g, "label": label_for(g)} for g in GRADE_NUMBERS]
    words = sorted({w.label for w in GRADE_WORDS})
    return {"grades": grades, "grade_words": words, "themes": theme_names()}


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
