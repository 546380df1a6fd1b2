"""The one SQLite wrapper: named statements in, rows out, domain errors on failure.

Every query of the index goes through ``Database`` so that (a) SQL is looked up
by name in ``schema.STATEMENTS`` and (b) sqlite3 exceptions become evsearch
errors with a message a user can act on. One connection is shared by threads
(the HTTP server) under a lock: reads are short, and a published generation
is immutable, so serialising them costs little and keeps sqlite3 safe.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import quote

from evsearch.errors import EvsearchError, IndexBusyError, IndexCorruptError, InputError
from evsearch.store.schema import DDL, STATEMENTS

Params = Sequence[Any] | dict[str, Any]


def translate(exc: sqlite3.Error, path: Path, sql: str = "") -> EvsearchError:
    """Map a driver error to the domain error a user should see."""
    text = str(exc)
    low = text.lower()
    if "fts5" in low or ("match" in sql.lower() and isinstance(exc, sqlite3.OperationalError)):
        return InputError(f"invalid full-text query: {text}", hint="quote every term of user text (search/keywords.py)")
    if "locked" in low or "busy" in low:
        return IndexBusyError(f"index database {path} is busy: {text}")
    if "not a database" in low or "malformed" in low or "no such table" in low or "unable to open" in low:
        return IndexCorruptError(
            f"index database {path} cannot be read: {text}", hint="rebuild it with `evsearch index PATH --rebuild`"
        )
    return IndexCorruptError(f"index database {path} failed: {text}")


class Database:
    """A SQLite file opened read-only (published generation) or writable (generation being built)."""

    def __init__(self, path: str | Path, *, writable: bool = False) -> None:
        self.path = Path(path)
        self.writable = writable
        self._lock = threading.RLock()
        try:
            if writable:
                self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
                # The file is private until published, so a crash mid-build only loses a
                # folder nobody points at: skip the journal and fsyncs, and fsync once at the end.
                self._conn.execute("PRAGMA journal_mode = OFF")
                self._conn.execute("PRAGMA synchronous = OFF")
            else:
                if not self.path.is_file():
                    raise IndexCorruptError(f"index database {self.path} is missing")
                # immutable=1: a published generation never changes, so SQLite may skip locking.
                uri = f"file:{quote(str(self.path.resolve()))}?mode=ro&immutable=1"
                self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._conn.row_factory = sqlite3.Row
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    # -- reads
    def rows(self, name: str, params: Params = ()) -> list[sqlite3.Row]:
        return self.rows_sql(STATEMENTS[name], params)

    def rows_sql(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run SQL composed in schema.py (fixed fragments; values always bound as parameters)."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise translate(exc, self.path, sql) from exc

    def chunks_sql(self, sql: str, size: int = 500_000) -> Iterator[list[sqlite3.Row]]:
        """Rows of a large read in lists of ``size`` (a derived build reads millions of rows; a single
        fetchall would hold them all as Python tuples). Holds the connection for the whole read."""
        with self._lock:
            try:
                cursor = self._conn.execute(sql)
                while chunk := cursor.fetchmany(size):
                    yield chunk
            except sqlite3.Error as exc:
                raise translate(exc, self.path, sql) from exc

    def row(self, name: str, params: Params = ()) -> sqlite3.Row | None:
        found = self.rows(name, params)
        return found[0] if found else None

    def scalar(self, name: str, params: Params = ()) -> Any:
        found = self.row(name, params)
        return None if found is None else found[0]

    # -- writes
    def run(self, name: str, params: Params = ()) -> sqlite3.Cursor:
        return self.run_sql(STATEMENTS[name], params)

    def run_sql(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._conn.execute(sql, params)
            except sqlite3.Error as exc:
                raise translate(exc, self.path, sql) from exc

    def run_many(self, name: str, rows: Iterable[Params]) -> None:
        with self._lock:
            try:
                self._conn.executemany(STATEMENTS[name], rows)
            except sqlite3.Error as exc:
                raise translate(exc, self.path, STATEMENTS[name]) from exc

    def create_schema(self) -> None:
        with self._lock:
            try:
                self._conn.executescript(DDL)
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc

    def begin(self) -> None:
        self.run_sql("BEGIN")

    def commit(self) -> None:
        with self._lock:
            if self._conn.in_transaction:
                self.run_sql("COMMIT")

    def vacuum(self) -> None:
        self.run_sql("VACUUM")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
