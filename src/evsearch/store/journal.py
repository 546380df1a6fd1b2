"""The write journal: accepted write jobs in a small SQLite database beside the index.

WHY its own database, outside every generation: a generation is immutable
and is replaced by the next write, while a job must outlive both the
generation it was queued against and the server process that accepted it.
An upload's job row is committed here (WAL, ``synchronous=FULL``: the commit
is on disk when ``add`` returns) after its file is written and fsynced and
before the client hears 202, so a kill -9 at any later moment leaves the
server able to answer ``GET /jobs/{id}`` and to run the job again on start
(api/upload_jobs.py). Statements live in schema.py with the index's own.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evsearch.errors import EvsearchError, IndexBusyError, IndexCorruptError
from evsearch.models.files import fsync_path
from evsearch.store.database import translate
from evsearch.store.schema import JOURNAL_DDL, JOURNAL_STATEMENTS

JOURNAL_FILE = "jobs.sqlite"
KEEP_FINISHED = 1000  # finished jobs kept for GET /jobs/{id}; unfinished ones are never dropped


@dataclass
class JobRecord:
    """One row of the journal, as stored (result and error are JSON-ready dicts)."""

    job_id: str
    kind: str
    state: str
    created: float
    finished: float | None
    payload: dict[str, Any]
    result: dict[str, Any] | None
    error: dict[str, Any] | None


def _record(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        job_id=row["job_id"], kind=row["kind"], state=row["state"], created=row["created"], finished=row["finished"],
        payload=json.loads(row["payload"]), result=row["result"] and json.loads(row["result"]),
        error=row["error"] and json.loads(row["error"]),
    )  # fmt: skip


class Journal:
    """Job rows in ``<index>/jobs.sqlite``; opened on first use (building an app opens nothing)."""

    def __init__(self, index_dir: Path, *, keep: int = KEEP_FINISHED) -> None:
        self.path = Path(index_dir) / JOURNAL_FILE
        self.keep = keep
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        """The connection, or None when the journal does not exist and ``create`` is false (reads)."""
        if self._conn is None:
            if not create and not self.path.is_file():
                return None
            new = not self.path.exists()
            try:
                conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")  # in WAL mode: every commit fsyncs the log
                conn.execute("PRAGMA busy_timeout = 5000")
                conn.executescript(JOURNAL_DDL)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            if new:
                fsync_path(self.path.parent)  # the new file's name is durable too
            self._conn = conn
        return self._conn

    def _run(self, name: str, params: tuple, *, create: bool = True) -> list[sqlite3.Row]:
        with self._lock:
            conn = self._connect(create)
            if conn is None:
                return []
            try:
                return conn.execute(JOURNAL_STATEMENTS[name], params).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    def _error(self, exc: sqlite3.Error) -> EvsearchError:
        """A driver error as the domain error to show: busy stays busy; anything else names the journal."""
        error = translate(exc, self.path)
        if isinstance(error, IndexBusyError):
            return error
        return IndexCorruptError(
            f"the write journal {self.path} cannot be used: {exc}",
            hint=f"move {JOURNAL_FILE} aside and restart: a new journal is started (its jobs are forgotten)",
        )

    def add(self, job_id: str, kind: str, payload: dict[str, Any]) -> JobRecord:
        """Journal a queued job; durable when this returns."""
        created = time.time()
        self._run("job_insert", (job_id, kind, created, json.dumps(payload, ensure_ascii=False)))
        return JobRecord(job_id, kind, "queued", created, None, payload, None, None)

    def get(self, job_id: str) -> JobRecord | None:
        rows = self._run("job_get", (job_id,), create=False)
        return _record(rows[0]) if rows else None

    def running(self, job_id: str) -> None:
        self._run("job_running", (job_id,))

    def done(self, job_id: str, result: dict[str, Any]) -> float:
        finished = time.time()
        self._run("job_done", (finished, json.dumps(result, ensure_ascii=False), job_id))
        self._run("jobs_prune", (self.keep,))
        return finished

    def failed(self, job_id: str, error: dict[str, Any]) -> float:
        finished = time.time()
        self._run("job_failed", (finished, json.dumps(error, ensure_ascii=False), job_id))
        self._run("jobs_prune", (self.keep,))
        return finished

    def unfinished(self) -> list[JobRecord]:
        """Jobs queued or running when the last server stopped, oldest first."""
        return [_record(row) for row in self._run("jobs_unfinished", (), create=False)]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
