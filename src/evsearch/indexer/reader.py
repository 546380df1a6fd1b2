"""Reading a report file into pages of raw text (txt, md, pdf).

WHY a separate reader: every failure a user can cause with a file (wrong
type, empty, corrupt, encrypted, an HTML error page saved as .pdf) must
surface as one ReportReadError naming the file, before any parsing starts.
The Document shape (path + raw page texts) is the contract the cleaning and
splitting modules and the judgements/metadata readers rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evsearch.errors import ReportReadError

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")

# PDFium's error codes (FPDF_ERR_*) in words a user can act on.
_PDFIUM_ERRORS = {
    1: "unknown PDF error",
    2: "file not found or could not be opened",
    3: "not a PDF or corrupted",
    4: "encrypted PDF (a password is required)",
    5: "unsupported security scheme",
    6: "page error",
}


@dataclass
class Document:
    path: Path
    pages: list[str]  # raw text of each page, page 1 first; a text file is split on form feeds


def read_document(path: str | Path) -> Document:
    """Read a report; raises ReportReadError (with the path) when it is not a readable report."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReportReadError(str(path), f"unsupported file type {suffix or '(none)'}; expected .txt, .md or .pdf")
    if not path.is_file():
        raise ReportReadError(str(path), "no such file")
    if path.stat().st_size == 0:
        raise ReportReadError(str(path), "file is empty")
    if suffix == ".pdf":
        return Document(path, _read_pdf(path))
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ReportReadError(str(path), "binary data, not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return Document(path, text.split("\f"))


def _sniff(path: Path) -> None:
    """Refuse files that are not PDFs at all, with a reason better than PDFium's."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head:
        return
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:200]:
        raise ReportReadError(str(path), "an HTML page saved as .pdf (a failed download?), not a PDF")
    raise ReportReadError(str(path), "not a PDF (no %PDF header)")


def _read_pdf(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    _sniff(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        reason = _PDFIUM_ERRORS.get(getattr(exc, "err_code", None) or 0, str(exc))
        raise ReportReadError(str(path), f"not a readable PDF: {reason}") from exc
    try:
        if len(pdf) == 0:
            raise ReportReadError(str(path), "the PDF has no pages")
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                pages.append(textpage.get_text_range())
                textpage.close()
            except pdfium.PdfiumError as exc:
                raise ReportReadError(str(path), f"could not read the text of page {index + 1} ({exc})") from exc
            finally:
                page.close()
        return pages
    finally:
        pdf.close()
