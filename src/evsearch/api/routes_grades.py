"""Grades across reports over HTTP: the grade table, its summary, authorities, and the pages that draw them.

Each route calls one function of ``search.grades`` on the engine thread and
returns its dict. Like Datasette's views, one URL serves JSON to programs and
a page to browsers: ``/authorities/{la}``, ``/grades/summary`` and
``/reports/{id}`` answer ``Accept: text/html`` with a static page whose script
fetches the same URL as JSON (``pages.wants_html``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from evsearch.api.pages import page, wants_html
from evsearch.api.params import filter_params
from evsearch.api.routes_read import YEAR_MAX, YEAR_MIN, ReportId, one
from evsearch.api.schemas import ERRORS
from evsearch.api.worker import EngineWorker
from evsearch.errors import InputError

router = APIRouter()

Family = Annotated[
    str | None,
    Query(description="Judgement family (docs/judgements.md), e.g. help_and_protection.", max_length=60),
]
Year = Annotated[int | None, Query(description="Inspection year.", examples=[2019], ge=YEAR_MIN, le=YEAR_MAX)]
Framework = Annotated[
    str | None, Query(description="Inspection framework: slac, sif, ilacs, ilacs-2026.", max_length=40)
]
Authority = Annotated[str, Path(description="Local authority name or slug, as in /authorities.", max_length=200)]


def _worker(request: Request) -> EngineWorker:
    return request.app.state.worker


def _blank(value: str | None) -> str | None:
    return value if value not in (None, "") and value.strip() else None


@router.get("/grades", responses={200: {"description": "JSON array of grade rows, or CSV"}, **ERRORS}, tags=["grades"])
async def grades(
    request: Request,
    filters: Annotated[dict, Depends(filter_params(("la", "year", "framework"), lists=False))],
    family: Family = None,
    format: Annotated[str, Query(description="json (default) or csv (a download with a file name).", max_length=10)] = "json",
) -> Any:
    """One row per judgement across reports: authority (name or slug), framework, dates, family, title and grade."""
    from evsearch.search.grades import grade_rows, public_rows, rows_csv

    la, year, framework = one(filters, "la"), one(filters, "year"), one(filters, "framework")
    if format not in ("json", "csv"):
        raise InputError(f"format must be json or csv, not {format!r}")
    rows = await _worker(request).run(
        lambda e: public_rows(
            grade_rows(e.index, family=_blank(family), la=_blank(la), year=year, framework=_blank(framework))
        )
    )
    if format == "csv":
        name = "-".join(str(v) for v in ("grades", family, la, year, framework) if v) + ".csv"
        return Response(
            rows_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_safe_filename(name)}"'},
        )
    return JSONResponse(rows)


def _safe_filename(name: str) -> str:
    from evsearch.vocab.slugs import slugify

    stem = slugify(name.removesuffix(".csv")) or "grades"
    return f"{stem}.csv"


@router.get("/grades/summary", responses={200: {"description": "Counts per year, family and grade"}, **ERRORS}, tags=["grades"])
async def grades_summary(request: Request, family: Family = None, year: Year = None, framework: Framework = None) -> Any:
    """Reports per grade per year for each family (a browser gets the national page that charts it)."""
    from evsearch.search.grades import grades_summary as summary

    if wants_html(request):
        return page("national.html")
    return await _worker(request).run(
        lambda e: summary(e.index, family=_blank(family), year=year, framework=_blank(framework))
    )


@router.get("/authorities", responses={200: {"description": "Each authority with its latest grade per family"}, **ERRORS}, tags=["grades"])
async def authorities(request: Request) -> Any:
    """Every local authority in the index with its latest grade per judgement family."""
    from evsearch.search.grades import authorities as listing

    return await _worker(request).run(lambda e: listing(e.index))


@router.get("/authorities/{la}", responses={200: {"description": "An authority's reports with family grades"}, **ERRORS}, tags=["grades"])
async def authority(request: Request, la: Authority) -> Any:
    """One authority's reports in date order with a grade per family and links (a browser gets its page)."""
    from evsearch.search.grades import authority as one

    if wants_html(request):
        return page("authority.html")
    return await _worker(request).run(lambda e: one(e.index, la))


@router.get(
    "/reports/{report_id}/paragraphs",
    responses={200: {"description": "Every paragraph of the report in printed order"}, **ERRORS},
    tags=["reports"],
)
async def report_paragraphs(request: Request, report_id: ReportId) -> Any:
    """Every paragraph of one report in printed order, with section, grade and number: what the reader shows."""

    def read(engine: Any) -> list[dict]:
        engine.report(report_id)  # NotFoundError for an unknown id
        ids = engine.index.ids_where(report_ids=[report_id])
        records = engine.index.paragraphs([int(i) for i in ids]) if ids is not None else []
        return sorted(records, key=lambda p: p["seq"])

    return JSONResponse(await _worker(request).run(read))
