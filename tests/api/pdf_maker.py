"""Writing small PDFs for tests: real files PDFium reads, with our own words, and hostile ones.

WHY hand-written: the face tests must not depend on the corpus beside the
repository, and a generator library would be a dependency for ~60 lines. A
flate bomb is a page whose compressed content stream inflates to ~1 GB while
the file stays around a megabyte: what an attacker would upload.
"""

from __future__ import annotations

import zlib
from pathlib import Path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 10 Tf", "14 TL", "50 800 Td"]
    for line in lines:
        ops.append(f"({_escape(line)}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("cp1252")  # WinAnsiEncoding, as the font declares


def _write(path: Path, page_streams: list[tuple[bytes, bytes]], trailer_extra: bytes = b"") -> Path:
    """Write a PDF whose pages have the given (stream dictionary extras, stream bytes)."""
    objects: list[bytes] = []
    n_pages = len(page_streams)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, (extra, stream) in enumerate(page_streams):
        page = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                f"/Contents {5 + 2 * i} 0 R >>")  # fmt: skip
        objects.append(page.encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + extra + b" >>\nstream\n" + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R".encode() + trailer_extra
    out += f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def text_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with one page per list of lines (Helvetica, plain text PDFium extracts line by line)."""
    return _write(path, [(b" /Filter /FlateDecode", zlib.compress(_content(lines))) for lines in pages])


def flate_bomb_pdf(path: Path, inflated_mb: int = 1024) -> Path:
    """A one-page PDF of about 1 MB whose content stream inflates to ``inflated_mb`` MiB."""
    head = _content(["A page that is almost entirely blank space."])
    packer = zlib.compressobj(9)
    chunks = [packer.compress(head)]
    block = b" " * (1 << 20)
    for _ in range(inflated_mb):
        chunks.append(packer.compress(block))
    chunks.append(packer.flush())
    return _write(path, [(b" /Filter /FlateDecode", b"".join(chunks))])


def report_pdf(text_file: Path, path: Path, *, width: int = 95, lines_per_page: int = 50) -> Path:
    """One of our own-words text reports as a PDF laid out like the real ones: a cover page up
    to "About this inspection", then the body wrapped at ``width`` characters over further pages."""
    import textwrap

    lines = text_file.read_text("utf-8").strip("\n").split("\n")
    cut = lines.index("About this inspection")
    body: list[str] = []
    for line in lines[cut:]:
        body.extend(textwrap.wrap(line.replace("\t", "   "), width) or [""])
    pages = [lines[:cut]] + [body[i : i + lines_per_page] for i in range(0, len(body), lines_per_page)]
    return text_pdf(path, pages)


def encrypted_pdf(path: Path) -> Path:
    """A PDF that declares the standard security handler with a user password nobody knows.

    The password check fails before any content is decrypted, so the content
    need not really be encrypted: readers refuse the file as password-protected.
    """
    encrypt = (b" /Encrypt << /Filter /Standard /V 1 /R 2 /P -44 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32
               + b"> >> /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]")  # fmt: skip
    return _write(path, [(b"", _content(["Nothing to see without the password."]))], trailer_extra=encrypt)
