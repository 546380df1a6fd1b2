"""`evsearch parse`: print a report's paragraphs, judgements or metadata as JSON Lines.

The records are exactly what the index stores, so this is the way to see what
the engine read from a file before indexing it. A bad file costs one line on
stderr, never the batch: the others still print, and the exit status says
something failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from evsearch.api.cli.app import app, fail
from evsearch.errors import InputError, ReportReadError


@app.command()
def parse(
    paths: list[Path] = typer.Argument(..., help="Report files (.pdf, .txt, .md) or folders (walked recursively)."),
    judgements: bool = typer.Option(False, "--judgements", help="Print judgement records instead of paragraphs."),
    reports: bool = typer.Option(False, "--reports", help="Print one report (metadata) record per file."),
    workers: int = typer.Option(1, "--workers", min=1, help="Parse files in this many processes."),
) -> None:
    """Parse reports and print JSON Lines: paragraphs by default, or --judgements / --reports."""
    from evsearch.parser.pipeline import parse_paths  # here, not at the top: `evsearch search` never needs it

    if judgements and reports:
        fail(InputError("--judgements and --reports cannot be combined", hint="choose one record type"))
    out = sys.stdout
    total = failed = 0
    for result in parse_paths(paths, workers=workers):
        total += 1
        if isinstance(result, ReportReadError):
            failed += 1
            sys.stderr.write(f"error: {result.path}: {result.reason}\n")
            sys.stderr.flush()
            continue
        if reports:
            records = [result.report.to_dict()]
        elif judgements:
            records = [j.to_dict() for j in result.judgements]
        else:
            records = [p.to_dict() for p in result.paragraphs]
        out.write("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))
        out.flush()
    if total == 0:
        fail(InputError("no report files found", hint="give .pdf, .txt or .md files, or folders holding them"))
    if failed:
        sys.stderr.write(f"{failed} of {total} files failed\n")
        raise typer.Exit(1)
