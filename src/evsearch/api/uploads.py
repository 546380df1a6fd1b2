"""Turning an uploaded report into a file the indexer can read, safely.

WHY its own module: nothing a client sends may become a filesystem path. The
original file name only contributes a sanitised slug to the report id (plus
a content hash, so two uploads called ``report.pdf`` never collide); the file
is written under ``<index>/uploads/`` with a server-made name, via a temp
file and an atomic rename. Content is checked by extension AND by bytes
(``%PDF`` magic; text must decode and hold no NUL bytes).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from evsearch.errors import InputError, PayloadTooLargeError, UnsupportedMediaError
from evsearch.models.files import atomic_write_bytes

ACCEPTED = (".pdf", ".txt")
UPLOADS_DIR = "uploads"
_PARTIAL = ".upload-"  # temp files of a write in progress (atomic_write_bytes' prefix)
_SLUG_MAX = 60


def display_name(filename: str | None) -> str:
    """The client's file name reduced to a harmless base name, for messages only."""
    raw = filename or ""
    base = PureWindowsPath(PurePosixPath(raw).name).name  # drop any directory part, either style
    base = "".join(ch for ch in base if ch.isprintable())[:120]
    return base or "upload"


def suffix_of(filename: str | None) -> str:
    """The accepted extension of ``filename`` (lowercase), or UnsupportedMediaError."""
    suffix = PurePosixPath(display_name(filename)).suffix.lower()
    if suffix not in ACCEPTED:
        raise UnsupportedMediaError(
            f"{display_name(filename)}: unsupported file type {suffix or '(none)'}",
            hint="upload a .pdf or .txt report",
        )
    return suffix


def check_content(name: str, suffix: str, data: bytes, limit: int) -> None:
    """Reject empty, oversized, or mislabelled content before anything is written."""
    if not data:
        raise InputError(f"{name}: file is empty")
    if len(data) > limit:
        raise PayloadTooLargeError(
            f"{name}: upload is larger than {limit // (1024 * 1024)} MiB",
            hint="raise EVSEARCH_MAX_UPLOAD_MB on the server to accept larger files",
        )
    if suffix == ".pdf":
        if b"%PDF-" not in data[:1024]:
            raise UnsupportedMediaError(f"{name}: not a PDF (no %PDF header)")
        return
    if b"\x00" in data:
        raise UnsupportedMediaError(f"{name}: not a text file (binary content)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnsupportedMediaError(f"{name}: not a text file ({exc.reason})") from exc


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:_SLUG_MAX].strip("-") or "upload"


def report_id_for(filename: str | None, data: bytes) -> str:
    """Slug of the original base name + a short content hash: stable, unique, path-free."""
    stem = PurePosixPath(display_name(filename)).stem
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{slugify(stem)}-{digest}"


def store(index_dir: Path, report_id: str, suffix: str, data: bytes) -> tuple[Path, bool]:
    """Write ``data`` to ``<index>/uploads/<report_id><suffix>`` atomically.

    Returns the path and whether this call created it: the name holds a hash
    of the bytes, so an existing file is this same upload, already kept, and
    must survive a failure of this request.
    """
    if not re.fullmatch(r"[a-z0-9-]+", report_id) or suffix not in ACCEPTED:
        raise InputError("internal naming check failed")  # defence in depth: ids come from report_id_for
    folder = index_dir / UPLOADS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    existing = folder / f"{report_id}{suffix}"
    if existing.is_file() and existing.read_bytes() == data:
        return existing, False
    target = folder / f"{report_id}{suffix}"
    atomic_write_bytes(target, data, prefix=_PARTIAL)
    return target, True


def remove_partial(index_dir: Path) -> int:
    """Delete temp files of uploads a killed server was writing (never answered 202); returns how many."""
    folder = index_dir / UPLOADS_DIR
    partial = sorted(folder.glob(f"{_PARTIAL}*")) if folder.is_dir() else []
    for path in partial:
        path.unlink(missing_ok=True)
    return len(partial)
