"""The grades MCP tools through a real MCP client session (`evsearch mcp` over stdio) on own-words fixtures."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from api_helpers import EVSEARCH, evsearch_env
from mcp import ClientSession, StdioServerParameters, stdio_client


def run_session(index_dir: Path, calls: list[tuple[str, dict]]) -> tuple[dict, list]:
    params = StdioServerParameters(command=EVSEARCH, args=["mcp", "--index", str(index_dir)], env=evsearch_env())

    async def session() -> tuple[dict, list]:
        with anyio.fail_after(300):
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as s:
                    await s.initialize()
                    tools = {t.name: t for t in (await s.list_tools()).tools}
                    return tools, [await s.call_tool(name, args) for name, args in calls]

    return anyio.run(session)


@pytest.fixture(scope="module")
def answers(grades_index: Path) -> tuple[dict, list]:
    return run_session(
        grades_index,
        [
            ("grade_history", {"local_authority": "Larchfield"}),
            ("grades_summary", {"family": "help_and_protection"}),
            ("grades_summary", {"year": 2022}),
            ("grade_history", {"local_authority": "Atlantis"}),
            ("grades_summary", {"family": "fostering"}),
            ("grades_summary", {"colour": "blue"}),
            ("contrast_evidence", {"query": "management oversight", "k": 1}),
        ],
    )


def test_grade_history_lines_up_frameworks_per_family(answers) -> None:
    tools, results = answers
    assert {"grade_history", "grades_summary"} <= set(tools)
    assert tools["grade_history"].input_schema["required"] == ["la"]  # local_authority still accepted (calls above)
    text = results[0].content[0].text
    assert not results[0].is_error
    assert text.startswith("Grade history for Larchfield (3 report(s)):")
    assert "- Help and protection (help_and_protection): 2012 adequate -> 2016 requires improvement -> 2022 good" in text
    assert "- Children in care (children_in_care): 2012 good -> 2016 good -> 2022 outstanding" in text
    assert "(report_id: larchfield-2016-single-inspection)" in text


def test_grades_summary_counts_per_year(answers) -> None:
    _, results = answers
    text = results[1].content[0].text
    assert "Help and protection:" in text
    assert "  2022: 1 good, 1 inadequate" in text and "  2019: 1 inadequate" in text
    in_2022 = results[2].content[0].text
    assert "year=2022" in in_2022 and "Overall effectiveness:\n  2022: 1 good, 1 inadequate" in in_2022
    assert "Adoption" not in in_2022  # no 2022 report grades adoption


def test_errors_are_tool_errors_with_one_line(answers) -> None:
    _, results = answers
    expected = ["unknown local authority 'Atlantis'", "unknown judgement family", "colour"]
    for result, words in zip(results[3:], expected):
        assert result.is_error and words in result.content[0].text
        assert "Traceback" not in result.content[0].text


def test_contrast_evidence_sets_grades_side_by_side(answers) -> None:
    tools, results = answers
    assert tools["contrast_evidence"].input_schema["required"] == ["query"]
    text = results[6].content[0].text
    assert not results[6].is_error
    sections = text.split("\n== grade ")
    assert [s.split(" ==")[0] for s in sections[1:]] == ["1 outstanding", "2 good", "3 requires improvement", "4 inadequate"]
    good, inadequate = sections[2], sections[4]
    assert "[1] Larchfield 2022, paragraph 2" in good and "Management oversight is strong" in good
    assert "[1] Ashby Vale 2022, paragraph 2" in inadequate and "Management oversight is weak" in inadequate
    understood = results[6].structured_content["understood"]  # the grouped search's own
    assert (understood["filters"], understood["ranking_text"]) == ([], "management oversight")
    groups = results[6].structured_content["groups"]
    assert [g["grade"] for g in groups] == [1, 2, 3, 4]
    assert groups[3]["hits"][0]["citation"].startswith("Ashby Vale 2022, paragraph 2")
