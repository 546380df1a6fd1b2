"""What the server benchmarks share: a free loopback port, the server's environment, waiting for /healthz.

Every benchmark that starts `evsearch serve` talks to it on 127.0.0.1 only (loopback traffic,
bounded by each script's own counts and timeouts).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time

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
