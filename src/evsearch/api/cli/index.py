"""`evsearch index PATH...`: build or update the index incrementally.

A thin face over ``evsearch.indexer.build.build_index``: on a terminal it
shows Rich progress for parsing (reports, paragraphs) and embedding
(paragraphs), each with an ETA; otherwise it prints one summary line so logs
stay readable. A path that does not exist leaves nothing behind. Files that cannot be read are listed one
line each on stderr and the exit status is 1; entries not read at all
(skipped), copies of another report and id collisions are listed too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from evsearch import config
from evsearch.api.cli.app import app, fail
from evsearch.errors import EvsearchError


def _help(name: str) -> str:
    setting = next(s for s in config.SETTINGS if s.name == name)
    return f"{setting.help} (setting '{name}', {setting.env}; default {setting.default!r})"


@app.command()
def index(
    paths: List[Path] = typer.Argument(..., help="Report files (.txt, .md, .pdf) or folders holding them."),
    index_dir: Optional[Path] = typer.Option(None, "--index", "-i", help=_help("index")),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=_help("model")),
    prune: bool = typer.Option(False, "--prune", help="Drop indexed reports whose files no longer exist."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Start from an empty index (needed to change model)."),
    ann: Optional[str] = typer.Option(None, "--ann", help=_help("ann")),
    embedding_text: Optional[str] = typer.Option(None, "--embedding-text", help=_help("embedding_text")),
    backend: Optional[str] = typer.Option(None, "--backend", help=_help("store_backend")),
    milvus_uri: Optional[str] = typer.Option(None, "--milvus-uri", help=_help("milvus_uri")),
) -> None:
    """Index report files: only new or changed files are parsed and embedded."""
    from evsearch.indexer.build import build_index

    show_bar = sys.stderr.isatty()
    try:
        if show_bar:
            result = _with_progress_bar(build_index, paths, index_dir, model=model, prune=prune, rebuild=rebuild,
                                        ann=ann, embedding_text=embedding_text, backend=backend,
                                        milvus_uri=milvus_uri)  # fmt: skip
        else:
            result = build_index(paths, index_dir, model=model, prune=prune, rebuild=rebuild, ann=ann,
                                 embedding_text=embedding_text, backend=backend, milvus_uri=milvus_uri)  # fmt: skip
    except EvsearchError as exc:
        fail(exc)
    for path, reason in result.skipped:
        sys.stderr.write(f"skipped: {path}: {reason}\n")
    for path, report_id in result.copies:
        sys.stderr.write(f"copy: {path}: the same bytes as report {report_id!r}, recorded as another path of it\n")
    for note in result.notes:
        sys.stderr.write(f"note: {note}\n")
    for path, reason in result.failed:
        sys.stderr.write(f"failed: {path}: {reason}\n")
    typer.echo(result.summary())
    if result.failed:
        raise typer.Exit(1)


def _with_progress_bar(build_index, paths, index_dir, **options):
    """Two bars on stderr: parsing (reports) and embedding (paragraphs), each with counts and an ETA.

    WHY two: parsing a folder takes seconds and embedding its paragraphs most of
    the minute; one bar over reports sat at 33/33 while the model worked.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("[bold]{task.description:<9}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True, expand=True) as bar:
        parsing = bar.add_task("parsing", total=None, unit="reports")
        embedding = bar.add_task("embedding", total=None, unit="paragraphs")

        def update(done: int, total: int, paragraphs: int, embedded: int) -> None:
            bar.update(parsing, completed=done, total=total, unit=f"reports, {paragraphs:,} paragraphs")
            bar.update(embedding, completed=embedded, total=max(paragraphs, 1))

        return build_index(paths, index_dir, progress=update, **options)
