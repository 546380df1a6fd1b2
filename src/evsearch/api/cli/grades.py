"""`evsearch grades`: every judgement across reports as a table, CSV or one JSON array.

Thin: it opens the index, calls ``search.grades.grade_rows`` (the same rows
``GET /grades`` serves) and formats them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from evsearch.api.cli.app import app, fail
from evsearch.errors import EvsearchError, InputError


@app.command()
def grades(
    family: Optional[str] = typer.Option(
        None, "--family", help="Only this judgement family, e.g. help_and_protection (see docs/judgements.md)."
    ),
    la: Optional[str] = typer.Option(None, "--la", help="Only this local authority (name or slug)."),
    year: Optional[int] = typer.Option(None, "--year", help="Only reports inspected this year."),
    framework: Optional[str] = typer.Option(None, "--framework", help="Only this framework: slac, sif, ilacs, ilacs-2026."),
    index: Optional[Path] = typer.Option(None, "--index", "-i", help="Index directory (default: setting 'index')."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json (one JSON array)."),
) -> None:
    """One row per judgement: report, authority, framework, dates, family, title and grade."""
    from evsearch.search.grades import FORMATS, grade_rows, public_rows, rows_csv
    from evsearch.store.index import Index

    try:
        if fmt not in FORMATS:
            raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        with Index.open(index) as opened:
            rows = public_rows(grade_rows(opened, family=family, la=la, year=year, framework=framework))
    except EvsearchError as exc:
        fail(exc)
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        sys.stdout.write(rows_csv(rows))
    else:
        _print_table(rows)


def _print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} judgements")
    for column in ("local_authority", "year", "framework", "family", "title", "grade"):
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        grade = f"{row['grade']} {row['grade_label']}" if row["grade"] is not None else "-"
        table.add_row(
            row["local_authority"] or "-", str(row["year"] or "-"), row["framework"] or "-", row["family"] or "-",
            row["title"], grade,
        )  # fmt: skip
    Console().print(table)
