"""MCP over stdio that keeps JSON-RPC 2.0's framing rules: every request gets a reply, nothing else does.

WHY: the SDK's stdio transport hands a line it cannot read (bad JSON, a lone
surrogate such as "\\ud800", a 5,000-digit integer, a batch) to the session as
an exception, and the session drops it, so the client waits forever for a
reply to a request it did send. Here such a line is read again with Python's
tolerant parser to recover the request id, and answered: -32700 (parse
error, id null) when the line is not JSON at all, -32600 (invalid request)
naming the id when it is JSON the protocol cannot carry, -32600 (id null)
for JSON that is no request object (``[1, 2]``, a batch: MCP has none).

Two more holes are closed before the SDK reads a line (``_Screened``): a
request whose id is not a string or an integer (an object, an array, true,
null, 1.5) passes the SDK's check as a *notification* (its model ignores the
unknown "id" member) and would never be answered, so it gets -32600 with id
null; a blank or whitespace-only line, which the SDK reads as bad JSON, is
skipped without a reply. A notification (no "id") never gets a reply, even
when it is malformed. Everything else is the SDK's own transport, including
its guard that keeps stray prints off the protocol stream.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from anyio.abc import ObjectSendStream
from mcp.server import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp_types.jsonrpc import INVALID_REQUEST, PARSE_ERROR
from pydantic import ValidationError

log = logging.getLogger("evsearch.mcp")

_ID_LIMIT = 2**53  # JSON numbers beyond this are not exact in most clients; such an id is not echoed


def _raw_line(exc: Exception) -> str | dict | None:
    """The line (or parsed object) the transport could not read, from the pydantic error it raised."""
    if not isinstance(exc, ValidationError):
        return None
    errors = exc.errors()
    for err in errors:
        if err["type"] == "json_invalid" and isinstance(err.get("input"), str):
            return err["input"]
    for err in errors:
        if isinstance(err.get("input"), dict):
            return err["input"]
    return None


def _safe_id(value: Any) -> str | int | None:
    """The request id to echo, when it can be echoed exactly (a bool, a huge number or bad text cannot)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if value.isascii() and value.lstrip("-").isdigit() and len(value) > 18:
            return None  # an integer id kept as text by the tolerant parser below: too long to be one
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return value
    if isinstance(value, int) and abs(value) < _ID_LIMIT:
        return value
    return None


def _tolerant_parse(line: str) -> Any:
    """Python's JSON parser, which reads lone surrogates; integers stay text (no 4,300-digit limit)."""
    return json.loads(line, parse_int=lambda digits: int(digits) if len(digits) <= 18 else digits)


def _has_lone_surrogate(body: Any) -> bool:
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def error_reply(exc: Exception) -> types.JSONRPCError | None:
    """The error a client should get for a line the transport could not read; None when none is owed."""
    raw = _raw_line(exc)
    if raw is None:  # JSON, but not an object (``[1, 2]``, a batch); or not even that
        code, message = (INVALID_REQUEST, "invalid request") if isinstance(exc, ValidationError) else (PARSE_ERROR, "parse error")
        if isinstance(exc, ValidationError) and any(isinstance(err.get("input"), list) for err in exc.errors()):
            message = "invalid request: a JSON array (a batch); MCP takes one request object per line"
        return types.JSONRPCError(jsonrpc="2.0", id=None, error=types.ErrorData(code=code, message=message))
    try:
        body = raw if isinstance(raw, dict) else _tolerant_parse(raw)
    except (ValueError, RecursionError):
        return types.JSONRPCError(
            jsonrpc="2.0", id=None, error=types.ErrorData(code=PARSE_ERROR, message="parse error: the line is not JSON")
        )
    if not isinstance(body, dict) or "method" not in body or "id" not in body:
        if isinstance(body, dict) and "method" in body:
            return None  # a notification: JSON-RPC sends no reply, even for an error
        return types.JSONRPCError(
            jsonrpc="2.0", id=None, error=types.ErrorData(code=INVALID_REQUEST, message="invalid request")
        )
    reason = "the message does not have the shape of a JSON-RPC request"
    for err in exc.errors() if isinstance(exc, ValidationError) else ():
        if err["type"] == "json_invalid":  # jiter's own words: "lone leading surrogate in hex escape at line 1 column 93"
            reason = str(err["msg"]).removeprefix("Invalid JSON: ")
    if _has_lone_surrogate(body):
        reason = "a string holds a lone surrogate (such as \\ud800), which is not Unicode text"
    return types.JSONRPCError(
        jsonrpc="2.0",
        id=_safe_id(body["id"]),
        error=types.ErrorData(code=INVALID_REQUEST, message=f"invalid request: {reason}"),
    )


