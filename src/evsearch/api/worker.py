"""One thread owns the Engine; the HTTP and MCP faces hand it work.

WHY: the Engine holds a SQLite connection and a FAISS index, and a write
(POST /reports indexing, then ``refresh()``) must not interleave with reads.
Running every Engine call on a single dedicated thread serialises them
without the faces knowing how the core is built, and keeps the event loop
free while a query is embedded. Search is CPU-bound under the GIL, so one
worker costs little throughput (measured: no gain from running inline).

The Engine is opened lazily, on the worker, by the first call or by
``open()``: building the app opens nothing (docs tests build it without an
index), while `evsearch serve`/`mcp` and the app's start-up call ``open()``
so a bad index fails before anything listens.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

# How often a call checks whether `evsearch index` published a newer generation.
STALE_CHECK_SECONDS = 1.0


class EngineWorker:
    """Runs ``fn(engine, ...)`` calls on one thread, opening the Engine there on first use."""

    def __init__(self, index_dir: str | Path | None = None) -> None:
        self.index_dir = index_dir
        self._engine: Any = None
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evsearch-engine")
        self._checked_at = 0.0

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
            self._engine.refresh_if_stale()
        return self._engine

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

    def close(self) -> None:
        try:
            if self._engine is not None:
                self._pool.submit(self._engine.close).result()
        finally:
            self._pool.shutdown(wait=True)
