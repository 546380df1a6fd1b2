"""Reading a report file into pages of raw text (txt, md, pdf).

First version by the lead: the parser owner refines it. Keep the Document
shape stable: other modules rely on ``pages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evsearch.errors import ReportReadError

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")


@dataclass
class Document:
    path: Path
    pages: list[str]  # raw text of each page, page 1 first; a text file is split on form feeds


def read_document(path: str | Path) -> Document:
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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    return Document(path, text.split("\f"))


def _read_pdf(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ReportReadError(str(path), f"not a readable PDF ({exc})") from exc
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    finally:
        pdf.close()
