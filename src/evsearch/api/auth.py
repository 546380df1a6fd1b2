"""The API key check for writes: bytes as sent, constant-time, and a per-client brake on guessing.

WHY bytes: HTTP headers arrive as bytes, and Starlette hands them over
decoded as latin-1, while the key in the environment is text. Comparing the
raw header bytes with the key's UTF-8 bytes makes a non-ASCII key work for a
client that sends it as UTF-8 (the usual encoding), instead of never
matching. WHY a brake: without one a client can try ~1,300 keys a second;
after ``auth_failures_per_minute`` failures in a minute a client gets 429
(with Retry-After) before its key is even looked at.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import OrderedDict, deque

from starlette.requests import Request

from evsearch.errors import AuthError, TooManyRequestsError, WritesDisabledError

WINDOW_SECONDS = 60.0
_MAX_CLIENTS = 10_000  # clients remembered at once; the oldest is forgotten first


class KeyGate:
    """Checks X-API-Key against the server's key and rate-limits each client's failures."""

    def __init__(self, api_key: str, failures_per_minute: int) -> None:
        self.expected = api_key.encode("utf-8") if api_key else b""
        self.limit = max(1, int(failures_per_minute))
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.expected)

    def check(self, request: Request) -> None:
        """Return when the request carries the key; raise the domain error that says why not."""
        if not self.enabled:
            raise WritesDisabledError(
                "uploads are disabled on this server", hint="start it with EVSEARCH_API_KEY set to enable POST /reports"
            )
        client = request.client.host if request.client else "unknown"
        self._refuse_if_blocked(client)
        given = next((value for name, value in request.headers.raw if name.lower() == b"x-api-key"), None)
        if not given:
            self._fail(client)
            raise AuthError("missing X-API-Key header", hint="send the server's API key in the X-API-Key header")
        if not hmac.compare_digest(given, self.expected):
            self._fail(client)
            raise AuthError("wrong API key")

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client)
        if times is None:
            return deque()
        while times and now - times[0] >= WINDOW_SECONDS:
            times.popleft()
        return times

    def _refuse_if_blocked(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self.limit:
                return
            wait = max(1, math.ceil(WINDOW_SECONDS - (now - times[0])))
        raise TooManyRequestsError(
            f"too many failed API keys from this client (limit {self.limit} a minute)",
            retry_after=wait,
            hint=f"try again in {wait} s",
        )

    def _fail(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            times.append(now)
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > _MAX_CLIENTS:
                self._failures.popitem(last=False)
