"""Pydantic models that document the HTTP responses in /docs.

WHY documentation only: the routes return the core's own ``to_dict()``
output (one result model for CLI, HTTP, MCP and page), so these models are
attached as ``responses=`` rather than ``response_model=``: OpenAPI shows the
shape, and no request pays for re-validating what the core already built.
``extra="allow"`` because the core may add fields without breaking clients.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


# SQLite integers are signed 64-bit: a larger id overflows the driver instead of finding nothing.
ID_MAX = 2**63 - 1


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    error: str
    message: str
    hint: str | None = None

    model_config = ConfigDict(
        json_schema_extra={"example": {"error": "NotFoundError", "message": "no report 'x' in the index"}}
    )


class HitOut(_Open):
    report_id: str
    number: int | None = None
    seq: int
    part: str | None = None
    section: str | None = None
    grade: int | None = None
    grade_label: str | None = None
    text: str
    highlights: list = []
    score: float = Field(description="0..1, the same scale for every query (docs/search.md, 'Scores').")
    explanation: list[str] | None = Field(None, description="With explain=true: the signals that placed the hit, in words.")


class SearchOut(_Open):
    query: str
    parsed: dict | None = None
    hits: list[HitOut]
    notes: list = []
    k: int
    offset: int


class ReportOut(_Open):
    report_id: str
    title: str | None = None
    local_authority: str | None = None
    framework: str | None = None


class ParagraphOut(_Open):
    report_id: str
    number: int | None = None
    text: str


class JudgementOut(_Open):
    judgement_id: int | str
    report_id: str
    title: str
    grade: int | None = None
    grade_label: str | None = None


class HealthOut(_Open):
    status: str
    model: str | None = None
    index: str
    stats: dict
    vocab: dict


class UploadOut(_Open):
    report_id: str
    filename: str
    indexed: dict | None = None


class JobOut(_Open):
    job_id: str
    kind: str
    state: str  # queued, running, done, failed
    result: UploadOut | None = None
    error: ErrorOut | None = None


ERRORS = {
    400: {"model": ErrorOut, "description": "Bad parameter value"},
    404: {"model": ErrorOut, "description": "Unknown id"},
    422: {"model": ErrorOut, "description": "Parameter failed validation"},
    500: {"model": ErrorOut, "description": "Unexpected server error (logged; the connection stays open)"},
}
