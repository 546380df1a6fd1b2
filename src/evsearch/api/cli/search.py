"""`evsearch search`: one query, as a table or JSON.

A thin face: it calls the search Engine and formats its SearchResponse, the
same result model the HTTP API and the web page use.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from evsearch.api.cli.app import app, fail
from evsearch.config import MAX_K
from evsearch.errors import EvsearchError

IndexOpt = typer.Option(None, "--index", "-i", help="Index directory (default: setting 'index', EVSEARCH_INDEX).")


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for, e.g. 'evidence for health adequate grade'."),
    index: Optional[Path] = IndexOpt,
    k: int = typer.Option(10, "-k", "--k", help=f"Number of hits (1-{MAX_K})."),
    offset: int = typer.Option(0, "--offset", help="Skip this many hits (pagination)."),
    grade: Optional[str] = typer.Option(None, "--grade", help="Only paragraphs graded this: word or 1-4."),
    section: Optional[str] = typer.Option(None, "--section", help="Only sections whose title contains this."),
    theme: Optional[str] = typer.Option(None, "--theme", help="Only sections of this theme (e.g. 'health')."),
    report: Optional[str] = typer.Option(None, "--report", help="Only this report_id."),
    la: Optional[str] = typer.Option(None, "--la", help="Only reports of this local authority."),
    year: Optional[int] = typer.Option(None, "--year", help="Only reports inspected or published this year."),
    facets: Optional[str] = typer.Option(
        None, "--facets", help="Counts over the ranked pool: any of grade,la,year,framework (comma-separated)."
    ),
    group_by: Optional[str] = typer.Option(
        None, "--group-by", help="'grade': the best k hits under each grade, side by side (contrast)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the SearchResponse as JSON."),
    explain: bool = typer.Option(False, "--explain", help="Say, for each hit, the signals that placed it."),
) -> None:
    """Search paragraphs: filters in the query text are understood; options override them."""
    from evsearch.search.contrast import check_group_by, contrast
    from evsearch.search.engine import Engine

    try:
        with Engine(index) as engine:
            if check_group_by(group_by):
                body = contrast(engine, query, k=k, grade=grade, section=section, theme=theme, report=report, la=la, year=year)
            else:
                response = engine.search(
                    query, k=k, offset=offset, grade=grade, section=section, theme=theme, report=report, la=la, year=year,
                    facets=facets, explain=explain,
                )  # fmt: skip
    except EvsearchError as exc:
        fail(exc)
    if group_by:
        _print_groups(body, as_json)
        return
    if as_json:
        sys.stdout.write(json.dumps(response.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    _print_table(response.to_dict())


def _print_table(body: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    parsed = body["parsed"]
    understood = ", ".join(
        f"{name}={parsed[name]}" for name in ("grade", "la", "year", "section", "theme", "report") if parsed.get(name)
    )
    table = Table(title=f"{body['query']!r}" + (f"  [{understood}]" if understood else ""), show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("Citation", max_width=38)
    table.add_column("Grade")
    table.add_column("Score", justify="right")
    table.add_column("Highlight", ratio=1)
    for i, hit in enumerate(body["hits"], body["offset"] + 1):
        grade = f"{hit['grade']} {hit.get('grade_label') or ''}".strip() if hit.get("grade") is not None else "-"
        highlight = " ... ".join(hit.get("highlights") or []) or hit["text"][:200]
        table.add_row(str(i), hit.get("citation") or hit["report_id"], grade, f"{hit['score']:.3f}", highlight)
    console.print(table)
    for i, hit in enumerate(body["hits"], body["offset"] + 1):
        if hit.get("explanation"):
            console.print(f"{i}. " + "; ".join(hit["explanation"]), highlight=False, markup=False)
    for note in body.get("notes") or []:
        console.print(f"[dim]note: {note}[/dim]")
    if not body["hits"]:
        console.print("No matching paragraphs.")
    for name, counts in (body.get("facets") or {}).items():
        console.print(f"{name}: " + ", ".join(f"{c['label']} ({c['count']})" for c in counts), highlight=False, markup=False)


def _print_groups(body: dict, as_json: bool) -> None:
    """A contrast: one small table per grade (or the whole dict as JSON)."""
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    for group in body["groups"]:
        console.rule(f"grade {group['grade']} {group['label']}: {len(group['hits'])} hit(s)")
        for i, hit in enumerate(group["hits"], 1):
            highlight = " ... ".join(hit.get("highlights") or []) or hit["text"][:200]
            console.print(f"{i}. [bold]{escape(hit.get('citation') or hit['report_id'])}[/bold]")
            console.print(f"   {escape(highlight)}", highlight=False)
        if not group["hits"]:
            console.print("   No matching paragraphs under this grade.")
