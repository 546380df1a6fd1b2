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
from rich.markup import escape

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


CARDS_BELOW = 100  # columns: narrower terminals get one card per hit instead of the table


def _print_table(body: dict) -> None:
    """Hits as a table (wide terminals) or as cards (below ``CARDS_BELOW`` columns).

    The grade is shown once, inside the citation (its one rule, search/results.py);
    the highlight gets the width that is left, so it reads as a sentence.
    """
    from rich.console import Console

    from evsearch.api.citations import understood_line

    console = Console()
    understood = understood_line(body["parsed"])
    console.print(f"[bold]{escape(repr(body['query']))}[/bold]", highlight=False)
    if understood:
        console.print(f"[dim]{escape(understood)}[/dim]", highlight=False)
    if console.width < CARDS_BELOW:
        _print_cards(console, body)
    elif body["hits"]:
        _print_wide(console, body)
    for i, hit in enumerate(body["hits"], body["offset"] + 1):
        if hit.get("explanation"):
            console.print(f"{i}. why: " + "; ".join(hit["explanation"]), highlight=False, markup=False)
    for note in body.get("notes") or []:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    if not body["hits"]:
        console.print("No matching paragraphs.")
    for name, counts in (body.get("facets") or {}).items():
        console.print(f"{name}: " + ", ".join(f"{c['label']} ({c['count']})" for c in counts), highlight=False, markup=False)


def _best_sentence(hit: dict) -> str:
    return " … ".join(hit.get("highlights") or []) or hit["text"]


def _print_cards(console, body: dict) -> None:
    """One card per hit (see ``_print_card``), a blank line between them."""
    for i, hit in enumerate(body["hits"], body["offset"] + 1):
        _print_card(console, i, hit)
        console.print()


def _print_card(console, i: int, hit: dict) -> None:
    """Number and citation (grade included), then the highlight indented, at most 3 lines.

    No score: the order is the ranking (``--json`` has it).
    """
    import textwrap

    head = f"{i:>2}. {hit.get('citation') or hit['report_id']}"
    for line in textwrap.wrap(head, width=console.width, subsequent_indent="    "):
        console.print(f"[bold]{escape(line)}[/bold]", highlight=False)
    for line in textwrap.wrap(_best_sentence(hit), width=console.width - 4, max_lines=3, placeholder=" …"):
        console.print("    " + escape(line), highlight=False)


def _print_wide(console, body: dict) -> None:
    from rich.table import Table

    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Citation", ratio=2)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Highlight", ratio=3)
    for i, hit in enumerate(body["hits"], body["offset"] + 1):
        table.add_row(str(i), escape(hit.get("citation") or hit["report_id"]), f"{hit['score']:.3f}", escape(_best_sentence(hit)))
    console.print(table)


def _print_groups(body: dict, as_json: bool) -> None:
    """A contrast: a rule per grade, then its hits as cards (or the whole dict as JSON)."""
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console

    console = Console()
    for group in body["groups"]:
        console.rule(f"grade {group['grade']} {group['label']}: {len(group['hits'])} hit(s)")
        for i, hit in enumerate(group["hits"], 1):
            _print_card(console, i, hit)
        if not group["hits"]:
            console.print("    No matching paragraphs under this grade.")
