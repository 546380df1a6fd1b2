"""Reading a report file into pages of raw text (txt, md, pdf).

WHY a separate reader: every failure a user can cause with a file (wrong
type, empty, corrupt, encrypted, an HTML error page saved as .pdf) must
surface as one ReportReadError naming the file, before any parsing starts.
The Document shape (path + raw page texts) is the contract the cleaning and
splitting modules and the judgements/metadata readers rely on.

WHY PDFs are read in a child process: a PDF is untrusted input, and a 1 MB
file whose content stream inflates to 1 GB would otherwise take the indexer
(or the server indexing an upload) to several GB. The child (see pdf_child.py)
runs with an address-space limit and a CPU-time limit per file and stops at
``max_report_chars`` characters; a file over a limit fails with the reason,
the child is replaced, and the batch goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evsearch import config
from evsearch.errors import ReportReadError

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")


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
    max_chars = int(config.get("max_report_chars"))
    if suffix == ".pdf":
        from evsearch.parser.pdf_child import read_pdf_pages

        _sniff(path)
        return Document(path, read_pdf_pages(path))
    if path.stat().st_size > 4 * max_chars:  # no text encoding needs more than 4 bytes a character
        raise ReportReadError(str(path), f"more than {max_chars:,} characters of text (setting max_report_chars)")
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ReportReadError(str(path), "binary data, not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if len(text) > max_chars:
        raise ReportReadError(str(path), f"more than {max_chars:,} characters of text (setting max_report_chars)")
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
