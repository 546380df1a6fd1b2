"""`evsearch grades` run as users run it: a real index of own-words fixtures, real subprocesses."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from api_helpers import EVSEARCH, evsearch_env

COLUMNS = [
    "report_id", "local_authority", "framework", "inspection_end", "published", "year",
    "family", "part", "title", "grade", "grade_label",
]  # fmt: skip


def grades(index: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [EVSEARCH, "grades", "--index", str(index), *args],
        env=evsearch_env(COLUMNS="200"), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_json_is_one_array_of_rows_in_date_order(grades_index: Path) -> None:
    proc = grades(grades_index, "--format", "json", "--la", "Larchfield", "--family", "help_and_protection")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [list(row) for row in rows] == [COLUMNS] * 3
    # the same judgement under three frameworks' titles, lined up by family
    assert [(r["year"], r["framework"], r["title"], r["grade"], r["grade_label"]) for r in rows] == [
        (2012, "slac", "Overall effectiveness", 3, "adequate"),
        (2016, "sif", "Children who need help and protection", 3, "requires improvement"),
        (2022, "ilacs", "The experiences and progress of children who need help and protection", 2, "good"),
    ]
    assert rows[0]["part"] == "Safeguarding services"
    assert rows[1]["inspection_end"] == "2016-02-04" and rows[1]["published"] == "2016-03-18"


def test_every_judgement_is_a_row_and_filters_combine(grades_index: Path) -> None:
    rows = json.loads(grades(grades_index, "--format", "json").stdout)
    assert len(rows) == 4 + 7 + 5 + 5 + 6  # larchfield 2012/2016/2022, ashby vale, northmoor
    assert {r["family"] for r in rows} >= {"overall", "leadership", "lscb", "adoption", "care_leavers", "health"}
    in_2022 = json.loads(grades(grades_index, "--format", "json", "--year", "2022", "--framework", "ilacs").stdout)
    assert {r["local_authority"] for r in in_2022} == {"Larchfield", "Ashby Vale"} and len(in_2022) == 10
    overall = json.loads(grades(grades_index, "--format", "json", "--family", "Overall").stdout)
    assert sorted((r["local_authority"], r["grade"]) for r in overall) == [
        ("Ashby Vale", 4), ("Larchfield", 2), ("Larchfield", 3),
    ]  # fmt: skip


def test_csv_has_a_header_and_quotes_commas(grades_index: Path) -> None:
    proc = grades(grades_index, "--format", "csv", "--la", "larchfield", "--year", "2016")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert list(rows[0]) == COLUMNS
    titles = [r["title"] for r in rows]
    assert "Leadership, management and governance" in titles  # a comma inside a quoted cell
    assert {r["grade"] for r in rows} == {"2", "3"}


def test_table_names_the_rows(grades_index: Path) -> None:
    proc = grades(grades_index, "--la", "Ashby Vale")
    assert proc.returncode == 0, proc.stderr
    assert "5 judgements" in proc.stdout and "inadequate" in proc.stdout and "Ashby Vale" in proc.stdout


def test_bad_family_and_format_are_one_line_usage_errors(grades_index: Path) -> None:
    proc = grades(grades_index, "--family", "fostering")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: unknown judgement family 'fostering'") and "help_and_protection" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = grades(grades_index, "--format", "xml")
    assert proc.returncode == 2 and "--format must be one of table, csv, json" in proc.stderr


def test_missing_index_is_one_line(tmp_path: Path) -> None:
    proc = grades(tmp_path / "none")
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1 and "no index" in proc.stderr
