"""MCP server: evidence search as tools for AI research assistants (official SDK, stdio).

Seven read-only tools, each a thin call into the same Engine the CLI and HTTP
API use. Each answers twice, as the specification intends: ``structuredContent``
typed by the tool's output schema (mcp_models.py: per-hit report_id, number,
page, grade, section, citation, url, text, highlights) and a short readable
summary as text (one citation and its best sentence per hit). Resources
(``report://{id}``, ``report://{id}/paragraph/{n}``) and prompts live in
mcp_context.py.

Domain errors become tool errors (``isError``) with the core's one-line
message, never a traceback or a server path. Arguments are checked strictly:
an argument a tool does not declare is refused by name, ``k: true`` is not a
number, and every argument error is one line (``k: Input should be less than
or equal to 100``), not pydantic's multi-line text with a URL.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, Callable

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from evsearch import __version__, config
from evsearch.api import mcp_models as out
from evsearch.api.citations import format_hits, format_report, report_label, understood_line
from evsearch.api.params import with_tool_arguments
from evsearch.api.public import public_text
from evsearch.api.schemas import ID_MAX
from evsearch.api.worker import EngineWorker
from evsearch.errors import EvsearchError, NotFoundError
from evsearch.search.filters import FIELDS, YEAR_MAX, YEAR_MIN, SearchRequest
from evsearch.vocab.grades import parse_grade

log = logging.getLogger("evsearch.mcp")

INSTRUCTIONS = (
    "Search inspection reports for evidence. Each result is one numbered paragraph with a citation "
    "(local authority, year, paragraph number, section, grade). Quote the citation with the text. "
    "Use list_judgements to find graded judgements, then evidence_for_judgement for the paragraphs behind one. "
    "grade_history and grades_summary compare grades across reports and years; "
    "contrast_evidence sets the evidence under each grade side by side. "
    "Read a whole report or one paragraph as the resources report://{id} and report://{id}/paragraph/{n}."
)
READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)

# -- the tools' arguments, declared once; the search filters come from search/filters.py (api/params.py)
SEARCH_ARGUMENTS = tuple(FIELDS)  # every filter field by its one name, its aliases accepted
CONTRAST_ARGUMENTS = tuple(name for name in FIELDS if name != "grade")
Query = Annotated[str, Field(description="What to find, in plain words.", min_length=1, max_length=2000)]
K = Annotated[int, Field(description=f"Paragraphs to return (1-{config.MAX_K}).", ge=1, le=config.MAX_K, strict=True)]
KPerGrade = Annotated[int, Field(description="Paragraphs per grade (1-20).", ge=1, le=20, strict=True)]
Grade = Annotated[str | None, Field(description="Grade word or 1-4, e.g. 'inadequate'.", max_length=60)]
Authority = Annotated[
    str | None,
    Field(description="Local authority name, e.g. 'Leeds'.", max_length=200,
          validation_alias=AliasChoices("la", *FIELDS["la"].aliases)),
]  # fmt: skip
Year = Annotated[int | None, Field(description="Year inspected or published.", ge=YEAR_MIN, le=YEAR_MAX, strict=True)]
ReportId = Annotated[str, Field(description="Report id, from a search result or list_judgements.", min_length=1, max_length=300)]
Explain = Annotated[bool, Field(description="Add each hit's score and the filters and boosts that applied.", strict=True)]
Title = Annotated[str | None, Field(description="Judgement title or part of it.", max_length=300)]
Limit = Annotated[int, Field(description="Most judgements to list (1-500).", ge=1, le=500, strict=True)]
Judgement = Annotated[str, Field(description="Judgement title (e.g. 'Being healthy') or judgement_id.", min_length=1, max_length=300)]
AuthorityName = Annotated[
    str,
    Field(description="Local authority name or slug, e.g. 'Leeds'.", min_length=1, max_length=200,
          validation_alias=AliasChoices("la", *FIELDS["la"].aliases)),
]  # fmt: skip
Family = Annotated[str | None, Field(description="Judgement family, e.g. help_and_protection, children_in_care.", max_length=60)]


class StrictServer(MCPServer):
    """MCPServer whose tool errors are one line naming the tool: 'search_evidence: k: Input should be ...'."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if not isinstance(cause, ValidationError):  # a domain error: drop the SDK's "Error executing tool" prefix
                raise ToolError(f"{name}: {str(exc).removeprefix(f'Error executing tool {name}: ')}") from cause
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in cause.errors())
            raise ToolError(f"{name}: {problems}") from cause


