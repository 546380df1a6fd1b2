"""MCP resources and prompts: reports to read back, and three research briefs that start from real evidence.

Resources: ``report://{report_id}`` (metadata and judgement table, JSON) and
``report://{report_id}/paragraph/{number}`` (one paragraph with its citation,
JSON), the ``url`` of every hit the tools return.

Prompts: each runs the searches it needs first and puts the cited evidence in
the message, so the assistant starts from the record rather than from memory
(WHY: a prompt that only says "search for X" leaves the model to guess which
tool calls to make and often answers before making them).
"""

from __future__ import annotations

from typing import Annotated, Any, Awaitable, Callable

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INVALID_PARAMS
from pydantic import Field

from evsearch.api import mcp_models as out
from evsearch.api.citations import format_hits

Call = Callable[[Callable[[Any], Any]], Awaitable[Any]]
MAX_COMPARED = 4  # authorities one comparison prompt searches (each is one search)
PROMPT_K = 4  # cited paragraphs per search a prompt embeds


def add_resources(server: MCPServer, call: Call) -> None:
    """Register ``report://{report_id}`` and ``report://{report_id}/paragraph/{number}``."""

    async def read(fn: Callable[[Any], str]) -> str:
        try:
            return await call(fn)
        except ToolError as exc:  # the caller's one-line domain error, as a JSON-RPC error
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None

    @server.resource(
        "report://{report_id}", name="report", title="Inspection report", mime_type="application/json",
        description="A report's metadata and its judgement table (grades and judgement ids).",
    )  # fmt: skip
    async def report(report_id: str) -> str:
        return await read(lambda engine: out.report_out(engine.report(report_id)).model_dump_json(indent=1))

    @server.resource(
        "report://{report_id}/paragraph/{number}", name="paragraph", title="Report paragraph",
        mime_type="application/json", description="One numbered paragraph with its citation, section and grade.",
    )  # fmt: skip
    async def paragraph(report_id: str, number: str) -> str:
        if not (number.isascii() and number.isdigit() and len(number) < 10):
            raise MCPError(code=INVALID_PARAMS, message=f"paragraph number {number[:20]!r} is not a whole number")

        def run(engine: Any) -> str:
            return out.hit_out(engine.cited_paragraph(report_id, int(number)).to_dict()).model_dump_json(
                indent=1, exclude={"explanation"}
            )

        return await read(run)


def add_prompts(server: MCPServer, call: Call) -> None:
    """Register the three research prompts."""

    async def gather(fn: Callable[[Any], str]) -> str:
        try:
            return await call(fn)
        except ToolError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None

    @server.prompt(name="brief_on_authority", title="Brief me on an authority")
    async def brief_on_authority(
        local_authority: Annotated[str, Field(description="Local authority name, e.g. 'Leeds'.", max_length=200)],
    ) -> str:
        """A briefing on one local authority: its grades over time and the evidence behind its weakest judgements."""
        from evsearch.api.grades_text import format_history
        from evsearch.search.grades import authority

        def run(engine: Any) -> str:
            history = authority(engine.index, local_authority)
            name = history["local_authority"]
            found = engine.search(f"weaknesses and areas for improvement in {name}", k=PROMPT_K, la=name).to_dict()
            return "\n\n".join([format_history(history), format_hits(found, heading=f"Evidence on weaknesses in {name}:")])

        evidence = await gather(run)
        return (
            f"Brief me on {local_authority}'s children's services inspections. Use the record below: say how its "
            "grades have moved over time, what inspectors found weakest and what improved, and quote the citation "
            "of every paragraph you rely on. Use search_evidence (the la filter) or read report://{id} "
            "resources for more.\n\n" + evidence
        )

    @server.prompt(name="compare_authorities", title="Compare authorities on a theme")
    async def compare_authorities(
        authorities: Annotated[str, Field(description="Two to four authority names, comma-separated.", max_length=800)],
        theme: Annotated[str, Field(description="What to compare, e.g. 'management oversight'.", max_length=2000)],
    ) -> str:
        """What inspectors found on one theme in each of several authorities, side by side."""
        names = [n.strip() for n in authorities.split(",") if n.strip()]
        if not 2 <= len(names) <= MAX_COMPARED:
            raise MCPError(code=INVALID_PARAMS, message=f"authorities: give 2 to {MAX_COMPARED} names, comma-separated")

        def run(engine: Any) -> str:
            blocks = [
                format_hits(engine.search(theme, k=PROMPT_K, la=name).to_dict(), heading=f"{name}, on {theme}:")
                for name in names
            ]
            return "\n\n".join(blocks)

        evidence = await gather(run)
        return (
            f"Compare {', '.join(names)} on {theme}. For each authority, say what inspectors found and how it was "
            "graded, then set out the differences. Quote the citation of every paragraph you rely on and say where "
            "the evidence is thin.\n\n" + evidence
        )

    @server.prompt(name="judgement_evidence", title="The evidence behind a judgement")
    async def judgement_evidence(
        report_id: Annotated[str, Field(description="Report id, from a search result or list_judgements.", max_length=300)],
        judgement: Annotated[str, Field(description="Judgement title, e.g. 'Being healthy'.", max_length=300)],
    ) -> str:
        """Why one judgement of one report got its grade, from the paragraphs that support it."""

        def run(engine: Any) -> str:
            found = engine.evidence_for_judgement(report_id, judgement, k=PROMPT_K * 2).to_dict()
            return format_hits(found, heading=f"Paragraphs behind '{judgement}' in {report_id}:")

        evidence = await gather(run)
        return (
            f"Explain the grade given for '{judgement}' in report {report_id}, using only the paragraphs below. "
            "Separate strengths from weaknesses, quote each citation, and say which findings most likely decided "
            "the grade.\n\n" + evidence
        )
