"""The Typer application and the one place CLI errors become messages.

Each command lives in its own module beside this one and registers itself on
``app``; domain errors become a one-line message on stderr and the error's
exit code, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from evsearch.errors import EvsearchError

app = typer.Typer(
    name="evsearch",
    help="Evidence search over inspection reports: cited, graded paragraphs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def error_line(error: BaseException) -> str:
    """The one line a user reads for a failure: a domain error's message, or what a bug was."""
    if isinstance(error, EvsearchError):
        return f"error: {error}"
    first = (str(error).splitlines() or [""])[0][:300]
    return f"error: unexpected {type(error).__name__}: {first} (a bug; EVSEARCH_TRACEBACK=1 shows where)"


def fail(error: EvsearchError) -> None:
    """Print a domain error as one line and exit with its code."""
    sys.stderr.write(error_line(error) + "\n")
    raise typer.Exit(error.exit_code)
