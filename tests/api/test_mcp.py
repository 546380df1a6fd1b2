"""`evsearch mcp` with a real MCP client session (official SDK, stdio), as an assistant would use it.

One session per module: tools (structured content against the output schemas,
one-line argument errors), resources and prompts. The stdio robustness test
speaks raw JSON-RPC lines to a real subprocess, since the SDK client cannot
send a malformed line.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
from pathlib import Path

import anyio
import pytest
from api_helpers import EVSEARCH, FIXTURE_ID, SECOND_ID, evsearch_env
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

from evsearch import __version__, config

TOOLS = {
    "search_evidence", "get_report", "list_judgements", "evidence_for_judgement",
    "grade_history", "grades_summary", "contrast_evidence",
}  # fmt: skip
HIT_FIELDS = {"report_id", "number", "page", "grade", "grade_label", "section", "citation", "url", "text", "highlights", "explanation"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "mcp.md"
READ_QUERY = "why was leadership judged inadequate in Northmoor"
CALLS = [
    ("search_evidence", {"query": "kayak club confidence", "k": 3}),
    ("search_evidence", {"query": "social workers", "grade": "inadequate", "local_authority": "Northmoor", "explain": True}),
    ("get_report", {"report_id": SECOND_ID}),
    ("list_judgements", {"grade": "inadequate", "local_authority": "Northmoor"}),
    ("evidence_for_judgement", {"report_id": FIXTURE_ID, "judgement": "Being healthy", "k": 4}),
    ("get_report", {"report_id": "no-such-report"}),
    ("search_evidence", {"query": "care", "grade": "splendid"}),
    ("search_evidence", {"query": "care", "k": True}),
    ("search_evidence", {"query": "care", "k": config.MAX_K + 1}),
    ("search_evidence", {"query": "care", "colour": "blue"}),
    ("search_evidence", {"query": READ_QUERY, "k": 3}),
]


def _run_session(index_dir: Path) -> dict:
    """Spawn `evsearch mcp --index DIR` and use every kind of thing it serves; return what came back."""
    params = StdioServerParameters(command=EVSEARCH, args=["mcp", "--index", str(index_dir)], env=evsearch_env())

    async def session() -> dict:
        with anyio.fail_after(300):
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as s:
                    got: dict = {"init": await s.initialize()}
                    got["tools"] = {t.name: t for t in (await s.list_tools()).tools}
                    got["results"] = [await s.call_tool(name, args) for name, args in CALLS]
                    got["templates"] = (await s.list_resource_templates()).resource_templates
                    got["paragraph"] = await s.read_resource(f"report://{FIXTURE_ID}/paragraph/10")
                    got["report"] = await s.read_resource(f"report://{SECOND_ID}")
                    try:
                        await s.read_resource("report://no-such-report/paragraph/3")
                    except MCPError as exc:
                        got["missing"] = exc
                    got["prompts"] = {p.name: p for p in (await s.list_prompts()).prompts}
                    got["brief"] = await s.get_prompt("brief_on_authority", {"local_authority": "Northmoor"})
                    got["compare"] = await s.get_prompt(
                        "compare_authorities", {"authorities": "Northmoor, Ashcombe", "theme": "health"}
                    )
                    got["behind"] = await s.get_prompt(
                        "judgement_evidence", {"report_id": FIXTURE_ID, "judgement": "Being healthy"}
                    )
                    return got

    return anyio.run(session)


@pytest.fixture(scope="module")
def mcp(index_dir: Path) -> dict:
    return _run_session(index_dir)


def test_server_names_itself_and_every_tool_is_read_only(mcp: dict) -> None:
    info = mcp["init"].server_info
    assert (info.name, info.version) == ("evsearch", __version__)
    tools = mcp["tools"]
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object"
        assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
    assert tools["search_evidence"].input_schema["required"] == ["query"]


def test_output_schema_names_the_hit_fields_and_k_bounds_match_config(mcp: dict) -> None:
    search = mcp["tools"]["search_evidence"]
    hit = search.output_schema["$defs"]["HitOut"]
    assert HIT_FIELDS <= set(hit["properties"])
    k = search.input_schema["properties"]["k"]
    assert (k["type"], k["minimum"], k["maximum"]) == ("integer", 1, config.MAX_K)


def test_search_evidence_structured_hits(mcp: dict) -> None:
    result = mcp["results"][0]
    assert not result.is_error
    hits = result.structured_content["hits"]
    assert len(hits) == 3 and all(set(h) == HIT_FIELDS for h in hits)
    first = hits[0]
    assert (first["report_id"], first["number"], first["grade"], first["section"]) == (FIXTURE_ID, 10, 2, "Being healthy")
    assert first["citation"] == "Northmoor 2019, paragraph 10, page 1 (Being healthy, grade 2 good)"
    assert first["url"] == f"report://{FIXTURE_ID}/paragraph/10"
    assert "kayak club" in first["text"] and any("kayak" in h for h in first["highlights"])
    assert first["explanation"] is None  # not asked


def test_search_text_is_a_short_summary_not_a_copy(mcp: dict) -> None:
    result = mcp["results"][0]
    text = result.content[0].text
    assert len(result.content) == 1
    assert text.startswith("Evidence for: kayak club confidence\n[1] Northmoor 2019, paragraph 10, page 1 (Being healthy, grade 2 good)")
    assert "{" not in text and len(text) < len(json.dumps(result.structured_content)) / 2


def test_filters_and_explanations_in_structured_content(mcp: dict) -> None:
    body = mcp["results"][1].structured_content
    assert body["hits"] and all(h["grade"] == 4 and h["citation"].startswith("Northmoor") for h in body["hits"])
    given = {f["field"]: (f["values"], f["source"], f["state"]) for f in body["understood"]["filters"]}
    assert given == {"grade": ([4], "option", "applied"), "la": (["Northmoor"], "option", "applied")}
    for hit in body["hits"]:
        assert hit["explanation"]["score"] > 0 and "grade" in hit["explanation"]["matched"]


def test_understood_is_the_responses_own(mcp: dict, client) -> None:
    """structuredContent carries the search response's ``understood`` as it is (not rebuilt), and the text its summary."""
    result = mcp["results"][-1]
    http = client.get("/search", params={"q": READ_QUERY, "k": 3}).json()
    understood = result.structured_content["understood"]
    assert understood == http["understood"]
    assert {f["field"]: f["source"] for f in understood["filters"]} == {"grade": "query", "la": "query"}
    assert understood["summary"] == "read from your query: graded inadequate, from Northmoor, topic leadership; relaxed: none"
    assert result.content[0].text.splitlines()[1] == understood["summary"]
    assert (result.structured_content["total"], result.structured_content["total_is_estimate"]) == (
        http["total"], http["total_is_estimate"])  # fmt: skip
    assert "understood" in mcp["tools"]["search_evidence"].output_schema["properties"]


