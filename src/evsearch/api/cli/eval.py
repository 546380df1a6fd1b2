"""`evsearch eval QRELS`: ranking quality of the engine on graded judgements.

A thin face over ``evsearch.search.evaluate``: each query is searched over the
whole index, as a user would search (``--scope judged`` keeps the old, kinder
measure that searches only the one report a query's judgements name). Prints
the mean nDCG@10, MRR@10, Recall@10 and judged@10; ``--per-query`` adds a row
per query and ``--json`` prints everything as one JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from evsearch.api.cli.app import app, fail
from evsearch.errors import EvsearchError, InputError

SCOPES = ("all", "judged")


@app.command("eval")
def eval_command(
    qrels: Path = typer.Argument(
        ..., help="Tab-separated qid, query, report, number, rel (optional part, record), with a header row."
    ),
    index: Optional[Path] = typer.Option(
        None, "--index", "-i", help="Index directory (default: setting 'index', EVSEARCH_INDEX)."
    ),
    scope: str = typer.Option(
        "all",
        "--scope",
        help="'all': search the whole index; 'judged': search only within the report a query's "
        "judgements name (when they name one), which can only score the same or higher.",
    ),
    per_query: bool = typer.Option(False, "--per-query", help="Also print one row per query."),
    as_json: bool = typer.Option(False, "--json", help="Print per-query and overall metrics as one JSON line."),
) -> None:
    """nDCG@10, MRR@10, Recall@10 (and judged@10: how much of each top 10 was judged)."""
    from evsearch.search.engine import Engine
    from evsearch.search.evaluate import Found, evaluate, load_qrels, report_names

    try:
        if scope not in SCOPES:
            raise InputError(f"--scope must be one of {', '.join(SCOPES)}, not {scope!r}")
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

            def run(text: str, judged: set[str]) -> list[Found]:
                report = ids_by_name[next(iter(judged))] if scope == "judged" and len(judged) == 1 else None
                return [Found.of_hit(h) for h in engine.search(text, k=10, report=report).hits]

            result = evaluate(query_set, run, names)
    except EvsearchError as exc:
        fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    _print_table(qrels.name, scope, result, per_query)


def _print_table(name: str, scope: str, result: dict, per_query: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    skipped = result["without_relevant"]
    title = f"{name}: {result['evaluated']} queries, scope {scope}" + (
        f" ({len(skipped)} without a relevant judgement left out)" if skipped else ""
    )
    table = Table(title=title)
    for col in ("qid", "query", "nDCG@10", "MRR@10", "Recall@10", "judged@10"):
        table.add_column(col, justify="left" if col in ("qid", "query") else "right")
    rows = result["queries"] if per_query else []
    for q in rows:
        table.add_row(q["qid"], q["query"][:60], *(f"{q[m]:.3f}" for m in ("ndcg@10", "mrr@10", "recall@10", "judged@10")))
    o = result["overall"]
    table.add_row("all", "", *(f"{o[m]:.3f}" for m in ("ndcg@10", "mrr@10", "recall@10", "judged@10")), style="bold")
    Console().print(table)