def answer(text: str, data: BaseModel) -> CallToolResult:
    """A tool result: ``data`` as structured content (checked against the output schema), ``text`` to read."""
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data.model_dump(mode="json"))


def build_server(worker: EngineWorker) -> MCPServer:
    """The MCP server with its tools, resources and prompts bound to ``worker``'s Engine."""
    from evsearch.api.mcp_context import add_prompts, add_resources

    server = StrictServer(
        "evsearch", title="evsearch: cited evidence from inspection reports", version=__version__,
        instructions=INSTRUCTIONS, log_level="WARNING",
    )
    call = engine_caller(worker)

    async def search_evidence(
        query: Query, k: K = 8, explain: Explain = False, **filters: Any
    ) -> Annotated[CallToolResult, out.SearchOut]:
        """Find cited paragraphs of inspection reports that answer a question."""

        def run(engine: Any) -> CallToolResult:
            body = engine.search(SearchRequest.of(query, k, explain=explain, **filters)).to_dict()
            data = out.SearchOut(
                query=body["query"], understood=body["understood"], total=body["total"],
                total_is_estimate=body["total_is_estimate"], notes=body["notes"],
                hits=[out.hit_out(h, explain=explain) for h in body["hits"]],
            )  # fmt: skip
            return answer(format_hits(body, heading=f"Evidence for: {query}"), data)

        return await call(run)

    # filter arguments from search/filters.py
    server.tool(annotations=READ_ONLY)(with_tool_arguments(search_evidence, SEARCH_ARGUMENTS))

    @server.tool(annotations=READ_ONLY)
    async def get_report(report_id: ReportId) -> Annotated[CallToolResult, out.ReportOut]:
        """A report's metadata and its judgement table (each judgement with its grade and id)."""

        def run(engine: Any) -> CallToolResult:
            report = engine.report(report_id)
            return answer(format_report(report), out.report_out(report))

        return await call(run)

    @server.tool(annotations=READ_ONLY)
    async def list_judgements(
        grade: Grade = None, title: Title = None, la: Authority = None, year: Year = None, limit: Limit = 50,
    ) -> Annotated[CallToolResult, out.JudgementsOut]:
        """Graded judgements across reports, with report and judgement ids."""
        g = grade_of(grade)

        def run(engine: Any) -> CallToolResult:
            meta = report_meta(engine)
            rows = engine.judgements(grade=g, title=title, la=la, year=year)
            shown = [out.judgement_out(j, meta(j["report_id"])) for j in rows[:limit]]
            lines = [f"{len(rows)} judgement(s)" + (f"; first {limit} shown" if len(rows) > limit else "")]
            for j in shown:
                grade_text = f"grade {j.grade} {j.grade_label}" if j.grade is not None else "not graded"
                label = report_label(meta(j.report_id), j.report_id)
                lines.append(f"- {label}: {j.title}: {grade_text} [judgement_id {j.judgement_id}] (report_id: {j.report_id})")
            return answer("\n".join(lines), out.JudgementsOut(count=len(rows), judgements=shown))

        return await call(run)

    @server.tool(annotations=READ_ONLY)
    async def evidence_for_judgement(
        report_id: ReportId, judgement: Judgement, k: K = 8, explain: Explain = False,
    ) -> Annotated[CallToolResult, out.EvidenceOut]:
        """The paragraphs that support one judgement of one report, best first."""
        key = _judgement_key(judgement)

        def run(engine: Any) -> CallToolResult:
            body = engine.evidence_for_judgement(report_id, key, k=k).to_dict()
            data = out.EvidenceOut(
                report_id=report_id, judgement=judgement, notes=body["notes"],
                hits=[out.hit_out(h, explain=explain) for h in body["hits"]],
            )  # fmt: skip
            return answer(format_hits(body, heading=f"Evidence for judgement '{judgement}' in {report_id}"), data)

        return await call(run)

    @server.tool(annotations=READ_ONLY)
    async def grade_history(la: AuthorityName) -> Annotated[CallToolResult, out.GradeHistoryOut]:
        """One authority's grades over time per judgement family (frameworks lined up), with its report ids."""
        from evsearch.api.grades_text import format_history
        from evsearch.search.grades import authority

        def run(engine: Any) -> CallToolResult:
            body = authority(engine.index, la)
            return answer(format_history(body), out.GradeHistoryOut(**body))

        return await call(run)

    @server.tool(annotations=READ_ONLY)
    async def grades_summary(family: Family = None, year: Year = None) -> Annotated[CallToolResult, out.GradesSummaryOut]:
        """How many reports got each grade, per year and judgement family (e.g. inadequate help and protection)."""
        from evsearch.api.grades_text import format_summary
        from evsearch.search.grades import grades_summary as summary

        def run(engine: Any) -> CallToolResult:
            body = summary(engine.index, family=family, year=year)
            return answer(format_summary(body), out.GradesSummaryOut(**body))

        return await call(run)

    async def contrast_evidence(
        query: Query, k: KPerGrade = 3, **filters: Any
    ) -> Annotated[CallToolResult, out.ContrastOut]:  # fmt: skip
        """The best evidence for one query under each grade (outstanding to inadequate), side by side."""

        def run(engine: Any) -> CallToolResult:
            body = engine.search(SearchRequest.of(query, k, group_by="grade", **filters)).to_dict()
            parts = [f"Evidence for '{query}', by grade:", *filter(None, [understood_line(body)])]
            groups = []
            for group in body["groups"]:
                parts.append(format_hits(group, heading=f"\n== grade {group['grade']} {group['label']} =="))
                hits = [out.hit_out(h) for h in group["hits"]]
                groups.append(out.GradeGroupOut(grade=group["grade"], label=group["label"], hits=hits))
            return answer("\n".join(parts), out.ContrastOut(query=query, understood=body["understood"], groups=groups))

        return await call(run)

    server.tool(annotations=READ_ONLY)(with_tool_arguments(contrast_evidence, CONTRAST_ARGUMENTS))

    add_resources(server, call)
    add_prompts(server, call)
    forbid_unknown_arguments(server)
    return server


