"""What may leave the server: text and records with the server's own paths taken out.

WHY one module: the core names files in its messages ("no report 'x' in
/srv/evsearch/index", "/srv/reports/a.pdf: encrypted PDF") because the CLI's
user owns those paths. Over HTTP and MCP the caller does not, and an absolute
path tells an attacker how the server is laid out. Every face that answers a
remote caller (error handler, routes, MCP tools) passes its text through here.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

# An absolute POSIX path of two or more parts: "/a/b", "/srv/x y/z.pdf" is cut at the space.
_ABSOLUTE = re.compile(r"(?<![\w.:/])/(?:[^\s'\"/:]+/)+([^\s'\"/:]*)")


def public_text(text: str) -> str:
    """``text`` with every absolute path reduced to its last part ("/srv/idx/gen-1" -> "gen-1")."""
    return _ABSOLUTE.sub(lambda m: m.group(1) or "(server path)", text)


def public_name(path: Any) -> str | None:
    """A stored path as clients see it: the file or folder name only."""
    return None if path in (None, "") else PurePath(str(path)).name


def public_report(report: dict) -> dict:
    """A report record with its server paths reduced to file names."""
    out = dict(report)
    if "path" in out:
        out["path"] = public_name(out["path"])
    if isinstance(out.get("paths"), list):
        out["paths"] = [public_name(p) for p in out["paths"]]
    return out


def public_stats(stats: Any) -> Any:
    """Index statistics (any nesting) with every path in them cut to its last part: the index folder,
    and a model or cross-encoder given as a local path."""
    if isinstance(stats, dict):
        return {key: public_stats(value) for key, value in stats.items()}
    if isinstance(stats, list):
        return [public_stats(value) for value in stats]
    if isinstance(stats, str) and stats.startswith("/"):
        return public_name(stats)
    return public_text(stats) if isinstance(stats, str) else stats
