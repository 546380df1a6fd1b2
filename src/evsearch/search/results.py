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
    number_inferred: bool = False  # True for an unnumbered bullet cited by its enclosing paragraph


    @classmethod
    def from_record(cls, record: dict[str, Any], score: float, **extra: Any) -> "Hit":
        fields = {name: record.get(name) for name in PARAGRAPH_FIELDS}
        fields["section_path"] = list(fields.get("section_path") or [])
        fields["kind"] = fields.get("kind") or "paragraph"
        return cls(
            score=round(float(score), 6), id=record.get("id"), number_inferred=bool(record.get("number_inferred")),
            **fields, **extra,
        )

    def to_dict(self) -> dict:
        return asdict(self)


def citation(hit: Hit) -> str:
    """'East Sussex 2010, paragraph 41 (Being healthy, grade 3 adequate)'."""
    where = " ".join(str(x) for x in (hit.local_authority or hit.report_id, hit.year) if x)
    place = f"paragraph {hit.number}" if hit.number is not None else f"passage {hit.seq}"
    grade = None
    if hit.grade is not None:
        grade = f"grade {hit.grade} {hit.grade_label}" if hit.grade_label else f"grade {hit.grade}"
    details = ", ".join(x for x in (hit.section, grade) if x)
    return f"{where}, {place}" + (f" ({details})" if details else "")


@dataclass
class SearchResponse:
    query: str
    parsed: dict[str, Any]
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)
    k: int = 10
    offset: int = 0
    total: int | None = None  # candidates that passed the filters, when known
    took_ms: float | None = None

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "parsed": self.parsed,
            "hits": [h.to_dict() for h in self.hits],
            "notes": list(self.notes),
            "k": self.k,
            "offset": self.offset,
            "total": self.total,
            "took_ms": self.took_ms,
        }
