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


class UnderstoodFilterOut(_Open):
    """One filter the search applied, relaxed or could not apply: a chip on the page."""

    field: str = Field(description="The parameter that sets it (docs/api.md 'One vocabulary'): grade, la, year, ...")
    values: list = Field(description="Its values, ORed: [2018, 2022].")
    text: str = Field(description="In words: 'from Bradford', 'in 2018 or 2022', 'graded inadequate'.")
    source: str = Field(description="'query' (read from the query's words) or 'option' (given as a filter).")
    state: str = Field(description="'applied', 'relaxed' (dropped to fill the page) or 'not applied'.")


class TopicOut(_Open):
    themes: list[str] = []
    sections: list[str] = []


class UnderstoodOut(_Open):
    """What a search read from its query (search/understood.py): the one shape every face shows."""

    filters: list[UnderstoodFilterOut]
    relaxed: list[str] = Field(default=[], description="Fields read from the query but relaxed to fill the page.")
    ignored: list[str] = Field(default=[], description="Fields the request said not to read from the query (ignore=).")
    topic: TopicOut
    ranking_text: str = Field(description="The words the search ranked by, once the filters were taken out.")
    summary: str = Field(description="One line: 'read from your query: ...; relaxed: ...' (what the CLI prints).")


class GroupOut(_Open):
    field: str
    value: str | int
    label: str
    hits: list[HitOut]
    total: int
    total_is_estimate: bool


class SearchOut(_Open):
    query: str
    parsed: dict | None = None
    understood: UnderstoodOut | None = None
    hits: list[HitOut]
    notes: list = []
    k: int
    offset: int
    total: int | None = None
    total_is_estimate: bool = False  # true: total counts the paragraphs scored, and more may match
    facets: dict | None = None
    group_by: str | None = None
    groups: list[GroupOut] | None = None


class ReportOut(_Open):
    report_id: str
    title: str | None = None
    local_authority: str | None = None  # the authority register's canonical name (printed name when unresolved)
    framework: str | None = None
    authority_resolved: bool | None = None
    authority_la_code: str | None = None
    date_sources: dict[str, str] | None = None


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
    notes: list[str] = []


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
