"""A report with no paragraphs is refused with its reason, never "indexed" silently (issue 18, fault 8).

The PDF is made by pdf_maker: four pages carrying the same three lines, which
the parser strips as running headers and footers, leaving no body text.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
from api_helpers import EVSEARCH, assert_error_shape, evsearch_env, serve_app
from pdf_maker import text_pdf

KEY = "empty-key-90d3"
REASON = "no paragraphs found"


def _all_headers_pdf(path: Path) -> Path:
    lines = ["Inspection of Quillby children's services", "Quillby Borough Council", "Published in the spring"]
    return text_pdf(path, [lines] * 4)


def test_evsearch_index_refuses_it_and_says_why(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _all_headers_pdf(src / "headers-only.pdf")
    proc = subprocess.run([EVSEARCH, "index", str(src), "--index", str(tmp_path / "index")], env=evsearch_env(),
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"failed: {src / 'headers-only.pdf'}: {REASON}" in proc.stderr


def test_an_upload_of_it_fails_its_job_with_the_reason(index_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    data = _all_headers_pdf(tmp_path / "upload.pdf").read_bytes()
    with serve_app(copy, api_key=KEY) as live, httpx.Client(base_url=live.url, timeout=300) as c:
        before = len(c.get("/reports").json())
        r = c.post("/reports?wait=true", files={"file": ("Quillby 2024.pdf", data)}, headers={"X-API-Key": KEY})
        body = assert_error_shape(r, 422)
        assert body["error"] == "ReportReadError" and "Quillby 2024.pdf" in body["message"]
        assert REASON in body["message"]
        assert len(c.get("/reports").json()) == before
    assert not list((copy / "uploads").glob("*.pdf"))  # the refused file is not kept