def test_get_report_and_judgements_are_structured(mcp: dict) -> None:
    report = mcp["results"][2].structured_content
    assert report["report_id"] == SECOND_ID and report["local_authority"] == "Ashcombe"
    assert "path" not in report  # never the server's file path
    titles = {j["title"]: j["grade"] for j in report["judgements"]}
    assert titles["Enjoying and achieving"] == 1
    assert mcp["results"][2].content[0].text.startswith("Ashcombe 2010")
    listed = mcp["results"][3].structured_content
    assert listed["count"] == 2 and {j["title"] for j in listed["judgements"]} >= {"Quality of provision"}
    assert all(j["local_authority"] == "Northmoor" and j["grade"] == 4 for j in listed["judgements"])


def test_evidence_for_judgement_cites_the_section(mcp: dict) -> None:
    hits = mcp["results"][4].structured_content["hits"]
    assert hits and hits[0]["section"] == "Being healthy" and hits[0]["number"] in (9, 10)


def test_errors_are_one_line_tool_errors(mcp: dict) -> None:
    texts = {i: mcp["results"][i].content[0].text for i in range(5, 10)}
    assert all(mcp["results"][i].is_error for i in texts)
    assert texts[5].startswith("get_report: ") and "no-such-report" in texts[5]
    assert "splendid" in texts[6]
    assert texts[7] == "search_evidence: k: Input should be a valid integer"  # k: true is not a number
    assert texts[8] == f"search_evidence: k: Input should be less than or equal to {config.MAX_K}"
    assert texts[9] == "search_evidence: colour: Extra inputs are not permitted"
    for text in texts.values():
        assert "\n" not in text and "http" not in text and "Traceback" not in text


