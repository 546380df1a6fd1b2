"""`evsearch mcp` with a real MCP client session (official SDK, stdio), as an assistant would use it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import anyio
import pytest
from api_helpers import EVSEARCH, FIXTURE_ID, SECOND_ID, evsearch_env
from mcp import ClientSession, StdioServerParameters, stdio_client

TOOLS = {
    "search_evidence", "get_report", "list_judgements", "evidence_for_judgement",
    "grade_history", "grades_summary", "contrast_evidence",
}  # fmt: skip
DOCS = Path(__file__).resolve().parents[2] / "docs" / "mcp.md"


def _run_session(index_dir: Path, calls: list[tuple[str, dict]]) -> tuple[list, list]:
    """Spawn `evsearch mcp --index DIR`, list tools, make each call; return (tools, results)."""
    params = StdioServerParameters(command=EVSEARCH, args=["mcp", "--index", str(index_dir)], env=evsearch_env())

    async def session() -> tuple[list, list]:
        with anyio.fail_after(300):
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as s:
                    await s.initialize()
                    tools = (await s.list_tools()).tools
                    results = [await s.call_tool(name, args) for name, args in calls]
                    return tools, results

    return anyio.run(session)


@pytest.fixture(scope="module")
def mcp_results(index_dir: Path) -> tuple[dict, list]:
    calls = [
        ("search_evidence", {"query": "kayak club confidence", "k": 3}),
        ("search_evidence", {"query": "social workers", "grade": "inadequate", "local_authority": "Northmoor"}),
        ("get_report", {"report_id": SECOND_ID}),
        ("list_judgements", {"grade": "inadequate", "local_authority": "Northmoor"}),
        ("evidence_for_judgement", {"report_id": FIXTURE_ID, "judgement": "Being healthy", "k": 4}),
        ("get_report", {"report_id": "no-such-report"}),
        ("search_evidence", {"query": "care", "grade": "splendid"}),
    ]
    tools, results = _run_session(index_dir, calls)
    return {t.name: t for t in tools}, [r.content[0].text for r in results] + [r.is_error for r in results]


def test_lists_the_four_tools_with_descriptions(mcp_results: tuple[dict, list]) -> None:
    tools, _ = mcp_results
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object"
    assert tools["search_evidence"].input_schema["required"] == ["query"]


def test_search_evidence_returns_quotable_citations(mcp_results: tuple[dict, list]) -> None:
    _, out = mcp_results
    text, errors = out[0], out[7:]
    assert not errors[0]
    first = text.split("\n[2]")[0]
    assert re.search(r"\[1\] Northmoor 2019.*paragraph 10, page 1 \(Being healthy, grade 2 good\)", first), first
    assert "kayak club" in first
    assert "Highlights:" in first and "kayak" in first.split("Highlights:")[1]
    assert f"report_id: {FIXTURE_ID}" in first


def test_search_evidence_applies_filters(mcp_results: tuple[dict, list]) -> None:
    _, out = mcp_results
    cites = re.findall(r"^\[\d+\] (.*)$", out[1], flags=re.M)
    assert cites and all(c.startswith("Northmoor") and "grade 4 inadequate" in c for c in cites), cites


def test_get_report_lists_judgements(mcp_results: tuple[dict, list]) -> None:
    _, out = mcp_results
    text = out[2]
    assert text.startswith("Ashcombe 2010")
    assert f"report_id: {SECOND_ID}" in text
    assert "Judgements:" in text
    assert re.search(r"Enjoying and achieving: grade 1 outstanding \[judgement_id \d+\]", text), text


def test_list_judgements_filters_by_grade_and_authority(mcp_results: tuple[dict, list]) -> None:
    _, out = mcp_results
    lines = [line for line in out[3].splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert all("Northmoor" in line and "grade 4 inadequate" in line for line in lines)
    assert any("Quality of provision" in line for line in lines)


def test_evidence_for_judgement_cites_the_section(mcp_results: tuple[dict, list]) -> None:
    _, out = mcp_results
    text = out[4]
    assert re.search(r"paragraph (9|10), page 1 \(Being healthy, grade 2 good\)", text), text


def test_errors_are_tool_errors_with_the_message(mcp_results: tuple[dict, list]) -> None:
    _, out = mcp_results
    is_error = out[7:]
    assert is_error[5] and "no-such-report" in out[5]
    assert is_error[6] and "splendid" in out[6]
    assert "Traceback" not in out[5] + out[6]


def test_every_tool_is_documented(mcp_results: tuple[dict, list]) -> None:
    tools, _ = mcp_results
    doc = DOCS.read_text("utf-8")
    for name in tools:
        assert f"`{name}`" in doc, f"{name} missing from docs/mcp.md"


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
