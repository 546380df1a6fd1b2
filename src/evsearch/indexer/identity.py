"""Report identity in one index run: distinct ids for distinct files, one report for identical bytes.

WHY: report ids are slugs of file names (pipeline.report_id_for), and slugs
can collide ("Report A.pdf" and "report-a.pdf"); before this, one report
silently replaced the other and every later run flip-flopped between them.
Conversely the same bytes saved under three names became three reports, and
every judgement was listed three times. The rules here:

- A file whose slug no other file in the run shares keeps its id exactly as
  before (the evaluation collection depends on those ids).
- Files whose slugs collide: the one the index already holds under that id
  (else the first in walk order) keeps it; each other gets the id plus
  ``-`` and six hex digits of a hash of its own relative path, so the suffix
  is the same on every run and machine. The run says so in a note.
- A file with the same bytes as a report already in the index (whose file
  still exists) or as an earlier file in the run is not parsed again: it is
  recorded as another path of that report.

Also here: entries a folder walk passes over without reading (links that
loop or point nowhere, FIFOs, folders named like report files), so the run
can list them with the reason instead of skipping them without a word.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evsearch.parser.pipeline import distinct_ids
from evsearch.parser.reader import SUPPORTED_SUFFIXES

# distinct_ids lives with report_id_for in the parser (evsearch parse gives the ids the index gives).
__all__ = ["distinct_ids", "same_bytes", "skipped_entries", "Copy"]


@dataclass
class Copy:
    """A file with the same bytes as report ``report_id``: recorded as one more path of it."""

    path: Path
    report_id: str


def same_bytes(
    files: list[tuple[Path, str, str | None]],
    known_hashes: dict[str, str],
    stored_paths: dict[str, str],
    copies: dict[str, list[str]],
) -> tuple[dict[Path, str], dict[Path, Copy]]:
    """Which files are copies of which report.

    ``files`` are (path, id, sha256 or None when unreadable) in walk order.
    Returns the id each file is indexed under when that differs from its own
    (a copy whose report's file is gone takes the report over), and the copies.
    """
    run_ids = {report_id for _, report_id, _ in files}
    known_by_hash: dict[str, str] = {}
    for report_id, digest in sorted(known_hashes.items()):
        known_by_hash.setdefault(digest, report_id)
    owner: dict[str, str] = {}
    takes_over: dict[Path, str] = {}
    found: dict[Path, Copy] = {}
    for path, report_id, digest in files:
        if digest is None:
            continue
        if digest in owner:
            if owner[digest] != report_id:
                found[path] = Copy(path, owner[digest])
            continue
        known = known_by_hash.get(digest)
        if known is None or known == report_id:
            owner[digest] = report_id
            continue
        stored = stored_paths.get(known)
        if known in run_ids or (stored and stored != str(path) and Path(stored).exists()):
            owner[digest] = known
            found[path] = Copy(path, known)
        elif str(path) in copies.get(known, []):  # the report's own file is gone: this copy carries it on
            owner[digest] = known
            takes_over[path] = known
        else:
            owner[digest] = report_id
    return takes_over, found


def skipped_entries(paths: Iterable[str | Path]) -> list[tuple[str, str]]:
    """(path, reason) for every entry under the given folders that looks like a report but is not read."""
    skipped: list[tuple[str, str]] = []
    for raw in paths:
        given = Path(raw)
        if not given.is_dir():
            continue
        for folder, dirs, names in os.walk(given, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in dirs:
                entry = Path(folder) / name
                if entry.is_symlink():
                    skipped.append((str(entry), "a symbolic link to a folder (links to folders are not followed)"))
                elif Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                    skipped.append((str(entry), "a folder named like a report file (its contents are still read)"))
            for name in sorted(names):
                if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                reason = _unreadable_reason(Path(folder) / name)
                if reason:
                    skipped.append((str(Path(folder) / name), reason))
    return skipped


def _unreadable_reason(entry: Path) -> str | None:
    """Why a walk does not read ``entry`` as a file, or None when it is a regular file."""
    try:
        mode = entry.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops"
        if entry.is_symlink():
            return "a symbolic link to nothing"
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file (a device or special file)"
