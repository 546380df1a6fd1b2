"""File helpers every layer shares: one sha256 of a file, one atomic write, one fsync.

WHY in the lowest layer: the model cache (weights), the store (generations,
derived structures), the indexer (content hashes for incremental builds) and
uploads all hash files and replace files atomically; one implementation each
means one place to get durability right (temp file in the same folder, fsync,
``os.replace``; the temp file removed when anything fails).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def sha256_of_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_path(path: Path) -> None:
    """fsync a file or a directory (a directory fsync makes renames and new names durable)."""
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_replace(path: Path, *, prefix: str | None = None) -> Iterator[Path]:
    """Yield a temp path beside ``path``; when the block ends cleanly, fsync it, rename it onto ``path``
    and fsync the folder.

    Readers see the old file or the whole new one, never half a file; on an
    exception the temp file is removed and ``path`` is untouched. The folder's
    fsync makes the new name itself durable: an upload answered 202 must still
    be there after a power cut, not only its bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, path)
        fsync_path(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes, *, prefix: str | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_replace``)."""
    with atomic_replace(path, prefix=prefix) as tmp:
        tmp.write_bytes(data)
