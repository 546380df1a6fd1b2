"""`evsearch` console script: commands register themselves on the shared app."""

from __future__ import annotations

import importlib
import sys

from evsearch.api.cli.app import app
from evsearch.errors import EvsearchError

# One module per command; each adds itself to ``app`` when imported.
_COMMAND_MODULES = ("parse", "index", "search", "serve")

for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"evsearch.api.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command still being written
        if exc.name != f"evsearch.api.cli.{_name}":
            raise


def main() -> None:
    try:
        app()
    except EvsearchError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
