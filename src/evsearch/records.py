"""The three records a parsed report yields, with the field names users see.

These dataclasses are the contract between the parser, the store, the search
engine and every face; their ``to_dict`` output is what `evsearch parse`
prints and what the JSON APIs return.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Paragraph:
    report_id: str
    seq: int  # order in the report, from 0
    number: int | None  # printed paragraph number
    kind: str  # "paragraph" (numbered), "summary", "recommendation" or "text"
    text: str
    part: str | None = None
    section: str | None = None
    section_path: list[str] = field(default_factory=list)
    grade: int | None = None
    grade_label: str | None = None
    page: int | None = None
    timeframe: str | None = None
    # Index-time facts (docs/parsing.md): set by the splitter (within) and parser/placement.py (duplicate_group)
    within: int | None = None  # number of the numbered paragraph this record sits inside; None under a heading
    duplicate_group: int | None = None  # seq of the first record of the report stating the same point (all members carry it)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Judgement:
    report_id: str
    part: str | None
    title: str  # as printed
    grade: int | None
    grade_label: str | None
    section: str | None  # the body section it grades, or None
    link: str | None = None  # why ``section`` is None ("no section printed"); None when linked
    family: str | None = None  # judgement family across frameworks (vocab/families.py); None until parsed

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    report_id: str
    path: str
    title: str | None = None
    local_authority: str | None = None
    inspection_start: str | None = None  # ISO date
    inspection_end: str | None = None
    published: str | None = None
    lead_inspector: str | None = None
    framework: str = "unknown"
    # The authority register entry (vocab/authorities.py) the report resolved to; ``local_authority`` is then
    # its canonical name. Unresolved: ``local_authority`` keeps the printed name verbatim and is flagged.
    authority_urn: str | None = None
    authority_la_code: str | None = None
    authority_resolved: bool = False
    authority_printed: str | None = None  # the name as the cover prints it (None when it prints none)
    date_sources: dict[str, str] = field(default_factory=dict)  # date field -> "cover", "text" or "file name"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ParsedReport:
    report: Report
    judgements: list[Judgement]
    paragraphs: list[Paragraph]
