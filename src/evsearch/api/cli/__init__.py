"""`evsearch` console script: commands register themselves on the shared app."""

from __future__ import annotations

import sys

from evsearch.api.cli import eval, grades, index, parse, search, serve  # noqa: F401  (each adds its commands to ``app``)
from evsearch import config
from evsearch.api.cli.app import app, error_line
from evsearch.errors import EvsearchError


def main() -> None:
    """Run a command; whatever goes wrong, the user reads one line, never a traceback.

    Domain errors carry their own exit code. Anything else is a bug: one line
    naming it (setting 'traceback' shows the traceback) and exit 70.
    """
    try:
        app()
    except EvsearchError as exc:
        sys.stderr.write(error_line(exc) + "\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:
        if config.get("traceback"):
            raise
        sys.stderr.write(error_line(exc) + "\n")
        sys.exit(70)
