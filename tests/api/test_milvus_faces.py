"""A Milvus-backed index answers every face: CLI, HTTP (the page's API) and MCP read its backend from the manifest.

Built by the real `evsearch index --backend milvus` (Milvus Lite, no server) from our own
fixture reports; each face is a separate process or server, one at a time, because Milvus
Lite lets one process open a file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import anyio
import httpx
import pytest
from api_helpers import DATA, EVSEARCH, FIXTURE_ID, FIXTURE_REPORT, evsearch_env, serve_app
from mcp import ClientSession, StdioServerParameters, stdio_client

QUERY = "kayak club confidence"


@pytest.fixture(scope="module")
def milvus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("milvus-src")
    shutil.copy(FIXTURE_REPORT, src / FIXTURE_REPORT.name)
    out = tmp_path_factory.mktemp("milvus-index") / "index"
    done = subprocess.run([EVSEARCH, "index", str(src), "--index", str(out), "--backend", "milvus"],
                          capture_output=True, text=True, env=evsearch_env(), timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads(next(out.glob("gen-*/manifest.json")).read_text())
    # the index's one Milvus Lite file, at its root (the manifest names it from the generation folder)
    assert (manifest["backend"], manifest["ann"], manifest["ann_params"]["uri"]) == ("milvus", "milvus", "../milvus.db")
    assert [p.relative_to(out).as_posix() for p in out.rglob("milvus.db")] == ["milvus.db"]
    return out


def test_cli_search(milvus_index: Path) -> None:
    done = subprocess.run([EVSEARCH, "search", QUERY, "--index", str(milvus_index), "--json", "-k", "3"],
                          capture_output=True, text=True, env=evsearch_env(), timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    hits = json.loads(done.stdout)["hits"]
    assert hits[0]["report_id"] == FIXTURE_ID and "kayak" in hits[0]["text"].lower()


def test_http_search_and_filters(milvus_index: Path) -> None:
    with serve_app(milvus_index) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        hits = client.get("/search", params={"q": QUERY, "k": 3}).json()["hits"]
        assert hits[0]["report_id"] == FIXTURE_ID and "kayak" in hits[0]["text"].lower()
        graded = client.get("/search", params={"q": "social workers", "grade": "inadequate"}).json()["hits"]
        assert graded and {h["grade"] for h in graded} == {4}
        assert client.get("/").status_code == 200  # the page is served over the same API


def test_mcp_search(milvus_index: Path) -> None:
    params = StdioServerParameters(command=EVSEARCH, args=["mcp", "--index", str(milvus_index)], env=evsearch_env())

    async def session() -> str:
        with anyio.fail_after(300):
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as s:
                    await s.initialize()
                    result = await s.call_tool("search_evidence", {"query": QUERY, "k": 3})
                    return result.content[0].text

    text = anyio.run(session)
    assert FIXTURE_ID in text and "kayak" in text.lower()


def test_deep_pages_answer_like_faiss(milvus_index: Path) -> None:
    """Offsets the docs allow (up to 10,000) stay under Milvus's topk cap of 16,384 (issue 18, fault 5)."""
    with serve_app(milvus_index) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        for offset in (5400, 10_000):
            r = client.get("/search", params={"q": "care", "k": 100, "offset": offset})
            assert r.status_code == 200, r.text
            assert r.json()["hits"] == []  # the fixture holds fewer paragraphs than the offset
        first = client.get("/search", params={"q": "care", "k": 100}).json()["hits"]
        assert first and first[0]["report_id"] == FIXTURE_ID