def id_reply(line: str) -> types.JSONRPCError | None:
    """The -32600 owed to a request whose id JSON-RPC allows but MCP cannot carry, or JSON-RPC forbids
    (an object, an array, true, null, 1.5): the SDK would take it for a notification and say nothing.
    None for every other line (the SDK's to read, and to answer through ``error_reply`` when it cannot)."""
    try:  # integers as 0: only the id's type matters here, and no 4,300-digit limit applies
        body = json.loads(line, parse_int=lambda digits: 0)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict) or "method" not in body or "id" not in body:
        return None
    request_id = body["id"]
    if isinstance(request_id, str) or (isinstance(request_id, int) and not isinstance(request_id, bool)):
        return None
    said = {dict: "an object", list: "an array"}.get(type(request_id)) or json.dumps(request_id)
    message = f"invalid request: the id is {said}, not a string or an integer"
    return types.JSONRPCError(jsonrpc="2.0", id=None, error=types.ErrorData(code=INVALID_REQUEST, message=message))


class _Screened:
    """stdin's lines as the SDK's transport reads them, less the ones answered or skipped here: blank
    lines (no reply) and requests with an id the SDK cannot carry (their reply goes to ``replies``)."""

    def __init__(self, source: anyio.AsyncFile[str], replies: ObjectSendStream[types.JSONRPCError]) -> None:
        self._source = source
        self._replies = replies

    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[str]:
        async with self._replies:
            async for line in self._source:
                if not line.strip():
                    continue
                reply = id_reply(line)
                if reply is not None:
                    log.info("request with an unusable id on stdin: answered")
                    await self._replies.send(reply)
                    continue
                yield line


@asynccontextmanager
async def _stdin() -> AsyncIterator[anyio.AsyncFile[str]]:
    """The protocol's stdin, as the SDK's own stdio_server claims it: read from a private duplicate of
    fd 0 while fd 0 reads the null device (so a handler or a child process cannot take protocol bytes),
    restored on exit. Decoded as the SDK decodes it (UTF-8, bad bytes replaced)."""
    try:
        wire = os.dup(0)
    except OSError:
        wire = None
    if wire is None:  # no fd 0 to claim: read what Python's stdin holds, as the SDK then does
        yield anyio.wrap_file(sys.stdin)
        return
    quiet = os.open(os.devnull, os.O_RDONLY)
    os.dup2(quiet, 0)
    os.close(quiet)
    try:
        # closefd=False: the reading worker thread may still block on the descriptor after we return
        yield anyio.wrap_file(open(wire, encoding="utf-8", errors="replace", closefd=False))  # noqa: SIM115
    finally:
        os.dup2(wire, 0)


async def serve(server: MCPServer) -> None:
    """Serve ``server`` over stdio, answering unreadable lines (see module docstring)."""
    # A private name of mcp==2.3.0 (pinned in pyproject.toml): run_stdio_async's own wiring, with a filter between.
    lowlevel = server._lowlevel_server
    early_send, early_read = anyio.create_memory_object_stream[types.JSONRPCError](16)
    async with (
        _stdin() as source,
        stdio_server(stdin=_Screened(source, early_send)) as (read_stream, write_stream),  # type: ignore[arg-type]
    ):
        inner_send, inner_read = anyio.create_memory_object_stream[SessionMessage | Exception](0)

        async def sift() -> None:
            async with inner_send:
                async for item in read_stream:
                    if isinstance(item, Exception):
                        reply = error_reply(item)
                        log.info("unreadable line on stdin: %s", "answered" if reply else "dropped")
                        if reply is not None:
                            await write_stream.send(SessionMessage(reply))
                        continue
                    await inner_send.send(item)

        async def answer_early() -> None:
            async with early_read:
                async for reply in early_read:
                    await write_stream.send(SessionMessage(reply))

        async with anyio.create_task_group() as tg:
            tg.start_soon(sift)
            tg.start_soon(answer_early)
            await lowlevel.run(inner_read, write_stream, lowlevel.create_initialization_options())
            tg.cancel_scope.cancel()
