"""Generations on disk: the CURRENT pointer, the writer lock, reader pins and clean-up.

An index directory holds immutable ``gen-NNNNNN/`` folders and a ``CURRENT``
file naming the live one. A writer builds the next generation in a fresh
folder, fsyncs it, and commits by atomically replacing CURRENT (write a temp
file, fsync, ``os.replace``, fsync the directory). A kill at any moment leaves
CURRENT naming a complete generation, so readers see the old index or the new
one, never a mix. Readers pin their generation with a shared ``flock`` on its
``in-use.lock``; the writer deletes an old generation only when it can take
that lock exclusively, i.e. when no reader holds it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from evsearch.errors import IndexBusyError
from evsearch.models.files import fsync_path  # noqa: F401 (the writer calls generations.fsync_path)

CURRENT = "CURRENT"
WRITER_LOCK = "LOCK"
MERGING = "MERGING"  # present while a merge holds the writer lock to publish (milliseconds): writers wait
MERGE_WAIT_S = 5.0
UNMARKED_GRACE_S = 0.1  # a lock held this long with no housekeeping marker is a writer's, not a tidy-up's
IN_USE = "in-use.lock"
_GEN_RE = re.compile(r"^gen-(\d{6,})$")


def gen_name(number: int) -> str:
    return f"gen-{number:06d}"


def gen_number(name: str) -> int:
    match = _GEN_RE.match(name)
    return int(match.group(1)) if match else -1


def read_current(index_dir: Path) -> str | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return name if _GEN_RE.match(name) else None


def publish(index_dir: Path, name: str) -> None:
    """Make ``name`` the live generation; the os.replace is the commit point."""
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    crash_point("before-swap")
    os.replace(tmp, index_dir / CURRENT)
    fsync_path(index_dir)
    crash_point("after-swap")


def next_generation(index_dir: Path) -> int:
    numbers = [gen_number(p.name) for p in index_dir.iterdir() if p.is_dir()]
    return max([n for n in numbers if n >= 0], default=0) + 1


@contextmanager
def writer_lock(index_dir: Path, wait: bool = True) -> Iterator[None]:
    """One writer at a time; the kernel drops the lock if the writer dies (even by SIGKILL).
    ``wait``: while a merge or tidy-up holds it, wait for it (``MERGE_WAIT_S`` at most)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(index_dir / WRITER_LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + (MERGE_WAIT_S if wait else 0.0)
        unmarked_since: float | None = None  # taken, and no housekeeping marker seen, since then
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                now = time.monotonic()
                if any(index_dir.glob(MERGING + "*")) and now < deadline:
                    unmarked_since = None
                    time.sleep(0.02)  # a merge or tidy-up holds the lock for milliseconds
                    continue
                # no marker: a writer holds it, or a tidy-up let go (marker gone) as the next one
                # took it (marker not yet down): only a lock taken unmarked for a while is a writer
                unmarked_since = now if unmarked_since is None else unmarked_since
                if wait and now - unmarked_since < UNMARKED_GRACE_S:
                    time.sleep(0.005)
                    continue
                raise IndexBusyError(
                    f"another `evsearch index` is writing {index_dir}", hint="wait for it to finish"
                ) from exc
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def housekeeping_lock(index_dir: Path, wait: bool = True) -> Iterator[None]:
    """The writer lock for a merge's publish or a tidy-up, which hold it for milliseconds.

    Its marker goes down BEFORE the lock is tried, so a writer that finds the lock taken
    in between waits (``writer_lock``) instead of failing as busy; each holder has its own
    marker, so one finishing never unmarks another. ``wait=False``: IndexBusyError at once
    when the lock is taken (a clean-up that can be left for later)."""
    marker = index_dir / f"{MERGING}.{os.getpid()}.{threading.get_ident()}"
    marker.touch()
    try:
        with writer_lock(index_dir, wait=wait):
            yield
    finally:
        marker.unlink(missing_ok=True)


def pin(gen_dir: Path) -> int | None:
    """Take a shared lock on a generation so no writer deletes it; None if it is gone or going."""
    try:
        fd = os.open(str(gen_dir / IN_USE), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    if not (gen_dir / IN_USE).exists():  # deleted between open and lock
        os.close(fd)
        return None
    return fd


def unpin(fd: int | None) -> None:
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass


@contextmanager
def unused(marker: Path) -> Iterator[bool]:
    """Whether no process holds ``marker`` (a generation's IN_USE, a segment's BUILDING; no marker: none
    does). While the block runs this process holds it exclusively, so nobody takes it up meanwhile."""
    if not marker.exists():
        yield True
        return
    fd = os.open(str(marker), os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def collect_garbage(index_dir: Path, keep: str) -> list[str]:
    """Delete generations other than ``keep`` that no reader pins (call with the writer lock held)."""
    removed = []
    for path in sorted(index_dir.iterdir()):
        if not path.is_dir() or path.name == keep or gen_number(path.name) < 0:
            continue
        with unused(path / IN_USE) as free:
            if not free:
                continue  # a reader still uses it; a later writer will remove it
            if (path / IN_USE).exists():
                (path / IN_USE).unlink()  # first, so late readers see it going
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def crash_point(name: str) -> None:
    """Test hook: ``EVSEARCH_CRASH_AT=<name>`` SIGKILLs this process here (crash-safety tests)."""
    if os.environ.get("EVSEARCH_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
