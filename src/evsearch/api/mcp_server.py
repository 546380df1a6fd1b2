"""MCP server: evidence search as tools for AI research assistants (official SDK, stdio).

Seven tools, each a thin call into the same Engine the CLI and HTTP API use,
answering with text an assistant can quote: a citation line ("East Sussex
2010 report, paragraph 41 (Being healthy, grade 3 adequate)"), the paragraph
text and its highlighted sentences. Domain errors become tool errors
(``isError``) with the core's one-line message, never a traceback and never
a server path. A call with an argument a tool does not declare is refused
with a message naming it (``forbid_unknown_arguments``), so a misspelt filter
is not silently ignored.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, Callable

from pydantic import ConfigDict, Field

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from evsearch import config
from evsearch.api.citations import format_hits, format_judgement, format_report, report_label
from evsearch.api.public import public_text
from evsearch.api.schemas import ID_MAX
from evsearch.api.worker import EngineWorker
from evsearch.errors import EvsearchError, NotFoundError
from evsearch.vocab.grades import parse_grade

log = logging.getLogger("evsearch.mcp")

INSTRUCTIONS = (
    "Search inspection reports for evidence. Each result is one numbered paragraph with a citation "
    "(local authority, year, paragraph number, section, grade). Quote the citation with the text. "
    "Use list_judgements to find graded judgements, then evidence_for_judgement for the paragraphs behind one. "
    "grade_history and grades_summary compare grades across reports and years; "
    "contrast_evidence sets the evidence under each grade side by side."
)


def build_server(worker: EngineWorker) -> MCPServer:
    """The MCP server with its tools bound to ``worker``'s Engine."""
    server = MCPServer("evsearch", instructions=INSTRUCTIONS, log_level="WARNING")
    metas: dict[str, dict] = {}

    def meta_of(engine: Any) -> Callable[[str], dict]:
        """Report metadata by id, cached (runs on the engine thread)."""

        def meta(report_id: str) -> dict:
            if report_id not in metas:
                try:
                    metas[report_id] = engine.report(report_id)
                except NotFoundError:
                    metas[report_id] = {}
            return metas[report_id]

        return meta

    async def call(fn: Callable[[Any], str]) -> str:
        """Run ``fn(engine)`` on the engine thread; domain errors become tool errors."""
        try:
            return await worker.run(fn)
        except EvsearchError as exc:
            raise ToolError(public_text(str(exc))) from None
        except ToolError:
            raise
        except Exception:  # a bug: logged in full here, one plain line for the assistant
            log.exception("unexpected error in an MCP tool")
            raise ToolError("the server hit an unexpected error; it has been logged") from None

    def grade_of(value: str | None) -> int | None:
        try:
            return None if not value else parse_grade(value)
        except EvsearchError as exc:
            raise ToolError(public_text(str(exc))) from None

    @server.tool()
    async def search_evidence(
        query: Annotated[str, Field(description="What to find, in plain words.", min_length=1, max_length=2000)],
        k: Annotated[int, Field(description="Number of paragraphs to return.", ge=1, le=config.MAX_K)] = 8,
        grade: Annotated[str | None, Field(description="Only paragraphs under this grade: word or 1-4.", max_length=60)] = None,
        theme: Annotated[str | None, Field(description="Theme, e.g. 'health'.", max_length=100)] = None,
        local_authority: Annotated[str | None, Field(description="Local authority name.", max_length=200)] = None,
        year: Annotated[int | None, Field(description="Inspection year.", ge=1990, le=2100)] = None,
        report_id: Annotated[str | None, Field(description="Restrict to one report.", max_length=300)] = None,
        explain: Annotated[bool, Field(description="Say, for each paragraph, the signals that placed it.")] = False,
    ) -> str:
        """Find cited paragraphs of inspection reports that answer a question."""
        g = grade_of(grade)

        def run(engine: Any) -> str:
            resp = engine.search(
                query, k=k, grade=g, theme=theme, la=local_authority, year=year, report=report_id, explain=explain
            )
            return format_hits(resp.to_dict(), heading=f"Evidence for: {query}")

        return await call(run)

    @server.tool()
    async def get_report(
        report_id: Annotated[str, Field(description="Report id, from a search result or list_judgements.", max_length=300)],
    ) -> str:
        """A report's metadata and its judgement table (each judgement with its grade and id)."""
        return await call(lambda engine: format_report(engine.report(report_id)))

    @server.tool()
    async def list_judgements(
        grade: Annotated[str | None, Field(description="Grade word or 1-4, e.g. 'inadequate'.", max_length=60)] = None,
        title: Annotated[str | None, Field(description="Judgement title or part of it.", max_length=300)] = None,
        local_authority: Annotated[str | None, Field(description="Local authority name.", max_length=200)] = None,
        limit: Annotated[int, Field(description="Most judgements to list.", ge=1, le=500)] = 50,
    ) -> str:
        """Graded judgements across reports, with report and judgement ids."""
        g = grade_of(grade)

        def run(engine: Any) -> str:
            meta = meta_of(engine)
            rows = engine.judgements(grade=g, title=title, la=local_authority)
            lines = [f"{len(rows)} judgement(s)" + (f"; first {limit} shown" if len(rows) > limit else "")]
            for j in rows[:limit]:
                m = meta(j["report_id"])
                lines.append(f"- {report_label(m, j['report_id'])} (report_id: {j['report_id']}): {format_judgement(j, m)}")
            return "\n".join(lines)

        return await call(run)

    @server.tool()
    async def evidence_for_judgement(
        report_id: Annotated[str, Field(description="Report id.", max_length=300)],
        judgement: Annotated[
            str, Field(description="Judgement title (e.g. 'Being healthy') or judgement_id.", min_length=1, max_length=300)
        ],
        k: Annotated[int, Field(description="Paragraphs to return.", ge=1, le=config.MAX_K)] = 8,
    ) -> str:
        """The paragraphs that support one judgement of one report, best first."""
        key = _judgement_key(judgement)

        def run(engine: Any) -> str:
            resp = engine.evidence_for_judgement(report_id, key, k=k)
            heading = f"Evidence for judgement '{judgement}' in {report_id}"
            return format_hits(resp.to_dict(), heading=heading)

        return await call(run)

    @server.tool()
    async def grade_history(
        local_authority: Annotated[str, Field(description="Local authority name, e.g. 'Leeds'.", min_length=1, max_length=200)],
    ) -> str:
        """One authority's grades over time per judgement family (frameworks lined up), with its report ids."""
        from evsearch.api.grades_text import format_history
        from evsearch.search.grades import authority

        return await call(lambda engine: format_history(authority(engine.index, local_authority)))

    @server.tool()
    async def grades_summary(
        family: Annotated[
            str | None, Field(description="Judgement family, e.g. help_and_protection, children_in_care.", max_length=60)
        ] = None,
        year: Annotated[int | None, Field(description="Inspection year.", ge=1990, le=2100)] = None,
    ) -> str:
        """How many reports got each grade, per year and judgement family (e.g. inadequate help and protection)."""
        from evsearch.api.grades_text import format_summary
        from evsearch.search.grades import grades_summary as summary

        return await call(lambda engine: format_summary(summary(engine.index, family=family, year=year)))

    @server.tool()
    async def contrast_evidence(
        query: Annotated[str, Field(description="What to find, e.g. 'management oversight'.", min_length=1, max_length=2000)],
        k: Annotated[int, Field(description="Paragraphs per grade.", ge=1, le=20)] = 3,
        theme: Annotated[str | None, Field(description="Theme, e.g. 'health'.", max_length=100)] = None,
        section: Annotated[str | None, Field(description="Section title or part of it.", max_length=300)] = None,
        local_authority: Annotated[str | None, Field(description="Local authority name.", max_length=200)] = None,
        year: Annotated[int | None, Field(description="Inspection year.", ge=1990, le=2100)] = None,
    ) -> str:
        """The best evidence for one query under each grade (outstanding to inadequate), side by side."""
        from evsearch.search.contrast import contrast

        def run(engine: Any) -> str:
            body = contrast(engine, query, k=k, theme=theme, section=section, la=local_authority, year=year)
            parts = [f"Evidence for '{query}', by grade:"]
            for group in body["groups"]:
                heading = f"\n== grade {group['grade']} {group['label']} =="
                parts.append(format_hits(group, heading=heading))
            return "\n".join(parts)

        return await call(run)

    forbid_unknown_arguments(server)
    return server


