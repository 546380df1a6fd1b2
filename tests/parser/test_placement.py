"""Index-time placement facts: the paragraph an unnumbered record sits inside, duplicate groups,
and that the store keeps them (with each judgement's link reason) through a real write and read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evsearch.errors import ReportReadError
from evsearch.parser.linking import NO_SECTION
from evsearch.parser.paragraphs import split_text
from evsearch.parser.placement import group_duplicates
from evsearch.records import Judgement, Paragraph, ParsedReport, Report
from evsearch.store import Index, IndexWriter

# Own words, shaped like a 2012 "Areas for improvement" section: a numbered paragraph introduces
# time-bound recommendations; a heading then opens bullets that sit inside no paragraph.
AREAS = """Areas for improvement

1. To improve help for children in Exampleton, the council and its partners should take these steps:

Immediately:

• make sure every referral is read by a manager on the day it arrives

Within three months:

• agree one plan for how schools share worries about a child

2. Leaders know that the pace of change must quicken.

What needs to improve?

• the speed of first visits after a referral
"""


def _record(seq: int, number: int | None, kind: str, text: str, within: int | None = None) -> Paragraph:
    return Paragraph("r", seq, number, kind, text, within=within)


def test_records_after_a_numbered_paragraph_sit_inside_it_and_under_a_heading_inside_none() -> None:
    paragraphs = split_text(AREAS, "r")
    recs = [(p.kind, p.number, p.within, p.timeframe) for p in paragraphs]
    assert recs == [
        ("paragraph", 1, None, None),
        ("recommendation", None, 1, "immediately"),
        ("recommendation", None, 1, "within three months"),
        ("paragraph", 2, None, None),
        ("recommendation", None, None, None),  # under "What needs to improve?", not inside paragraph 2
    ]


def test_a_bullet_groups_with_the_paragraph_that_develops_it_and_exact_repeats_group() -> None:
    filler = [
        _record(i, i + 1, "paragraph", f"Children and families in the area {i} were seen by social workers, and work was recorded.")
        for i in range(8)
    ]
    develops = _record(8, 9, "paragraph", "Return interviews after a child goes missing are offered late, so "
                       "exploitation risks are missed and foster carers are not told what the interview found.")
    bullet = _record(9, None, "recommendation", "Return interviews for missing children are offered late, and "
                     "exploitation risks they find are not told to foster carers.")
    short = _record(10, None, "recommendation", "The quality of plans for children.")  # common words only
    repeat = _record(11, None, "text", develops.text.upper())  # the same text printed twice
    paragraphs = filler + [develops, bullet, short, repeat]
    group_duplicates(paragraphs)
    assert [p.duplicate_group for p in (develops, bullet, repeat)] == [8, 8, 8]
    assert short.duplicate_group is None
    assert all(p.duplicate_group is None for p in filler)


def test_the_store_keeps_within_duplicate_group_and_link(tmp_path: Path) -> None:
    report = Report("r", "/nowhere/r.txt", "Inspection of Exampleton", "Exampleton", "2012-03-01", None, None, None, "slac")
    paragraphs = [
        Paragraph("r", 0, 7, "paragraph", "The council should act on referrals.", section="Areas", duplicate_group=0),
        Paragraph("r", 1, None, "recommendation", "Read referrals the same day.", section="Areas", within=7,
                  duplicate_group=0),
    ]
    judgements = [Judgement("r", None, "Equality and diversity", 2, "good", None, link=NO_SECTION)]
    with IndexWriter.open(tmp_path / "idx", model="test-vectors", embedding_text="text", ann="flat") as writer:
        writer.bind_model(fingerprint="test-vectors", dimension=4, backend="numpy")
        pending = writer.replace_report(ParsedReport(report, judgements, paragraphs), content_hash="h", mtime=0.0, size=1)
        vectors = np.eye(4, dtype=np.float32)[: len(pending)]
        writer.add_vectors([pid for pid, _ in pending], vectors)
        writer.commit()
    index = Index.open(tmp_path / "idx")
    try:
        rows = sorted(index.paragraphs(index.ids_where(report_ids=["r"])), key=lambda p: p["seq"])
        assert [(p["number"], p["within"], p["duplicate_group"]) for p in rows] == [(7, None, 0), (None, 7, 0)]
        assert [(j["section"], j["link"]) for j in index.judgements(report_id="r")] == [(None, NO_SECTION)]
    finally:
        index.close()


TIE_SCRIPT = """
from evsearch.parser.placement import group_duplicates
from evsearch.records import Paragraph
texts = [f"Visits to families in district {i} were recorded on time by the duty team." for i in range(6)]
same = "Foster carers wait months for training on trauma, and their supervising social workers change often."
rows = [Paragraph("r", i, i + 1, "paragraph", t) for i, t in enumerate(texts)]
rows += [Paragraph("r", 6, 7, "paragraph", same + " One panel met late."),
         Paragraph("r", 7, 8, "paragraph", same + " Two panels met late."),
         Paragraph("r", 8, None, "recommendation", "Training on trauma for foster carers, who wait months, and fewer changes of supervising social workers.")]
group_duplicates(rows)
print([p.duplicate_group for p in rows])
"""


def test_groups_do_not_depend_on_hash_order() -> None:
    """A bullet that two paragraphs develop equally joins the first in reading order, in every process."""
    outs = {
        subprocess.run([sys.executable, "-c", TIE_SCRIPT], env={**os.environ, "PYTHONHASHSEED": seed},
                       capture_output=True, text=True, check=True).stdout.strip()
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert outs == {"[None, None, None, None, None, None, 6, None, 6]"}


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_placement_facts_point_at_real_records(parsed_ilacs) -> None:
    """Over ../shared/corpus/ilacs: `within` names a numbered paragraph printed just before the record,
    in its part; every group is named by the seq of its first member and holds at least two records."""
    records = grouped = groups = inside = 0
    for path, parsed in sorted(parsed_ilacs.items()):
        if isinstance(parsed, ReportReadError):
            continue
        paragraphs = parsed.paragraphs
        records += len(paragraphs)
        for p in paragraphs:
            if p.within is not None:
                inside += 1
                before = [q for q in paragraphs[: p.seq] if q.number is not None]
                assert p.number is None and before and before[-1].number == p.within, (path, p.seq)
                assert before[-1].part == p.part and before[-1].section == p.section, (path, p.seq)
        members: dict[int, list[int]] = {}
        for p in paragraphs:
            if p.duplicate_group is not None:
                members.setdefault(p.duplicate_group, []).append(p.seq)
        for group, seqs in members.items():
            assert len(seqs) >= 2 and min(seqs) == group, (path, group, seqs)
        grouped += sum(len(seqs) for seqs in members.values())
        groups += len(members)
    print(f"records {records}; inside a numbered paragraph {inside}; in duplicate groups {grouped} ({groups} groups)")
    assert inside >= 40
    assert 0.01 <= grouped / records <= 0.06
