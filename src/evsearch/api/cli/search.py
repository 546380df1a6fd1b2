"""`evsearch search` (one query: a table or JSON) and `evsearch eval` (ranking quality on qrels).

Both are thin: they call the search Engine and format its SearchResponse, the
same result model the HTTP API and the web page use.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from evsearch.api.cli.app import app, fail
from evsearch.errors import EvsearchError, InputError

IndexOpt = typer.Option(None, "--index", "-i", help="Index directory (default: setting 'index', EVSEARCH_INDEX).")


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for, e.g. 'evidence for health adequate grade'."),
    index: Optional[Path] = IndexOpt,
    k: int = typer.Option(10, "-k", "--k", help="Number of hits (1-100)."),
    offset: int = typer.Option(0, "--offset", help="Skip this many hits (pagination)."),
    grade: Optional[str] = typer.Option(None, "--grade", help="Only paragraphs graded this: word or 1-4."),
    section: Optional[str] = typer.Option(None, "--section", help="Only sections whose title contains this."),
    theme: Optional[str] = typer.Option(None, "--theme", help="Only sections of this theme (e.g. 'health')."),
    report: Optional[str] = typer.Option(None, "--report", help="Only this report_id."),
    la: Optional[str] = typer.Option(None, "--la", help="Only reports of this local authority."),
    year: Optional[int] = typer.Option(None, "--year", help="Only reports inspected or published this year."),
    as_json: bool = typer.Option(False, "--json", help="Print the SearchResponse as JSON."),
) -> None:
    """Search paragraphs: filters in the query text are understood; options override them."""
    from evsearch.search.engine import Engine

    try:
        with Engine(index) as engine:
            response = engine.search(
                query, k=k, offset=offset, grade=grade, section=section, theme=theme, report=report, la=la, year=year
            )
    except EvsearchError as exc:
        fail(exc)
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
    for note in body.get("notes") or []:
        console.print(f"[dim]note: {note}[/dim]")
    if not body["hits"]:
        console.print("No matching paragraphs.")


@app.command("eval")
def eval_command(
    qrels: Path = typer.Argument(..., help="Tab-separated qid, query, report, number, rel (with a header row)."),
    index: Optional[Path] = IndexOpt,
    as_json: bool = typer.Option(False, "--json", help="Print per-query and overall metrics as JSON."),
    scope: str = typer.Option(
        "judged",
        "--scope",
        help="'judged': search within the one report each query's judgements name (other reports' "
        "paragraphs are unjudged, so they would count as misses); 'all': search the whole index.",
    ),
) -> None:
    """nDCG@10, MRR@10 and Recall@10, per query and overall."""
    from evsearch.search.engine import Engine
    from evsearch.search.evaluate import evaluate, load_qrels, report_names

    try:
        if scope not in ("judged", "all"):
            raise InputError(f"--scope must be 'judged' or 'all', not {scope!r}")
        query_set = load_qrels(qrels)
        with Engine(index) as engine:
            names = report_names(engine.reports(), query_set.reports)
            ids_by_name = {name: rid for rid, name in names.items()}
            missing = sorted(query_set.reports - set(ids_by_name))
            if missing:
                raise InputError(
                    f"{qrels}: report(s) not in the index: {', '.join(missing)}",
                    hint="index them first with: evsearch index PATH --index DIR",
                )

            def run(text: str, judged: set[str]) -> list[tuple[str, int]]:
                report = ids_by_name[next(iter(judged))] if scope == "judged" and len(judged) == 1 else None
                hits = engine.search(text, k=10, report=report).hits
                return [(names.get(h.report_id, h.report_id), h.number) for h in hits]

            result = evaluate(query_set, run)
    except EvsearchError as exc:
        fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{qrels.name}: {len(result['queries'])} queries")
    for col in ("qid", "query", "nDCG@10", "MRR@10", "Recall@10"):
        table.add_column(col, justify="left" if col in ("qid", "query") else "right")
    for q in result["queries"]:
        table.add_row(q["qid"], q["query"][:60], f"{q['ndcg@10']:.3f}", f"{q['mrr@10']:.3f}", f"{q['recall@10']:.3f}")
    o = result["overall"]
    table.add_row("all", "", f"{o['ndcg@10']:.3f}", f"{o['mrr@10']:.3f}", f"{o['recall@10']:.3f}", style="bold")
    Console().print(table)
