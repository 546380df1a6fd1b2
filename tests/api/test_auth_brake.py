"""The key brake counts per client and key, and believes X-Forwarded-For only from trusted proxies (fault 9).

Real uvicorn servers on loopback over the session index. An empty upload is
answered 400 only after the key was accepted, so "400" below means "the key
got through the brake", without indexing anything.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from api_helpers import assert_error_shape, serve_app

KEY = "brake-key-5a0e"
LIMIT = 3


def _post(c: httpx.Client, key: str, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-API-Key": key, **({"X-Forwarded-For": forwarded_for} if forwarded_for else {})}
    return c.post("/reports", files={"file": ("empty.txt", b"")}, headers=headers)


def test_a_repeated_wrong_key_does_not_lock_out_the_right_one(index_dir: Path) -> None:
    with serve_app(index_dir, api_key=KEY, auth_failures_per_minute=str(LIMIT)) as live, \
            httpx.Client(base_url=live.url, timeout=60) as c:  # fmt: skip
        assert [_post(c, "stale-key").status_code for _ in range(LIMIT)] == [401] * LIMIT
        blocked = _post(c, "stale-key")
        assert assert_error_shape(blocked, 429)["error"] == "TooManyRequestsError"
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        assert assert_error_shape(_post(c, KEY), 400)["message"].endswith("file is empty")  # the right key passes
        assert _post(c, "another-typo").status_code == 401  # one stale key is not guessing


def test_guessing_many_keys_blocks_the_client(index_dir: Path) -> None:
    with serve_app(index_dir, api_key=KEY, auth_failures_per_minute=str(LIMIT)) as live, \
            httpx.Client(base_url=live.url, timeout=60) as c:  # fmt: skip
        assert [_post(c, f"guess-{n}").status_code for n in range(LIMIT)] == [401] * LIMIT
        assert "different wrong keys" in assert_error_shape(_post(c, KEY), 429)["message"]


def test_trusted_proxy_clients_have_their_own_buckets(index_dir: Path) -> None:
    with serve_app(index_dir, api_key=KEY, auth_failures_per_minute=str(LIMIT), trusted_proxies="127.0.0.1") as live, \
            httpx.Client(base_url=live.url, timeout=60) as c:  # fmt: skip
        guesser = "203.0.113.7"
        assert [_post(c, f"guess-{n}", guesser).status_code for n in range(LIMIT)] == [401] * LIMIT
        assert _post(c, KEY, guesser).status_code == 429
        # a spoofed first hop does not escape: the proxy appends the real client, which is what counts
        assert _post(c, "guess-x", f"198.51.100.1, {guesser}").status_code == 429
        colleague = "203.0.113.8"  # behind the same proxy, with the right key
        assert _post(c, KEY, colleague).status_code == 400
        assert _post(c, "typo", colleague).status_code == 401


def test_forwarded_for_is_ignored_without_trusted_proxies(index_dir: Path) -> None:
    with serve_app(index_dir, api_key=KEY, auth_failures_per_minute=str(LIMIT)) as live, \
            httpx.Client(base_url=live.url, timeout=60) as c:  # fmt: skip
        assert [_post(c, f"guess-{n}", f"192.0.2.{n}").status_code for n in range(LIMIT)] == [401] * LIMIT
        assert _post(c, KEY, "192.0.2.200").status_code == 429  # the peer (127.0.0.1) is the client
