"""What the MCP tools return as ``structuredContent``: typed models, published as each tool's output schema.

WHY typed models rather than the core's dicts: the SDK derives the tool's
``outputSchema`` from them and validates every answer against it, so an
assistant can rely on the field names (report_id, number, page, grade,
section, citation, url, text, highlights) and the schema cannot drift from
what is sent. Each ``url`` is the MCP resource that reads the paragraph back
(``report://{id}/paragraph/{n}``), so a client can follow it with
``resources/read`` without knowing our HTTP address.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from evsearch.api.schemas import UnderstoodOut

def report_uri(report_id: str, number: int | None = None) -> str:
    """The MCP resource of a report, or of one numbered paragraph in it."""
    return f"report://{report_id}" if number is None else f"report://{report_id}/paragraph/{number}"


class Explanation(BaseModel):
    """Why a paragraph ranked where it did (asked for with ``explain: true``)."""

    score: float = Field(description="The ranking score, 0..1 on one scale for every query; higher ranks first.")
    matched: list[str] = Field(description="Filters and boosts that applied to this paragraph.")
    signals: list[str] = Field(default_factory=list, description="The signals that placed it, in words.")


class HitOut(BaseModel):
    """One cited paragraph."""

    report_id: str
    number: int | None = Field(description="Paragraph number as printed in the report (None when unnumbered).")
    page: int | None = Field(description="PDF page the paragraph starts on, when known.")
    grade: int | None = Field(description="Grade 1-4 of the judgement the paragraph sits under.")
    grade_label: str | None
    section: str | None
    citation: str = Field(description="Quotable citation: authority, year, paragraph, section and grade.")
    url: str = Field(description="MCP resource that reads this paragraph (resources/read).")
    text: str
    highlights: list[str] = Field(description="The sentences that best answer the query.")
    explanation: Explanation | None = Field(default=None, description="Present when explain was asked.")


class SearchOut(BaseModel):
    query: str
    understood: UnderstoodOut = Field(description="What was read from the query: the response's own ``understood``.")
    total: int | None = Field(description="Paragraphs matching the search.")
    total_is_estimate: bool = Field(description="True when more paragraphs may match than ``total`` counts.")
    notes: list[str]
    hits: list[HitOut]


class EvidenceOut(BaseModel):
    report_id: str
    judgement: str
    notes: list[str]
    hits: list[HitOut]


class JudgementOut(BaseModel):
    judgement_id: int | None
    report_id: str
    local_authority: str | None = None
    part: str | None
    title: str
    family: str | None
    grade: int | None
    grade_label: str | None
    url: str


class ReportOut(BaseModel):
    report_id: str
    title: str | None = None
    local_authority: str | None = None
    framework: str | None = None
    inspection_start: str | None = None
    inspection_end: str | None = None
    published: str | None = None
    inspection_year: int | None = None
    published_year: int | None = None
    lead_inspector: str | None = None
    url: str
    judgements: list[JudgementOut]


# Report fields an assistant may read (never the server's file path or hashes): ReportOut's own, less the
# two built here.
REPORT_FIELDS = tuple(name for name in ReportOut.model_fields if name not in ("url", "judgements"))


class JudgementsOut(BaseModel):
    count: int = Field(description="Judgements that matched (may exceed those listed).")
    judgements: list[JudgementOut]


class GradeGroupOut(BaseModel):
    grade: int
    label: str
    hits: list[HitOut]


class ContrastOut(BaseModel):
    query: str
    understood: UnderstoodOut = Field(description="What was read from the query, as search_evidence gives it.")
    groups: list[GradeGroupOut]


class GradeHistoryOut(BaseModel):
    """``search.grades.authority``: reports in date order, each with its grade per judgement family."""

    local_authority: str
    slug: str
    families: list[dict[str, Any]]
    reports: list[dict[str, Any]]


class GradesSummaryOut(BaseModel):
    """``search.grades.grades_summary``: tidy counts, one row per year, family and grade."""

    filters: dict[str, Any]
    grades: list[dict[str, Any]]
    reports: int
    families: list[dict[str, Any]]
    counts: list[dict[str, Any]]


def hit_out(hit: dict[str, Any], *, explain: bool = False) -> HitOut:
    """A core hit (``SearchResponse.to_dict()['hits'][i]``) as the tool's hit."""
    return HitOut(
        report_id=hit["report_id"], number=hit["number"], page=hit.get("page"), grade=hit["grade"],
        grade_label=hit["grade_label"], section=hit["section"], citation=hit["citation"],
        url=report_uri(hit["report_id"], hit["number"]), text=hit["text"], highlights=list(hit.get("highlights") or []),
        explanation=Explanation(
            score=float(hit["score"]), matched=list(hit.get("matched") or []), signals=list(hit.get("explanation") or [])
        ) if explain else None,
    )  # fmt: skip


def judgement_out(j: dict[str, Any], meta: dict[str, Any]) -> JudgementOut:
    return JudgementOut(
        judgement_id=j.get("judgement_id"), report_id=j["report_id"], local_authority=meta.get("local_authority"),
        part=j.get("part"), title=j.get("title") or "", family=j.get("family"), grade=j.get("grade"),
        grade_label=j.get("grade_label"), url=report_uri(j["report_id"]),
    )  # fmt: skip


def report_out(report: dict[str, Any]) -> ReportOut:
    fields = {k: report.get(k) for k in REPORT_FIELDS}
    judgements = [judgement_out(j, report) for j in report.get("judgements") or []]
    return ReportOut(**fields, url=report_uri(report["report_id"]), judgements=judgements)
