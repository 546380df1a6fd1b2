"""JSON-RPC 2.0 framing over `evsearch mcp`'s stdio, line by line, against the real subprocess.

Every request gets one reply, a notification or a blank line none, and the server keeps serving
after each kind of line: each case sends its line, then a `ping` whose reply proves the server is
still reading and that nothing else was said in between (lines are read in order).
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from api_helpers import EVSEARCH, evsearch_env

WAIT_S = 120  # a reply not there by then is a hang
LONG = 2_000_000  # characters in the long lines (2 MB)
REQUEST = '{"jsonrpc":"2.0","id":%s,"method":"tools/list"}'
TOOL_CALL = '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"search_evidence","arguments":%s}}'


class Server:
    """`evsearch mcp` spoken to in raw lines; its replies read on a thread so none can hang the test."""

    def __init__(self, index_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [EVSEARCH, "mcp", "--index", str(index_dir)], env=evsearch_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        self.replies: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.replies.put(line) for line in self.proc.stdout], daemon=True).start()
        self.ids = count(1000)

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def reply(self) -> dict:
        return json.loads(self.replies.get(timeout=WAIT_S))

    def until_ping(self) -> list[dict]:
        """Send a ping; every reply up to and including its answer, the ping's last."""
        ping_id = next(self.ids)
        self.send(json.dumps({"jsonrpc": "2.0", "id": ping_id, "method": "ping"}))
        got = [self.reply()]
        while got[-1].get("id") != ping_id:
            got.append(self.reply())
        return got


@pytest.fixture(scope="module")
def server(index_dir: Path) -> Iterator[Server]:
    srv = Server(index_dir)
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    try:
        srv.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}))
        assert srv.reply()["id"] == 1
        srv.send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        yield srv
    finally:
        srv.proc.kill()
        srv.proc.wait()


INVALID = -32600
LINES = {
    # a request whose id is no string, number or null: -32600 with id null
    "id object": (REQUEST % '{"n":1}', (INVALID, None)),
    "id array": (REQUEST % "[1]", (INVALID, None)),
    "id true": (REQUEST % "true", (INVALID, None)),
    # ids JSON-RPC allows but MCP does not (null; a fraction): the SDK cannot carry them either
    "id null": (REQUEST % "null", (INVALID, None)),
    "id fraction": (REQUEST % "1.5", (INVALID, None)),
    # blank lines are not messages
    "empty line": ("", None),
    "whitespace line": (" \t  ", None),
    # a batch: MCP's current protocol has none, so one error for the whole array
    "batch": ("[" + REQUEST % 7 + "," + REQUEST % 8 + "]", (INVALID, None)),
    "empty batch": ("[]", (INVALID, None)),
    # notifications never get a reply, not even when unknown or malformed
    "notification": ('{"jsonrpc":"2.0","method":"notifications/initialized"}', None),
    "unknown notification": ('{"jsonrpc":"2.0","method":"notifications/no_such_thing"}', None),
    "malformed notification": ('{"jsonrpc":"2.0","method":"notifications/cancelled","params":5}', None),
    # very long lines are read whole and answered
    "2 MB request": (TOOL_CALL % ('"long"', json.dumps({"query": "x" * LONG})), ("result", "long")),
    "2 MB of junk": ("{" * 10 + "x" * LONG, (-32700, None)),
}


@pytest.mark.parametrize("kind", list(LINES))
def test_each_kind_of_line_gets_its_reply_and_the_server_goes_on(server: Server, kind: str) -> None:
    line, expected = LINES[kind]
    server.send(line)
    *said, pong = server.until_ping()
    assert pong["result"] == {}, pong  # still serving
    if expected is None:
        assert said == [], said
        return
    assert len(said) == 1, said
    code, request_id = expected
    assert said[0]["id"] == request_id
    if code == "result":
        assert said[0]["result"]["isError"] and "at most" in said[0]["result"]["content"][0]["text"]
    else:
        assert said[0]["error"]["code"] == code and "\n" not in said[0]["error"]["message"]
    assert server.proc.poll() is None


def test_a_tool_call_still_works_after_every_kind_of_line(server: Server) -> None:
    server.send(TOOL_CALL % (2, '{"query":"kayak club","k":2}'))
    reply = server.reply()
    assert reply["id"] == 2 and not reply["result"]["isError"]
    assert reply["result"]["structuredContent"]["hits"]