def _judgement_key(judgement: str) -> str | int:
    """A judgement id when the text is ASCII digits within SQLite's range, else the title to match.

    WHY not ``isdigit``: "²" passes it and then fails ``int()``, outside the tool's error handling.
    """
    text = judgement.strip()
    if text.isascii() and text.isdigit():
        number = int(text)
        if number <= ID_MAX:
            return number
        raise ToolError(f"judgement id {text} is out of range")
    return judgement


def forbid_unknown_arguments(server: MCPServer) -> None:
    """Make every tool refuse arguments it does not declare ("Extra inputs are not permitted: colour").

    The SDK builds each tool's argument model from its signature and, by
    pydantic's default, drops unknown keys; a subclass with ``extra="forbid"``
    turns them into the SDK's ordinary validation error (a tool error).
    """
    for tool in server._tool_manager.list_tools():  # mcp==2.3.0: the registered Tool objects
        model = tool.fn_metadata.arg_model
        strict = type(model.__name__, (model,), {"model_config": ConfigDict(**model.model_config, extra="forbid")})
        tool.fn_metadata.arg_model = strict


def serve_stdio(index_dir: str | Path | None = None) -> None:
    """Open the index (stray prints kept off the protocol stream), then serve MCP over stdio."""
    index_path = Path(index_dir or config.get("index")).resolve()
    worker = EngineWorker(index_path)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            worker.open()
        build_server(worker).run("stdio")
    finally:
        worker.close()
