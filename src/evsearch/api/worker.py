"""One thread owns the Engine; the HTTP and MCP faces hand it work.

WHY: the Engine holds a SQLite connection and a FAISS index. SQLite
connections are bound to the thread that opened them, and a write
(POST /reports indexing, then ``refresh()``) must not interleave with reads.
Running every Engine call on a single dedicated thread gives both guarantees
without the faces knowing how the core is built, and keeps the event loop
free while a query is embedded. Search is CPU-bound under the GIL, so a
single worker costs little throughput.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class EngineWorker:
    """Opens an Engine on its own thread and runs every call to it there."""

    def __init__(self, index_dir: str | Path | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evsearch-engine")
        try:
            self.engine: Any = self._pool.submit(self._open, index_dir).result()
        except BaseException:
            self._pool.shutdown(wait=False)
            raise

    @staticmethod
    def _open(index_dir: str | Path | None) -> Any:
        from evsearch.search.engine import Engine  # heavy (model, FAISS): import on the worker

        return Engine(index_dir)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the engine thread and wait (for sync callers)."""
        return self._pool.submit(fn, *args, **kwargs).result()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the engine thread without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))

    def close(self) -> None:
        try:
            self.call(self.engine.close)
        finally:
            self._pool.shutdown(wait=True)
