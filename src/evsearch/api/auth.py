"""The API key check for writes: bytes as sent, constant-time, and a brake on guessing per client and key.

WHY bytes: HTTP headers arrive as bytes, and Starlette hands them over
decoded as latin-1, while the key in the environment is text. Comparing the
raw header bytes with the key's UTF-8 bytes makes a non-ASCII key work for a
client that sends it as UTF-8 (the usual encoding), instead of never
matching. WHY a brake: without one a client can try ~1,300 keys a second.

WHY per client AND key: the brake used to count failures per IP, so one
client repeating a stale key (or, behind a proxy, everyone) locked the right
key out for a minute. Now a failure counts against the pair (client, key
sent): ``auth_failures_per_minute`` failures of the same key block that key
from that client (429, with Retry-After), and the right key from the same
client still works. Guessing sends many different keys, so a client that
sent that many *different* wrong keys in a minute is blocked whole, before
any key is looked at. The client is the peer address, or, when the peer is
one of ``trusted_proxies``, the nearest address in X-Forwarded-For that is
not a trusted proxy (a client cannot pick its own bucket by sending the
header itself). Keys are remembered as hashes, never as sent.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable

from starlette.requests import Request

from evsearch.errors import AuthError, TooManyRequestsError, WritesDisabledError

WINDOW_SECONDS = 60.0
_MAX_CLIENTS = 10_000  # clients remembered at once; the oldest is forgotten first


def client_of(request: Request, trusted_proxies: frozenset[str]) -> str:
    """The address the brake counts: the peer, or the client a trusted proxy names in X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if hop not in trusted_proxies:
            return hop
    return peer


def _fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


class KeyGate:
    """Checks X-API-Key against the server's key and brakes each client's failures, per key sent."""

    def __init__(self, api_key: str, failures_per_minute: int, trusted_proxies: Iterable[str] = ()) -> None:
        self.expected = api_key.encode("utf-8") if api_key else b""
        self.limit = max(1, int(failures_per_minute))
        self.trusted_proxies = frozenset(p.strip() for p in trusted_proxies if p.strip())
        # client -> key hash -> times of its failures in the last minute (a blocked guesser holds <= limit keys)
        self._failures: OrderedDict[str, dict[str, deque[float]]] = OrderedDict()
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
        client = client_of(request, self.trusted_proxies)
        given = next((value for name, value in request.headers.raw if name.lower() == b"x-api-key"), None) or b""
        key = _fingerprint(given)
        self._refuse_if_blocked(client, key)
        if not given:
            self._fail(client, key)
            raise AuthError("missing X-API-Key header", hint="send the server's API key in the X-API-Key header")
        if not hmac.compare_digest(given, self.expected):
            self._fail(client, key)
            raise AuthError("wrong API key")

    def _recent(self, client: str, now: float) -> dict[str, deque[float]]:
        """The client's failures in the last minute, per key (older ones dropped)."""
        keys = self._failures.get(client, {})
        for key in list(keys):
            times = keys[key]
            while times and now - times[0] >= WINDOW_SECONDS:
                times.popleft()
            if not times:
                del keys[key]
        return keys

    def _refuse_if_blocked(self, client: str, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            keys = self._recent(client, now)
            same = keys.get(key, deque())
            if len(same) >= self.limit:  # this key failed `limit` times: it waits, other keys do not
                why, wait = "the same wrong key", WINDOW_SECONDS - (now - same[0])
            elif len(keys) >= self.limit:  # `limit` different wrong keys: guessing, every key waits
                why, wait = "different wrong keys", WINDOW_SECONDS - (now - min(t[-1] for t in keys.values()))
            else:
                return
        wait = max(1, math.ceil(wait))
        raise TooManyRequestsError(
            f"too many failed API keys from this client ({why}; limit {self.limit} a minute)",
            retry_after=wait,
            hint=f"try again in {wait} s",
        )

    def _fail(self, client: str, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            keys = self._recent(client, now)
            keys.setdefault(key, deque()).append(now)
            self._failures[client] = keys
            self._failures.move_to_end(client)
            while len(self._failures) > _MAX_CLIENTS:
                self._failures.popitem(last=False)
