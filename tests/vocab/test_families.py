"""Judgement families: the crosswalk in docs/judgements.md, the rules, and the corpus titles they must cover."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evsearch.errors import InputError, ReportReadError
from evsearch.vocab.families import FAMILY_NAMES, OTHER, family_label, family_names, family_of, parse_family
from evsearch.parser.pipeline import parse_file, report_id_for

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
API_DATA = REPO / "tests" / "api" / "data"


def crosswalk() -> list[tuple[str, str | None, str]]:
    """(printed title, part or None, family) for every row of the crosswalk table in docs/judgements.md."""
    doc = (REPO / "docs" / "judgements.md").read_text(encoding="utf-8")
    table = doc.split("### Crosswalk", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("printed title", "") and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[1] or None, cells[2]))
    return rows


def test_the_crosswalk_table_is_what_the_rules_say() -> None:
    rows = crosswalk()
    assert len(rows) >= 35
    wrong = [(title, part, want, family_of(title, part)) for title, part, want in rows if family_of(title, part) != want]
    assert wrong == []
    assert {family for _, _, family in rows} <= set(FAMILY_NAMES)


@pytest.mark.parametrize(
    ("title", "part", "family"),
    [
        # the same judgement under three frameworks' titles
        ("Children looked after and achieving permanence", None, "children_in_care"),
        ("The experiences and progress of children in care", None, "children_in_care"),
        ("Overall effectiveness", "Services for looked after children", "children_in_care"),
        # a combined judgement belongs to children in care, not care leavers
        ("The experiences and progress of children in care and care leavers", None, "children_in_care"),
        ("Experiences and progress of care leavers", None, "care_leavers"),
        # the safeguarding part's overall grade is the forerunner of help and protection
        ("Overall effectiveness", "Safeguarding services", "help_and_protection"),
        ("Overall effectiveness", None, "overall"),
        ("2. Overall judgement: inadequate", None, "overall"),  # numbering and a trailing grade are ignored
        ("The effectiveness of the LSCB", None, "lscb"),
        ("Achieving economic wellbeing", "Services for looked after children", "economic_wellbeing"),
        ("Capacity to improve", None, "capacity_for_improvement"),
        ("Quality of practice with families", None, OTHER),
    ],
)
def test_family_of(title: str, part: str | None, family: str) -> None:
    assert family_of(title, part) == family


def test_every_fixture_judgement_gets_its_family_from_the_parse_pipeline() -> None:
    """The repository's own-words fixtures parse with families set (no corpus needed)."""
    got = {}
    for path in [API_DATA / "northmoor-2019-fixture-report.txt", FIXTURES / "ilacs-quirks.txt"]:
        parsed = parse_file(path, report_id_for(path, path))
        got[path.stem] = [(j.part, j.title, j.family) for j in parsed.judgements]
    assert ("Safeguarding services", "Overall effectiveness", "help_and_protection") in got["northmoor-2019-fixture-report"]
    assert ("Services for looked after children", "Overall effectiveness", "children_in_care") in got[
        "northmoor-2019-fixture-report"
    ]
    assert [family for _, _, family in got["ilacs-quirks"]] == [
        "leadership",
        "help_and_protection",
        "children_in_care",
        "overall",
    ]


def test_parse_family_accepts_labels_and_names_the_choices() -> None:
    assert parse_family("Help and protection") == "help_and_protection"
    assert parse_family("children-in-care") == "children_in_care"
    with pytest.raises(InputError) as caught:
        parse_family("fostering")
    assert "fostering" in caught.value.message and "help_and_protection" in caught.value.hint
    assert family_names()[:5] == ["overall", "leadership", "help_and_protection", "children_in_care", "care_leavers"]
    assert family_label("help_and_protection") == "Help and protection" and family_label(OTHER) == "Other"


def test_seed_titles_are_all_in_the_crosswalk(parsed_seed) -> None:
    listed = {(re.sub(r"\s+", " ", t), p) for t, p, _ in crosswalk()}
    missing = [(j.title, j.part) for j in parsed_seed.judgements if (j.title, j.part) not in listed]
    assert missing == []
    assert all(j.family != OTHER for j in parsed_seed.judgements)


@pytest.mark.corpus
@pytest.mark.slow
def test_every_corpus_title_is_in_the_crosswalk(parsed_ilacs) -> None:
    """A title the parser reads from ../shared/corpus that the docs table lacks fails here."""
    listed = {(t, p) for t, p, _ in crosswalk()}
    seen = {
        (j.title, j.part)
        for parsed in parsed_ilacs.values()
        if not isinstance(parsed, ReportReadError)
        for j in parsed.judgements
    }
    assert len(seen) >= 20
    assert sorted(seen - listed, key=str) == []
    families = {j.family for p in parsed_ilacs.values() if not isinstance(p, ReportReadError) for j in p.judgements}
    assert OTHER not in families
