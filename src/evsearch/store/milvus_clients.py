"""Milvus clients shared per URI within the process, counted so the last user closes them.

WHY a module of its own: a Milvus Lite file is served by one ``milvus`` child process
(milvus_lite starts it for the first client of that file and stops it when the file is
released; ~45-100 MB each), and Milvus Lite lets one OS process open a file. An index keeps
one Lite file (``DIR/milvus.db``, milvus_backend.py), so every reader of every open generation
and the writer of this process must share one client of it, or each would start its own
server process (issue 18 saw 10 alive at once, 2.0 GB, while uploads queued). Each ``client``
call is matched by one ``release``; ``hold`` does both around a block; ``borrow`` gives the
client only when this process already holds it (clean-ups that must not start a server).

A second OS process asking for a Lite file that another holds gets ``IndexBusyError`` at once,
checked on milvus_lite's own lock file before any server is started (so no log line or
traceback reaches the user).
"""

from __future__ import annotations

import fcntl
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from evsearch.errors import IndexBusyError, IndexNotFoundError

try:
    with warnings.catch_warnings():  # milvus_lite imports pkg_resources, which warns on every start
        warnings.filterwarnings("ignore", message=".*pkg_resources is deprecated.*", category=UserWarning)
        from milvus_lite.server_manager import server_manager_instance as lite_servers
        from pymilvus import MilvusClient
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("Milvus is not available - install pymilvus and milvus-lite") from exc

BUSY_HINT = (
    "Milvus Lite allows one process per file: stop the other evsearch process (e.g. `evsearch serve`), "
    "upload through the server (POST /reports), or keep the index on a Milvus server with --milvus-uri"
)

_clients: dict[str, list] = {}  # key -> [client, users]
_lock = threading.Lock()


def is_lite(uri: str) -> bool:
    return not uri.startswith(("http://", "https://", "tcp://", "grpc://"))


def key(uri: str) -> str:
    """One spelling per Lite file (``gen-1/../milvus.db`` and ``milvus.db`` are the same file)."""
    return str(Path(uri).resolve()) if is_lite(uri) else uri


def _lite_lock_free(path: Path) -> bool:
    """Whether no other process serves this Lite file (milvus_lite takes a POSIX lock on
    ``.NAME.lock`` beside it for as long as its server runs). Only asked while this process
    holds no server for the file, so closing our descriptor drops no lock of ours."""
    if not path.parent.is_dir():
        return True  # milvus_lite reports the missing folder itself
    lock_path = path.parent / f".{path.name}.lock"
    try:
        fh = open(lock_path, "a")
    except OSError:
        return True  # read-only folder: let milvus_lite say what it can
    with fh:
        try:
            fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.lockf(fh, fcntl.LOCK_UN)
    return True


def _busy(uri: str, reason: str) -> IndexBusyError:
    return IndexBusyError(f"Milvus Lite file {uri} is open in another process ({reason})", hint=BUSY_HINT)


def client(uri: str) -> MilvusClient:
    """The process's client for ``uri`` (started on first use); match each call with ``release``."""
    name = key(uri)
    with _lock:
        if name not in _clients:
            if is_lite(name) and not _lite_lock_free(Path(name)):
                raise _busy(name, "its lock is held")
            try:
                _clients[name] = [MilvusClient(name), 0]
            except Exception as exc:  # pymilvus raises several types for "cannot open"
                if is_lite(name):
                    raise _busy(name, f"cannot be opened: {str(exc).splitlines()[0] if str(exc) else exc!r}") from exc
                raise IndexNotFoundError(f"cannot connect to Milvus at {uri}: {exc}") from exc
        _clients[name][1] += 1
        return _clients[name][0]


def borrow(uri: str) -> MilvusClient | None:
    """The client when this process already holds ``uri`` (then match with ``release``), else None."""
    name = key(uri)
    with _lock:
        entry = _clients.get(name)
        if entry is None:
            return None
        entry[1] += 1
        return entry[0]


def release(uri: str) -> None:
    name = key(uri)
    with _lock:
        entry = _clients.get(name)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _clients[name]
        # under the lock: a ``client`` call racing this one must not find the file still locked
        entry[0].close()
        if is_lite(name):
            lite_servers.release_server(name)  # the Lite server holds the file: stop it


@contextmanager
def hold(uri: str) -> Iterator[MilvusClient]:
    """``client`` for the block, ``release`` after it."""
    milvus = client(uri)
    try:
        yield milvus
    finally:
        release(uri)


def users(uri: str) -> int:
    """How many holders this process has of ``uri`` (0: no server of it runs here)."""
    with _lock:
        entry = _clients.get(key(uri))
        return 0 if entry is None else int(entry[1])