def engine_caller(worker: EngineWorker) -> Callable[[Callable[[Any], Any]], Any]:
    """``await call(fn)`` runs ``fn(engine)`` on the engine thread; domain errors become tool errors."""

    async def call(fn: Callable[[Any], Any]) -> Any:
        try:
            return await worker.run(fn)
        except EvsearchError as exc:
            raise ToolError(public_text(str(exc))) from None
        except ToolError:
            raise
        except Exception:  # a bug: logged in full here, one plain line for the assistant
            log.exception("unexpected error in an MCP handler")
            raise ToolError("the server hit an unexpected error; it has been logged") from None

    return call


def report_meta(engine: Any) -> Callable[[str], dict]:
    """Report metadata by id, cached for one call (runs on the engine thread)."""
    metas: dict[str, dict] = {}

    def meta(report_id: str) -> dict:
        if report_id not in metas:
            try:
                metas[report_id] = engine.report(report_id)
            except NotFoundError:
                metas[report_id] = {}
        return metas[report_id]

    return meta


def grade_of(value: str | None) -> int | None:
    try:
        return None if not value else parse_grade(value)
    except EvsearchError as exc:
        raise ToolError(public_text(str(exc))) from None


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
    """Make every tool refuse arguments it does not declare ("colour: Extra inputs are not permitted").

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
    from evsearch.api.mcp_stdio import serve

    index_path = Path(index_dir or config.get("index")).resolve()
    worker = EngineWorker(index_path)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            worker.open()
        anyio.run(serve, build_server(worker))
    finally:
        worker.close()
