"""MCP over stdio that answers every line: unreadable input gets a JSON-RPC error, never silence.

WHY: the SDK's stdio transport hands a line it cannot read (bad JSON, a lone
surrogate such as "\\ud800", a 5,000-digit integer) to the session as an
exception, and the session drops it, so the client waits forever for a reply
to a request it did send. Here such a line is read again with Python's
tolerant parser to recover the request id, and answered: -32700 (parse
error, id null) when the line is not JSON at all, -32600 (invalid request)
naming the id when it is JSON the protocol cannot carry. Everything else is
the SDK's own transport, including its guard that keeps stray prints off
the protocol stream.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
import mcp_types as types
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
    if raw is None:  # JSON, but not an object (``[1, 2]``); or not even that
        code, message = (INVALID_REQUEST, "invalid request") if isinstance(exc, ValidationError) else (PARSE_ERROR, "parse error")
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


async def serve(server: MCPServer) -> None:
    """Serve ``server`` over stdio, answering unreadable lines (see module docstring)."""
    lowlevel = server._lowlevel_server  # mcp==2.3.0: run_stdio_async's own wiring, with a filter between
    async with stdio_server() as (read_stream, write_stream):
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

        async with anyio.create_task_group() as tg:
            tg.start_soon(sift)
            await lowlevel.run(inner_read, write_stream, lowlevel.create_initialization_options())
            tg.cancel_scope.cancel()
