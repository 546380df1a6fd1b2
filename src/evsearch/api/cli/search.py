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
from rich.markup import escape

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
    explain: bool = typer.Option(False, "--explain", help="Say, for each hit, the signals that placed it."),
    **filters: Any,
) -> None:
    """Search paragraphs: filters in the query text are understood; options override them."""
    from evsearch.search.engine import Engine

    try:
        request = SearchRequest.of(
            query, k, offset, facets=facets, group_by=group_by, ignore=ignore, explain=explain, **filters
        )
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


CARDS_BELOW = 100  # columns: narrower terminals get one card per hit instead of the table


def _print_table(body: dict) -> None:
    """Hits as a table (wide terminals) or as cards (below ``CARDS_BELOW`` columns).

    The grade is shown once, inside the citation (its one rule, search/results.py);
    the highlight gets the width that is left, so it reads as a sentence.
    """
    from rich.console import Console

    console = Console()
    console.print(f"[bold]{escape(repr(body['query']))}[/bold]", highlight=False)
    console.print(f"[dim]{escape(body['understood']['summary'])}[/dim]", highlight=False)
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
    _print_total(console, body)
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


def _print_total(console: Any, body: dict) -> None:
    total = body.get("total")
    if total is not None:
        console.print(f"{'about ' if body.get('total_is_estimate') else ''}{total} matching paragraphs", highlight=False)


def _print_groups(body: dict) -> None:
    """A grouped search: a rule per group (grade, report, year or authority), then its hits as cards."""
    from rich.console import Console

    console = Console()
    console.print(f"[dim]{escape(body['understood']['summary'])}[/dim]", highlight=False)
    for group in body["groups"]:
        title = f"grade {group['value']} {group['label']}" if body["group_by"] == "grade" else f"{body['group_by']} {group['label']}"
        console.rule(f"{escape(title)}: {len(group['hits'])} hit(s)")
        for i, hit in enumerate(group["hits"], body["offset"] + 1):
            _print_card(console, i, hit)
        if not group["hits"]:
            console.print("    No matching paragraphs in this group.")
    if not body["groups"]:
        console.print("No matching paragraphs.")
