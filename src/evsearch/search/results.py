"""The one search result model: JSON, the CLI table and the web page read it.

A Hit is the paragraph record (field names from evsearch.records) plus
what search adds: score, highlights, a citation and which filters/boosts
applied. Building every face from ``SearchResponse.to_dict()`` keeps them from
drifting apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PARAGRAPH_FIELDS = (
    "report_id", "seq", "number", "kind", "text", "part", "section", "section_path",
    "grade", "grade_label", "page", "timeframe",
)


@dataclass
class Hit:
    report_id: str
    number: int | None
    seq: int
    part: str | None
    section: str | None
    grade: int | None
    grade_label: str | None
    text: str
    score: float
    highlights: list[str] = field(default_factory=list)
    section_path: list[str] = field(default_factory=list)
    page: int | None = None
    kind: str = "paragraph"
    timeframe: str | None = None
    citation: str = ""
    local_authority: str | None = None
    year: int | None = None
    matched: list[str] = field(default_factory=list)  # filters and boosts that applied
    id: int | None = None  # the index's paragraph id (stable within one index generation)
    number_inferred: bool = False  # True for an unnumbered record cited by the paragraph it sits inside
    related: list[dict] = field(default_factory=list)  # {"id", "citation"} of records stating the same point
    explanation: list[str] | None = None  # why it placed here, in words (search with explain=True; explain.py)

    @classmethod
    def from_record(cls, record: dict[str, Any], score: float, **extra: Any) -> "Hit":
        """A hit for a store record: an unnumbered record sitting inside a numbered paragraph
        (``within``) carries that number, marked ``number_inferred``."""
        fields = {name: record.get(name) for name in PARAGRAPH_FIELDS}
        fields["section_path"] = list(fields["section_path"] or [])
        within = record["within"]
        if record["number"] is None and within is not None:
            fields["number"] = within
        return cls(
            score=round(float(score), 6), id=record["id"], number_inferred=record["number"] is None and within is not None,
            **fields, **extra,
        )

    def to_dict(self) -> dict:
        return asdict(self)


# What an unnumbered record is called in a citation.
_KIND_NAMES = {"recommendation": "recommendation", "summary": "summary", "text": "text", "paragraph": "passage"}


def citation(hit: Hit) -> str:
    """'East Sussex 2010, paragraph 41, page 12 (Being healthy, grade 3 adequate)'.

    The page is the report file's page (PDF page; form-feed page of a text file), so a
    reader can check the quote at ``/reports/{id}/source#page=N``. An unnumbered record is cited for what it is: 'recommendation in
    paragraph 20' when it sits inside one, else 'recommendation under
    <heading>' (the heading then leaves the details)."""
    where = " ".join(str(x) for x in (hit.local_authority or hit.report_id, hit.year) if x)
    section = hit.section
    kind = _KIND_NAMES.get(hit.kind, hit.kind)
    if hit.number is None:
        place = f"{kind} under {section}" if section else f"{kind} {hit.seq}"
        section = None
    elif hit.number_inferred:
        place = f"{kind} in paragraph {hit.number}"
    else:
        place = f"paragraph {hit.number}"
    if hit.page is not None:
        place = f"{place}, page {hit.page}"
    grade = None
    if hit.grade is not None:
        grade = f"grade {hit.grade} {hit.grade_label}" if hit.grade_label else f"grade {hit.grade}"
    details = ", ".join(x for x in (section, grade) if x)
    return f"{where}, {place}" + (f" ({details})" if details else "")


@dataclass
class SearchResponse:
    query: str
    parsed: dict[str, Any]
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)
    k: int = 10
    offset: int = 0
    total: int | None = None  # paragraphs matching (the ranked pool), see total_is_estimate
    took_ms: float | None = None
    facets: dict[str, list[dict[str, Any]]] | None = None  # counts over the matching set, when asked (facets.py)
    total_is_estimate: bool = False  # True: total counts the paragraphs scored, and more may match
    understood: dict[str, Any] | None = None  # what was read from the query (engine.understood)
    group_by: str | None = None
    groups: list[dict[str, Any]] | None = None  # {"field", "value", "label", "hits", "total", ...} per group

    def to_dict(self) -> dict:
        body = {
            "query": self.query,
            "parsed": self.parsed,
            "understood": self.understood,
            "hits": [h.to_dict() for h in self.hits],
            "notes": list(self.notes),
            "k": self.k,
            "offset": self.offset,
            "total": self.total,
            "total_is_estimate": self.total_is_estimate,
            "took_ms": self.took_ms,
        }
        if self.facets is not None:
            body["facets"] = self.facets
        if self.group_by is not None:
            body["group_by"] = self.group_by
            body["groups"] = self.groups or []
        return body
