"""What the server benchmarks share: a free loopback port, the server's environment, waiting for /healthz.

Every benchmark that starts `evsearch serve` talks to it on 127.0.0.1 only (loopback traffic,
bounded by each script's own counts and timeouts).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(api_key: str) -> dict[str, str]:
    """This environment without our own settings (so a developer's EVSEARCH_* cannot skew a run), offline, with a key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVSEARCH_")}
    return {**env, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "EVSEARCH_API_KEY": api_key}


def wait_healthy(base: str, server: subprocess.Popen | None = None, timeout: float = 300.0) -> None:
    """Block until ``base``/healthz answers 200; RuntimeError when the server exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"evsearch serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"evsearch serve did not answer {base}/healthz within {timeout:.0f} s")


@contextmanager
def served(index_dir: Path, port: int, api_key: str) -> Iterator[tuple[httpx.Client, subprocess.Popen]]:
    """`evsearch serve` (the one beside this Python) on ``index_dir`` at 127.0.0.1:``port``, healthy;
    yields a client and the server process, and stops the server afterwards."""
    evsearch = str(Path(sys.executable).with_name("evsearch"))
    server = subprocess.Popen([evsearch, "serve", "--index", str(index_dir), "--port", str(port)],
                              env=server_env(api_key), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            wait_healthy(base, server)
            yield client, server
    finally:
        server.terminate()
        server.wait(timeout=60)
