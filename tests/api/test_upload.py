"""POST /reports: off by default, key-checked, size- and type-limited, never trusting the client's file name.

The write server works on a copy of the session index, so uploads here
cannot change what the read-only tests see.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_helpers import FIXTURE_REPORT, SECOND_REPORT, LiveServer, assert_error_shape, serve_app
from pdf_maker import report_pdf

KEY = "test-key-7d1f"
ORIGIN = "https://research.example"


@pytest.fixture(scope="module")
def write_index(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("write-index") / "index"
    shutil.copytree(index_dir, copy)
    return copy


@pytest.fixture(scope="module")
def write_server(write_index: Path) -> Iterator[LiveServer]:
    with serve_app(write_index, api_key=KEY, max_upload_mb="1", cors_origins=ORIGIN) as server:
        yield server


@pytest.fixture()
def wc(write_server: LiveServer) -> Iterator[httpx.Client]:
    # wait=true on uploads: these tests check what an upload leaves behind, so they wait for its job
    # (test_jobs.py: 202); reads refuse a parameter they do not take, so only POSTs carry it
    def wait_on_uploads(request: httpx.Request) -> None:
        if request.method == "POST":
            request.url = request.url.copy_add_param("wait", "true")

    with httpx.Client(base_url=write_server.url, timeout=300, event_hooks={"request": [wait_on_uploads]}) as c:
        yield c


def _own_report(marker: str) -> bytes:
    """Our fixture report with one distinctive sentence added, so its hash and content are new."""
    text = FIXTURE_REPORT.read_text("utf-8")
    extra = f"13. Inspectors saw a {marker} used by young people to plan their move to independence.\n"
    return text.replace("Record of main findings", extra + "\nRecord of main findings").encode("utf-8")


def test_writes_are_off_without_an_api_key(client: httpx.Client) -> None:
    r = client.post("/reports", files={"file": ("x.txt", b"hello")}, headers={"X-API-Key": KEY})
    assert assert_error_shape(r, 403)["error"] == "WritesDisabledError"


def test_missing_or_wrong_key_is_401(wc: httpx.Client) -> None:
    files = {"file": ("x.txt", _own_report("kite"))}
    assert_error_shape(wc.post("/reports", files=files), 401)
    body = assert_error_shape(wc.post("/reports", files=files, headers={"X-API-Key": KEY + "x"}), 401)
    assert body["error"] == "AuthError"


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("report.docx", b"PK\x03\x04 not a report", 415),
        ("report", b"no extension at all", 415),
        ("report.pdf", b"this is text pretending to be a PDF", 415),
        ("report.txt", b"\x00\x01\x02binary\x00", 415),
        ("report.txt", b"", 400),
    ],
)
def test_rejects_wrong_types_and_empty_files(wc: httpx.Client, name: str, content: bytes, status: int) -> None:
    r = wc.post("/reports", files={"file": (name, content)}, headers={"X-API-Key": KEY})
    assert_error_shape(r, status)


def test_rejects_uploads_over_the_size_limit(wc: httpx.Client, write_index: Path) -> None:
    big = b"1. A line of report text.\n" * 60_000  # ~1.5 MiB > 1 MiB limit
    r = wc.post("/reports", files={"file": ("big.txt", big)}, headers={"X-API-Key": KEY})
    assert assert_error_shape(r, 413)["error"] == "PayloadTooLargeError"
    assert not list((write_index / "uploads").glob("big*"))


def test_needs_the_file_field(wc: httpx.Client) -> None:
    r = wc.post("/reports", data={"other": "value"}, files={"attachment": ("a.txt", b"x")}, headers={"X-API-Key": KEY})
    assert_error_shape(r, 400)


def test_upload_with_hostile_name_is_stored_safely_and_searchable(wc: httpx.Client, write_index: Path) -> None:
    hostile = "../../../../tmp/Evil Name; rm -rf.txt"
    r = wc.post("/reports", files={"file": (hostile, _own_report("zeppelin-shaped planner"))}, headers={"X-API-Key": KEY})
    assert r.status_code == 201, r.text
    body = r.json()
    report_id = body["report_id"]
    assert re.fullmatch(r"[a-z0-9-]+", report_id), report_id
    assert report_id.startswith("evil-name-rm-rf-")
    assert body["filename"] == "Evil Name; rm -rf.txt"
    assert body["indexed"]["indexed"] == 1 and body["indexed"]["paragraphs"] > 5
    # Northmoor is invented: indexed all the same, flagged, and the upload says so
    assert any("'Northmoor' is not in the authority register" in note for note in body["notes"])
    assert wc.get(f"/reports/{report_id}").json()["authority_resolved"] is False
    stored = list((write_index / "uploads").iterdir())
    assert [p.name for p in stored] == [f"{report_id}.txt"]
    assert not Path("/tmp/Evil Name; rm -rf.txt").exists()
    # the engine was refreshed: the new report is searchable straight away
    hits = wc.get("/search", params={"q": "zeppelin-shaped planner", "report": report_id}).json()["hits"]
    assert hits and hits[0]["report_id"] == report_id and "zeppelin" in hits[0]["text"]
    assert wc.get(f"/reports/{report_id}").status_code == 200


def test_same_bytes_twice_give_the_same_id(wc: httpx.Client) -> None:
    content = _own_report("lantern workshop")
    first = wc.post("/reports", files={"file": ("copy.txt", content)}, headers={"X-API-Key": KEY})
    second = wc.post("/reports", files={"file": ("copy.txt", content)}, headers={"X-API-Key": KEY})
    assert first.status_code == second.status_code == 201
    assert first.json()["report_id"] == second.json()["report_id"]
    assert second.json()["indexed"]["unchanged"] == 1


def test_pdf_upload_is_indexed(wc: httpx.Client, tmp_path: Path) -> None:
    pdf = report_pdf(SECOND_REPORT, tmp_path / "Ashcombe report.pdf")
    r = wc.post("/reports", files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")}, headers={"X-API-Key": KEY})
    assert r.status_code == 201, r.text
    report = wc.get(f"/reports/{r.json()['report_id']}").json()
    grades = {(j["part"], j["title"]): j["grade"] for j in report["judgements"]}
    assert grades[("Services for looked after children", "Enjoying and achieving")] == 1
    para = wc.get(f"/reports/{report['report_id']}/paragraphs/12").json()
    assert para["section"] == "Being healthy" and "dentist" in para["text"]


def test_cors_allows_only_the_configured_origin(wc: httpx.Client, client: httpx.Client) -> None:
    pre = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    allowed = wc.options("/search", headers=pre)
    assert allowed.headers.get("access-control-allow-origin") == ORIGIN
    simple = wc.get("/healthz", headers={"Origin": ORIGIN})
    assert simple.headers.get("access-control-allow-origin") == ORIGIN
    other = wc.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    # the default server has CORS off
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": ORIGIN}).headers


def test_html_page_saved_as_pdf_is_rejected(wc: httpx.Client) -> None:
    """Failed downloads save a web page under a .pdf name: the %PDF check must catch them."""
    content = b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>Try later</body></html>\n"
    r = wc.post("/reports", files={"file": ("inspection report.pdf", content)}, headers={"X-API-Key": KEY})
    assert assert_error_shape(r, 415)["error"] == "UnsupportedMediaError"


def test_chunked_upload_without_length_is_refused_before_reading(wc: httpx.Client) -> None:
    body = iter([b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n", b"text\r\n--x--\r\n"])
    headers = {"X-API-Key": KEY, "Content-Type": "multipart/form-data; boundary=x"}
    r = wc.post("/reports", content=body, headers=headers)
    assert "Content-Length" in assert_error_shape(r, 400)["message"]
