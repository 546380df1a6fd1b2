"""Upload naming and content checks: the client's file name never reaches the filesystem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsearch.api import uploads
from evsearch.errors import InputError, PayloadTooLargeError, UnsupportedMediaError


@given(name=st.text(max_size=200), data=st.binary(min_size=1, max_size=64))
def test_report_id_is_always_a_safe_slug(name: str, data: bytes) -> None:
    rid = uploads.report_id_for(name, data)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid), rid
    assert len(rid) <= 60 + 11


def test_report_id_keeps_a_readable_stem_and_hashes_content() -> None:
    a = uploads.report_id_for("C:\\Users\\me\\Children's Services – Inspection 2019.pdf", b"one")
    b = uploads.report_id_for("../x/Children's Services – Inspection 2019.pdf", b"two")
    assert a.startswith("children-s-services-inspection-2019-")
    assert a.rsplit("-", 1)[0] == b.rsplit("-", 1)[0] and a != b


def test_display_name_drops_directories() -> None:
    assert uploads.display_name("../../etc/passwd.txt") == "passwd.txt"
    assert uploads.display_name("..\\..\\boot.ini") == "boot.ini"
    assert uploads.display_name("") == "upload"


@pytest.mark.parametrize("name", ["a.docx", "a", "a.pdf.exe", "a.md", ".txt"])
def test_suffix_rejects_other_types(name: str) -> None:
    with pytest.raises(UnsupportedMediaError):
        uploads.suffix_of(name)


def test_suffix_accepts_pdf_and_txt_any_case() -> None:
    assert uploads.suffix_of("Report.PDF") == ".pdf"
    assert uploads.suffix_of("notes.txt") == ".txt"


def test_check_content() -> None:
    uploads.check_content("r.pdf", ".pdf", b"%PDF-1.7\n...", 100)
    uploads.check_content("r.txt", ".txt", "Caf\u00e9 report".encode("utf-8"), 100)
    with pytest.raises(UnsupportedMediaError):
        uploads.check_content("r.pdf", ".pdf", b"<!DOCTYPE html>", 100)
    with pytest.raises(UnsupportedMediaError):
        uploads.check_content("r.txt", ".txt", b"a\x00b", 100)
    with pytest.raises(PayloadTooLargeError):
        uploads.check_content("r.txt", ".txt", b"x" * 101, 100)
    with pytest.raises(InputError):
        uploads.check_content("r.txt", ".txt", b"", 100)


def test_store_writes_only_inside_uploads(tmp_path: Path) -> None:
    path, created = uploads.store(tmp_path, "safe-id-0123456789", ".txt", b"text")
    assert created and path == tmp_path / "uploads" / "safe-id-0123456789.txt" and path.read_bytes() == b"text"
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == ["safe-id-0123456789.txt"]  # no temp left
    assert uploads.store(tmp_path, "safe-id-0123456789", ".txt", b"text") == (path, False)  # same upload again
    with pytest.raises(InputError):
        uploads.store(tmp_path, "../escape", ".txt", b"x")
