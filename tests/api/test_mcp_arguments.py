"""The MCP tools' filter arguments come from the one filter table (search/filters.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsearch.api.mcp_server import build_server
from evsearch.api.worker import EngineWorker
from evsearch.search.filters import FIELDS


@pytest.fixture(scope="module")
def tools(index_dir: Path) -> dict:
    worker = EngineWorker(index_dir)  # not opened: building the server reads no index
    try:
        yield {t.name: t for t in build_server(worker)._tool_manager.list_tools()}
    finally:
        worker.close()


def test_search_arguments_are_the_filter_fields(tools: dict) -> None:
    properties = tools["search_evidence"].parameters["properties"]
    assert set(properties) == {"query", "k", "explain", *FIELDS}
    assert set(tools["contrast_evidence"].parameters["properties"]) == {"query", "k", *FIELDS} - {"grade"}
    assert "la" in tools["list_judgements"].parameters["properties"]


def test_aliases_and_lists_validate_to_one_field(tools: dict) -> None:
    model = tools["search_evidence"].fn_metadata.arg_model
    args = model.model_validate({"query": "care", "local_authority": ["Leeds", "Bradford"], "year": [2018, 2022]})
    dumped = args.model_dump_one_level()
    assert dumped["la"] == ["Leeds", "Bradford"] and dumped["year"] == [2018, 2022]
    assert model.model_validate({"query": "care", "report_id": "x"}).model_dump_one_level()["report"] == "x"
    with pytest.raises(ValueError, match="colour"):
        model.model_validate({"query": "care", "colour": "red"})
    with pytest.raises(ValueError):
        model.model_validate({"query": "care", "year": 1066})
