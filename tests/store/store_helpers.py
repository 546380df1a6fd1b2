"""Small invented reports and a helper that writes them through the real IndexWriter."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evsearch.records import Judgement, Paragraph, ParsedReport, Report
from evsearch.store import IndexWriter

# Invented reports about invented councils (never text from the corpus).
TOPICS = {
    "harbourside-2019": (
        "Harbourside",
        "2019-03-04",
        "2019-04-20",
        "ilacs",
        [
            ("Help and protection", 2, "Social workers visit children promptly and record what children say."),
            ("Help and protection", 2, "Carers receive training before a child moves into their home."),
            ("Children in care", 3, "Too many children move placement more than twice in a year."),
            ("Children in care", 3, "Independent reviewing officers challenge drift in care plans."),
            ("Care leavers", 4, "Young adults leaving care lack suitable accommodation near their college."),
            ("Leadership", 2, "Leaders know their services well and act on audit findings."),
        ],
    ),
    "millbrook-2012": (
        "Millbrook",
        "2012-10-01",
        "2012-11-15",
        "slac",
        [
            ("Safeguarding services", 3, "Referrals from schools are screened within a day by a duty team."),
            ("Safeguarding services", 3, "Agencies share information about domestic abuse at daily meetings."),
            ("Looked after children", 2, "Foster carers said that support from the fostering team is strong."),
            ("Looked after children", 2, "Health assessments for looked after children happen on time."),
            ("Areas for improvement", None, "Ensure that every child protection plan names a lead professional."),
        ],
    ),
    "eastvale-2023": (
        "Eastvale",
        "2023-06-05",
        "2023-07-30",
        "ilacs",
        [
            ("Help and protection", 1, "Early help workers build trusting relationships with families."),
            ("Children in care", 1, "Children enjoy stable homes and keep in touch with brothers and sisters."),
            ("Care leavers", 2, "Personal advisers help care leavers into apprenticeships and university."),
            ("Leadership", 1, "The director has strengthened the workforce and cut caseloads."),
        ],
    ),
}


def make_report(report_id: str, *, extra: str = "") -> ParsedReport:
    authority, start, published, framework, rows = TOPICS[report_id]
    report = Report(report_id, f"/nowhere/{report_id}.txt", f"Inspection of {authority}", authority, start, None,
                    published, "A. Inspector", framework)  # fmt: skip
    paragraphs = []
    judgements = []
    for seq, (section, grade, text) in enumerate(rows):
        label = {1: "outstanding", 2: "good", 3: "requires improvement", 4: "inadequate"}.get(grade)
        paragraphs.append(
            Paragraph(report_id, seq, seq + 1, "paragraph", text + extra, part="Main findings", section=section,
                      section_path=["Main findings", section], grade=grade, grade_label=label, page=seq // 3 + 1)
        )  # fmt: skip
        if grade is not None and all(j.title != section for j in judgements):
            judgements.append(Judgement(report_id, "Main findings", section, grade, label, section))
    return ParsedReport(report, judgements, paragraphs)


def write_reports(index_dir: Path, reports: list[ParsedReport], embedder, *, ann: str = "flat",
                  recipe: str = "section+text", delete: tuple[str, ...] = (), backend: str | None = None) -> dict | None:  # fmt: skip
    """Add or replace reports through the real writer and publish a generation."""
    with IndexWriter.open(index_dir, model=embedder.name, embedding_text=recipe, ann=ann, backend=backend) as writer:
        writer.bind_model(fingerprint=embedder.fingerprint, dimension=embedder.dimension, backend=embedder.backend)
        for parsed in reports:
            pending = writer.replace_report(parsed, content_hash=f"hash-{parsed.report.report_id}", mtime=0.0,
                                            size=1)  # fmt: skip
            ids = [pid for pid, _ in pending]
            vectors = embedder.encode([text for _, text in pending])
            writer.add_vectors(ids, np.asarray(vectors, dtype=np.float32))
        for report_id in delete:
            writer.delete_report(report_id)
        return writer.commit()
