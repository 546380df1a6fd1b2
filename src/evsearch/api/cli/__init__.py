"""`evsearch` console script: commands register themselves on the shared app."""

from __future__ import annotations

import sys

from evsearch.api.cli import index, parse, search, serve  # noqa: F401  (each adds its commands to ``app``)
from evsearch.api.cli.app import app
from evsearch.errors import EvsearchError


def main() -> None:
    try:
        app()
    except EvsearchError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