def test_resources_read_reports_and_paragraphs(mcp: dict) -> None:
    assert {t.uri_template for t in mcp["templates"]} == {"report://{report_id}", "report://{report_id}/paragraph/{number}"}
    para = json.loads(mcp["paragraph"].contents[0].text)
    assert para["citation"] == "Northmoor 2019, paragraph 10, page 1 (Being healthy, grade 2 good)"
    assert "kayak club" in para["text"] and para["url"] == f"report://{FIXTURE_ID}/paragraph/10"
    report = json.loads(mcp["report"].contents[0].text)
    assert report["local_authority"] == "Ashcombe" and report["judgements"]
    assert "no paragraph 3" in mcp["missing"].error.message


def test_prompts_carry_cited_evidence(mcp: dict) -> None:
    assert set(mcp["prompts"]) == {"brief_on_authority", "compare_authorities", "judgement_evidence"}
    brief = mcp["brief"].messages[0].content.text
    assert "Grade history for Northmoor" in brief and re.search(r"\[1\] Northmoor 2019, paragraph \d+", brief)
    compare = mcp["compare"].messages[0].content.text
    assert "Northmoor, on health:" in compare and "Ashcombe, on health:" in compare
    assert "Ashcombe 2010, paragraph" in compare and "Northmoor 2019, paragraph" in compare
    behind = mcp["behind"].messages[0].content.text
    assert "Being healthy" in behind and "Northmoor 2019, paragraph" in behind


def test_every_tool_and_the_k_limit_are_documented(mcp: dict) -> None:
    doc = DOCS.read_text("utf-8")
    for name in [*mcp["tools"], *mcp["prompts"], "report://{report_id}/paragraph/{number}"]:
        assert f"`{name}`" in doc, f"{name} missing from docs/mcp.md"
    assert f"1..{config.MAX_K}" in doc


def _lines_reader(stream) -> queue.Queue:
    """Lines from a pipe on a queue, so a missing reply fails the test instead of hanging it."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def test_stdio_answers_unreadable_lines(index_dir: Path) -> None:
    proc = subprocess.Popen(
        [EVSEARCH, "mcp", "--index", str(index_dir)], env=evsearch_env(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    replies = _lines_reader(proc.stdout)
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    call = '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"search_evidence","arguments":%s}}'
    lines = [
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        call % (2, '{"query":"\\ud800"}'),
        call % (3, '{"query":"care","k":%s}' % ("9" * 5000)),
        '{"jsonrpc":"2.0","id":4,"method":',
        "[1, 2]",
        call % (5, '{"query":"kayak"}'),
    ]
    try:
        proc.stdin.write("\n".join(lines) + "\n")
        proc.stdin.flush()
        got: dict = {}
        nameless = []  # replies to lines whose id could not be read
        while 5 not in got:
            reply = json.loads(replies.get(timeout=300))
            if reply["id"] is None:
                nameless.append(reply["error"]["code"])
            got[reply["id"]] = reply
    finally:
        proc.kill()
        proc.wait()
    assert got[2]["error"]["code"] == -32600 and "lone surrogate" in got[2]["error"]["message"]
    assert got[3]["error"]["code"] == -32600 and "number" in got[3]["error"]["message"]
    assert nameless == [-32700, -32600]  # a cut-off line is not JSON; [1, 2] is JSON but no request
    assert not got[5]["result"]["isError"] and got[5]["result"]["structuredContent"]["hits"]


def test_missing_index_is_one_line_and_nonzero(tmp_path: Path) -> None:
    proc = subprocess.run(
        [EVSEARCH, "mcp", "--index", str(tmp_path / "nothing-here")],
        env=evsearch_env(),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stdout == ""
