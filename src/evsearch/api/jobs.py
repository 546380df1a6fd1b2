"""Write jobs: POST /reports answers 202 with a job id; GET /jobs/{id} tells its state and result.

WHY (Datasette's write thread): indexing an upload takes seconds (parse,
embed, build the generation's derived structures), and searches must not
wait for it. Jobs run one at a time on the worker's write thread; a job's
state moves queued -> running -> done | failed, and a failed job keeps the
domain error it raised in the shape the API answers errors with, server
paths taken out (errors_http.public_error, the same function the error
handler uses).

WHY durable: every state lives in the write journal (store/journal.py,
``<index>/jobs.sqlite``), written before the client is answered, so a
restart (or kill -9) forgets no accepted job; upload_jobs.py runs the
unfinished ones again on start. This process keeps only what cannot be
stored: the future a ``?wait=true`` client waits on and the exception object
(with its HTTP status) it is answered with.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsearch.api.errors_http import public_error
from evsearch.errors import EvsearchError, NotFoundError
from evsearch.store.journal import JobRecord, Journal


@dataclass
class Job:
    record: JobRecord
    exception: EvsearchError | None = None  # this process only: the error with its status, for ?wait=true
    future: Future | None = field(default=None, repr=False)

    @property
    def job_id(self) -> str:
        return self.record.job_id

    @property
    def kind(self) -> str:
        return self.record.kind

    @property
    def state(self) -> str:
        return self.record.state

    @property
    def payload(self) -> dict[str, Any]:
        return self.record.payload

    @property
    def result(self) -> dict[str, Any] | None:
        return self.record.result

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        out: dict[str, Any] = {"job_id": r.job_id, "kind": r.kind, "state": r.state,
                               "created": round(r.created, 3), "finished": r.finished and round(r.finished, 3)}  # fmt: skip
        if r.result is not None:
            out["result"] = r.result
        if r.error is not None:
            out["error"] = r.error
        return out

    async def wait(self) -> "Job":
        """Until the job finished (for clients that ask to wait)."""
        assert self.future is not None
        await asyncio.wrap_future(self.future)
        return self


class Jobs:
    """The jobs of one index: journaled in SQLite, with this process's unfinished ones held in memory too."""

    def __init__(self, index_dir: Path) -> None:
        self.journal = Journal(index_dir)
        self._live: dict[str, Job] = {}
        self._lock = threading.Lock()

    def new(self, kind: str, payload: dict[str, Any] | None = None) -> Job:
        """A queued job, journaled (durable) before this returns."""
        job = Job(self.journal.add(uuid.uuid4().hex, kind, payload or {}))
        return self.adopt(job)

    def adopt(self, job: Job) -> Job:
        """Hold ``job`` in memory while it is unfinished (new ones, and the journal's after a restart)."""
        with self._lock:
            self._live[job.job_id] = job
        return job

    def unfinished(self) -> list[Job]:
        """Jobs the journal holds as queued or running (what a restart must run again)."""
        return [Job(record) for record in self.journal.unfinished()]

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._live.get(job_id)
        if job is not None:
            return job
        record = self.journal.get(job_id)
        if record is None:
            raise NotFoundError(f"no job {job_id!r}", hint="the last 1,000 finished jobs are kept")
        return Job(record)

    def running(self, job: Job) -> None:
        self.journal.running(job.job_id)
        job.record.state = "running"

    def done(self, job: Job, result: dict[str, Any]) -> None:
        job.record.finished = self.journal.done(job.job_id, result)
        job.record.result, job.record.state = result, "done"
        self._forget(job)

    def failed(self, job: Job, error: EvsearchError) -> None:
        body = public_error(error)
        job.record.finished = self.journal.failed(job.job_id, body)
        job.exception, job.record.error, job.record.state = error, body, "failed"
        self._forget(job)

    def _forget(self, job: Job) -> None:
        with self._lock:
            self._live.pop(job.job_id, None)

    def close(self) -> None:
        self.journal.close()
