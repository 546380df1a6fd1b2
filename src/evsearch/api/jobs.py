"""Write jobs: POST /reports answers 202 with a job id; GET /jobs/{id} tells its state and result.

WHY (Datasette's write thread): indexing an upload takes seconds (parse,
embed, build the generation's derived structures), and searches must not
wait for it. Jobs run one at a time on the worker's write thread; a job's
state moves queued -> running -> done | failed, and a failed job keeps the
domain error it raised (the same ``{"error", "message", "hint"}`` shape the
API answers errors with). The registry is in memory and bounded: a server
restart forgets finished jobs, never indexed reports.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from evsearch.errors import EvsearchError, NotFoundError

KEEP_JOBS = 1000  # finished jobs remembered for GET /jobs/{id}


@dataclass
class Job:
    job_id: str
    kind: str
    state: str = "queued"  # queued, running, done, failed
    created: float = field(default_factory=time.time)
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: EvsearchError | None = None
    future: Future | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"job_id": self.job_id, "kind": self.kind, "state": self.state,
                               "created": round(self.created, 3), "finished": self.finished and round(self.finished, 3)}  # fmt: skip
        if self.result is not None:
            out["result"] = self.result
        if self.error is not None:
            out["error"] = self.error.to_dict()
        return out

    async def wait(self) -> "Job":
        """Until the job finished (for clients that ask to wait)."""
        assert self.future is not None
        await asyncio.wrap_future(self.future)
        return self


class Jobs:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def new(self, kind: str) -> Job:
        job = Job(uuid.uuid4().hex, kind)
        with self._lock:
            self._jobs[job.job_id] = job
            while len(self._jobs) > KEEP_JOBS:
                oldest = next(iter(self._jobs.values()))
                if oldest.finished is None:
                    break
                self._jobs.popitem(last=False)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id!r}", hint="jobs are kept in memory until the server restarts")
        return job

    @staticmethod
    def running(job: Job) -> None:
        job.state = "running"

    @staticmethod
    def done(job: Job, result: dict[str, Any]) -> None:
        job.result, job.finished, job.state = result, time.time(), "done"

    @staticmethod
    def failed(job: Job, error: EvsearchError) -> None:
        job.error, job.finished, job.state = error, time.time(), "failed"
