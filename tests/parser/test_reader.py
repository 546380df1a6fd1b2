"""The reader: real PDFs and text files in, ReportReadError (naming the file) for anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsearch.errors import ReportReadError
from evsearch.parser.reader import Document, read_document


def _minimal_pdf(text: str = "1. A paragraph.", *, encrypted: bool = False) -> bytes:
    """A one-page PDF written by hand; with ``encrypted`` its trailer names a
    Standard security handler whose keys no empty password opens."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if encrypted:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if encrypted:
        trailer += b" /Encrypt %d 0 R /ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>]" % len(
            objects
        )
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return out


def _expect_error(path: Path, fragment: str) -> ReportReadError:
    with pytest.raises(ReportReadError) as info:
        read_document(path)
    err = info.value
    assert str(path) in str(err), "the message must name the file"
    assert err.path == str(path)
    assert fragment in err.reason
    return err


def test_reads_a_handmade_pdf(tmp_path: Path) -> None:
    path = tmp_path / "one page.pdf"
    path.write_bytes(_minimal_pdf("1. Children are seen quickly."))
    doc = read_document(path)
    assert isinstance(doc, Document)
    assert doc.path == path
    assert len(doc.pages) == 1
    assert "Children are seen quickly" in doc.pages[0]


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_minimal_pdf(encrypted=True))
    _expect_error(path, "encrypted")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00\x13 this is not a PDF body " * 40)
    _expect_error(path, "not a readable PDF")


def test_truncated_real_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(_minimal_pdf()[:60])
    _expect_error(path, "not a readable PDF")


def test_html_saved_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("<!DOCTYPE html>\n<html><head><title>Report not found</title></head></html>\n")
    _expect_error(path, "HTML page")


def test_not_a_pdf_at_all(tmp_path: Path) -> None:
    path = tmp_path / "picture.pdf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    _expect_error(path, "not a PDF")


@pytest.mark.parametrize("name", ["empty.pdf", "empty.txt", "empty.md"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    _expect_error(path, "empty")


@pytest.mark.parametrize("name", ["report.docx", "report.html", "report"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("1. Some text.")
    err = _expect_error(path, "unsupported file type")
    assert ".txt" in err.reason and ".pdf" in err.reason


def test_missing_file(tmp_path: Path) -> None:
    _expect_error(tmp_path / "nowhere.pdf", "no such file")


def test_binary_data_in_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"\x00\x01\x02binary")
    _expect_error(path, "binary")


def test_text_file_pages_split_on_form_feeds_and_bom_dropped(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes("\ufeffPage one text.\fPage two text.\n".encode("utf-8"))
    doc = read_document(path)
    assert doc.pages == ["Page one text.", "Page two text.\n"]


def test_latin1_text_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Caf\xe9 \xa3 5".encode("latin-1"))
    assert read_document(path).pages == ["Café £ 5"]


@pytest.mark.corpus
def test_real_corpus_pdf_has_pages_with_text(ilacs_dir: Path) -> None:
    pdf = sorted(p for p in ilacs_dir.glob("*/*.pdf") if "2022" in p.name)[0]
    doc = read_document(pdf)
    assert len(doc.pages) > 3
    assert all(isinstance(page, str) for page in doc.pages)
    assert "children" in " ".join(doc.pages).lower()


@pytest.mark.corpus
def test_real_html_download_in_corpus_is_refused(ilacs_dir: Path) -> None:
    path = ilacs_dir / "80429_birmingham" / "children's services inspection - 19 october 2012.pdf"
    if not path.exists():
        pytest.skip("the known HTML download is not in this copy of the corpus")
    _expect_error(path, "HTML page")
