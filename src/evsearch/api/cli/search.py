"""`evsearch search`: one query, as a table or JSON.

A thin face: it calls the search Engine and formats its SearchResponse, the
same result model the HTTP API and the web page use.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any, List, Optional

import typer

from evsearch.api.cli.app import app, fail
from evsearch.config import MAX_K
from evsearch.errors import EvsearchError
from evsearch.search.filters import FACETS, FIELDS, GROUP_BY, SOFT_FIELDS, SearchRequest

IndexOpt = typer.Option(None, "--index", "-i", help="Index directory (default: setting 'index', EVSEARCH_INDEX).")


def _filter_options() -> list[inspect.Parameter]:
    """One option per filter field (search/filters.py), its aliases as extra spellings; repeatable
    where the field takes several values (``--year 2018 --year 2022``)."""
    out = []
    for f in FIELDS.values():
        names = [f"--{f.name}", *(f"--{a.replace('_', '-')}" for a in f.aliases)]
        kind: Any = int if f.integer else str
        kind = Optional[List[kind]] if f.many else Optional[kind]
        help = f.help + (" Repeat for several (ORed)." if f.many else "")
        out.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=typer.Option(None, *names, help=help),
                                     annotation=kind))  # fmt: skip
    return out


def search(
    query: str = typer.Argument(..., help="What to look for, e.g. 'evidence for health adequate grade'."),
    index: Optional[Path] = IndexOpt,
    k: int = typer.Option(10, "-k", "--k", help=f"Number of hits, per group when grouped (1-{MAX_K})."),
    offset: int = typer.Option(0, "--offset", help="Skip this many hits (pagination)."),
    facets: Optional[str] = typer.Option(
        None, "--facets", help=f"Counts over the matching set: any of {','.join(FACETS)} (comma-separated)."
    ),
    group_by: Optional[str] = typer.Option(
        None, "--group-by", help=f"The best k hits per {', '.join(GROUP_BY)}, side by side."
    ),
    ignore: Optional[List[str]] = typer.Option(
        None, "--ignore", help=f"Do not read this filter from the query text ({', '.join(SOFT_FIELDS)}); repeatable."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the SearchResponse as JSON."),
    **filters: Any,
) -> None:
    """Search paragraphs: filters in the query text are understood; options override them."""
    from evsearch.search.engine import Engine

    try:
        request = SearchRequest.of(query, k, offset, facets=facets, group_by=group_by, ignore=ignore, **filters)
        with Engine(index) as engine:
            body = engine.search(request).to_dict()
    except EvsearchError as exc:
        fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    if body.get("group_by"):
        _print_groups(body)
        return
    _print_table(body)


_signature = inspect.signature(search)
search.__signature__ = _signature.replace(  # type: ignore[attr-defined]
    parameters=[p for p in _signature.parameters.values() if p.kind != p.VAR_KEYWORD] + _filter_options()
)
app.command()(search)


def _print_table(body: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{body['query']!r}", show_lines=True)
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
    console.print(body["understood"]["summary"], highlight=False, markup=False)
    _print_total(console, body)
    for note in body.get("notes") or []:
        console.print(f"[dim]note: {note}[/dim]")
    if not body["hits"]:
        console.print("No matching paragraphs.")
    for name, counts in (body.get("facets") or {}).items():
        console.print(f"{name}: " + ", ".join(f"{c['label']} ({c['count']})" for c in counts), highlight=False, markup=False)


def _print_total(console: Any, body: dict) -> None:
    total = body.get("total")
    if total is not None:
        console.print(f"{'about ' if body.get('total_is_estimate') else ''}{total} matching paragraphs", highlight=False)


def _print_groups(body: dict) -> None:
    """A grouped search: one short list per group."""
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    console.print(body["understood"]["summary"], highlight=False, markup=False)
    for group in body["groups"]:
        title = f"grade {group['value']} {group['label']}" if body["group_by"] == "grade" else f"{body['group_by']} {group['label']}"
        console.rule(f"{escape(title)}: {len(group['hits'])} hit(s)")
        for i, hit in enumerate(group["hits"], 1):
            highlight = " ... ".join(hit.get("highlights") or []) or hit["text"][:200]
            console.print(f"{i}. [bold]{escape(hit.get('citation') or hit['report_id'])}[/bold]")
            console.print(f"   {escape(highlight)}", highlight=False)
        if not group["hits"]:
            console.print("   No matching paragraphs in this group.")
    if not body["groups"]:
        console.print("No matching paragraphs.")
