"""Two threads own the Engine's work: one serves reads, one runs writes; faces hand them work.

WHY: reads never wait on writes. Every read (search, records) runs on the read
thread, which keeps the event loop free while a query is embedded (search is
CPU-bound under the GIL, so one read thread costs little throughput). Writes
(indexing an upload, then opening the new generation) run on the write thread,
one at a time (jobs.py): the new generation is built and opened there and
swapped into the Engine by one assignment (Engine.refresh), so a search in
flight finishes on the old generation and the next one sees the new. A newer
generation published by another process (`evsearch index`) is noticed by a
read (one small file read, at most once a second) and opened on the write
thread the same way.

Every write job is journaled (jobs.py, store/journal.py) before it is queued,
and its states are recorded there as it runs. Closing finishes the running
job and leaves the queued ones in the journal, where the next start finds
them (upload_jobs.resume); the ``write_delay_seconds`` setting holds the
write thread back for that long after start.

The Engine is opened lazily, on the worker, by the first call or by
``open()``: building the app opens nothing (docs tests build it without an
index), while `evsearch serve`/`mcp` and the app's start-up call ``open()``
so a bad index fails before anything listens.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

from evsearch import config
from evsearch.api.jobs import Job, Jobs
from evsearch.errors import EvsearchError

log = logging.getLogger(__name__)

T = TypeVar("T")

# How often a call checks whether `evsearch index` published a newer generation.
STALE_CHECK_SECONDS = 1.0


# Niceness added to the write thread (and the PDF readers it spawns): reads keep the CPU while a job runs.
WRITE_NICE = 10


def _yield_to_reads() -> None:
    """Linux schedules threads individually: lower this one's priority, not the server's."""
    if sys.platform == "linux":
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + WRITE_NICE))


class EngineWorker:
    """Runs ``fn(engine, ...)`` reads on one thread and write jobs on another, opening the Engine on first use."""

    def __init__(self, index_dir: str | Path | None = None) -> None:
        self.index_dir = index_dir
        self._engine: Any = None
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evsearch-engine")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evsearch-writer",
                                          initializer=_yield_to_reads)  # fmt: skip
        self._refresh_pending = threading.Event()
        self._checked_at = 0.0
        self.jobs = Jobs(Path(index_dir or config.get("index")))
        self._write_delay = float(config.get("write_delay_seconds"))
        self._born = time.monotonic()
        self._closing = threading.Event()

    def _get(self) -> Any:
        """The open Engine (opens it on first use; runs on the worker thread)."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from evsearch.search.engine import Engine  # heavy: model, FAISS

                    self._engine = Engine(self.index_dir)
                    self._checked_at = time.monotonic()
        elif time.monotonic() - self._checked_at >= STALE_CHECK_SECONDS:
            self._checked_at = time.monotonic()
            if not self._refresh_pending.is_set() and self._engine.is_stale():
                self._refresh_pending.set()  # open it off the read thread; reads go on meanwhile
                self._writer.submit(self._refresh_when_stale)
        return self._engine

    def _refresh_when_stale(self) -> None:
        try:
            self._engine.refresh_if_stale()
        except Exception as exc:  # the old generation keeps serving; the next read checks again
            log.warning("could not open the newer index generation (%s)", exc)
        finally:
            self._refresh_pending.clear()

    def _apply(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        return fn(self._get(), *args, **kwargs)

    def open(self) -> Any:
        """Open the Engine now (raises the core's error for a missing/bad index)."""
        return self._pool.submit(self._get).result()

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(engine, *args, **kwargs)`` on the engine thread, waiting for it (sync callers)."""
        return self._pool.submit(self._apply, fn, args, kwargs).result()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(engine, *args, **kwargs)`` on the engine thread, without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._apply, fn, args, kwargs)

    def submit(self, kind: str, fn: Callable[..., dict], *args: Any, payload: dict[str, Any] | None = None) -> Job:
        """Journal a job (durable when this returns), then queue ``fn(engine, *args)`` on the write thread.

        ``payload`` is what a restarted server needs to run the job again (upload_jobs.py).
        """
        return self.queue(self.jobs.new(kind, payload), fn, *args)

    def queue(self, job: Job, fn: Callable[..., dict], *args: Any) -> Job:
        """Run the journaled ``job`` as ``fn(engine, *args)`` (returning its result dict) on the write thread."""

        def run() -> None:
            if not self._writes_may_start():
                return  # closing: the job stays queued in the journal and runs after the next start
            self.jobs.running(job)
            try:
                self.jobs.done(job, fn(self.open(), *args))
            except EvsearchError as exc:
                self.jobs.failed(job, exc)
            except Exception as exc:  # a bug: logged, and the job says so instead of hanging
                log.exception("write job %s failed", job.job_id)
                self.jobs.failed(job, EvsearchError(f"unexpected error ({type(exc).__name__})"))

        self.jobs.adopt(job)
        job.future = self._writer.submit(run)
        return job

    def _writes_may_start(self) -> bool:
        """Wait out the ``write_delay_seconds`` setting (counted from the worker's start); False when closing."""
        remaining = self._write_delay - (time.monotonic() - self._born)
        if remaining > 0:
            self._closing.wait(remaining)
        return not self._closing.is_set()

    def close(self) -> None:
        """Finish the running job; queued ones stay in the journal for the next start."""
        self._closing.set()
        try:
            self._writer.shutdown(wait=True, cancel_futures=True)
            self.jobs.close()
            if self._engine is not None:
                self._pool.submit(self._engine.close).result()
        finally:
            self._pool.shutdown(wait=True)
