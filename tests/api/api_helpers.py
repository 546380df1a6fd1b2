"""Helpers for the face tests: real uvicorn servers on loopback, child-process env, Chromium flags.

A plain module (not conftest) so test modules can import it by name.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

DATA = Path(__file__).resolve().parent / "data"
FIXTURE_REPORT = DATA / "northmoor-2019-fixture-report.txt"
FIXTURE_ID = "northmoor-2019-fixture-report"
# A second own-words report (Ashcombe, inspected 2010): the faces are tested on these two alone,
# so a clone with no ../shared beside it runs them.
SECOND_REPORT = DATA / "ashcombe-2010-fixture-report.txt"
SECOND_ID = "ashcombe-2010-fixture-report"
EVSEARCH = str(Path(sys.executable).with_name("evsearch"))
ERROR_KEYS = {"error", "message"}
OPTIONAL_ERROR_KEYS = {"hint"}


def evsearch_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: offline model loading, no inherited EVSEARCH_* surprises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVSEARCH_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def assert_error_shape(response: httpx.Response, status: int) -> dict:
    """The one JSON error shape: {"error", "message", "hint"?}, with the expected status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | OPTIONAL_ERROR_KEYS, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in response.text
    return body


class LiveServer:
    """A real uvicorn server on a free loopback port, run in a thread of this process."""

    def __init__(self, app) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 300  # start-up opens the index and loads the model
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@contextmanager
def serve_app(index: Path, **settings: str) -> Iterator[LiveServer]:
    """Start create_app(index) with EVSEARCH_<NAME> settings applied while the app reads them."""
    from evsearch.api.http import create_app

    with pytest.MonkeyPatch.context() as mp:
        for name, value in settings.items():
            mp.setenv(f"EVSEARCH_{name.upper()}", value)
        app = create_app(index)
    with LiveServer(app) as server:
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 180) -> httpx.Response:
    """Poll ``url`` until the server answers (or its process dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early with {proc.returncode}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


def chromium_paths() -> tuple[str | None, str | None]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    return binary, shutil.which("chromedriver")
