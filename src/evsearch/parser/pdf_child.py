"""PDF text extraction in a child process with hard limits: memory, CPU time, characters.

WHY a long-lived child rather than one per file: starting Python and PDFium
costs ~0.2 s, which would be a large share of indexing a 300-report folder.
One child reads file after file; before each file it moves its CPU soft limit
to "used so far + pdf_cpu_seconds", so the limit is per file. The address
space limit (``pdf_memory_mb``) is set once at start: a PDF that needs more
makes PDFium's allocation fail, and the child dies or answers MemoryError.
Either way the file fails with the reason, a fresh child starts for the next
file, and the caller's own memory never holds the bomb.

The child is a fresh interpreter (``python -m evsearch.parser.pdf_child``)
so it inherits none of the parent's memory (a forked indexer with the model
loaded would already exceed the limit) and none of its threads; unlike
multiprocessing's ``spawn`` it never re-runs the caller's main script, which
fails for ``python -`` and re-runs any unguarded script. Messages travel as
pickles over two pipes (``multiprocessing.connection.Connection``).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from evsearch import config
from evsearch.errors import ReportReadError

# PDFium's error codes (FPDF_ERR_*) in words a user can act on.
_PDFIUM_ERRORS = {
    1: "unknown PDF error",
    2: "file not found or could not be opened",
    3: "not a PDF or corrupted",
    4: "encrypted PDF (a password is required)",
    5: "unsupported security scheme",
    6: "page error",
}
_START_SECONDS = 60.0  # wall-clock allowance for the child to start, on top of the CPU limit


def _extract(path: str, max_chars: int) -> list[str]:
    """The text of each page; raises ReportReadError for a file PDFium cannot read or one over max_chars."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        reason = _PDFIUM_ERRORS.get(exc.err_code or 0, str(exc))
        raise ReportReadError(path, f"not a readable PDF: {reason}") from None
    try:
        if len(pdf) == 0:
            raise ReportReadError(path, "the PDF has no pages")
        pages: list[str] = []
        total = 0
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
            except pdfium.PdfiumError as exc:
                raise ReportReadError(path, f"could not read the text of page {index + 1} ({exc})") from None
            finally:
                page.close()
            total += len(text)
            if total > max_chars:
                raise ReportReadError(
                    path, f"more than {max_chars:,} characters of text by page {index + 1} (setting max_report_chars)"
                )
            pages.append(text)
        return pages
    finally:
        pdf.close()


def _child_main(inbox: Connection, outbox: Connection, memory_bytes: int) -> None:
    """The child's loop: (path, cpu_seconds, max_chars) in, ("ok", pages) or ("error", reason) out."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            path, cpu_seconds, max_chars = inbox.recv()
        except EOFError:  # the parent closed its end, or died
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (used + cpu_seconds, resource.RLIM_INFINITY))
        try:
            outbox.send(("ok", _extract(path, max_chars)))
        except ReportReadError as exc:
            outbox.send(("error", exc.reason))
        except MemoryError:
            outbox.send(("memory", ""))
            return  # the heap may be in any state: let a fresh child take the next file


class PdfReader:
    """One limited child process, restarted after a file kills it; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None

    def _start(self, memory_bytes: int) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "evsearch.parser.pdf_child", str(to_child_r), str(from_child_w), str(memory_bytes)],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # PDFium's own abort messages; the reason reaches the user in words
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._recv = Connection(from_child_r, writable=False)

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _stop(self) -> None:
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait(timeout=5)
        self._proc = self._send = self._recv = None

    def read(self, path: Path) -> list[str]:
        memory_mb = int(config.get("pdf_memory_mb"))
        cpu_seconds = int(config.get("pdf_cpu_seconds"))
        max_chars = int(config.get("max_report_chars"))
        limits = f"limits: {memory_mb} MiB of memory (setting pdf_memory_mb), {cpu_seconds} s of CPU (pdf_cpu_seconds)"
        with self._lock:
            if not self._alive():
                self._stop()
                self._start(memory_mb * 1024 * 1024)
            assert self._send is not None and self._recv is not None and self._proc is not None
            try:
                self._send.send((str(path), cpu_seconds, max_chars))
                ready = self._recv.poll(cpu_seconds * 2 + _START_SECONDS)
                kind, value = self._recv.recv() if ready else ("timeout", "")
            except (EOFError, OSError):  # the child died mid-file: out of memory or CPU time
                code = self._proc.wait(timeout=5)
                self._stop()
                if code == -signal.SIGXCPU:
                    cause = "ran out of CPU time"
                elif code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, -signal.SIGKILL):
                    cause = "needed more memory than allowed (PDFium stopped)"  # a failed allocation aborts PDFium
                else:
                    cause = f"stopped the reader (exit {code})"
                raise ReportReadError(str(path), f"reading the PDF {cause}; {limits}") from None
            if kind == "ok":
                return value
            if kind == "error":
                raise ReportReadError(str(path), value)
            self._stop()
            what = "needed more memory than allowed" if kind == "memory" else "took too long"
            raise ReportReadError(str(path), f"reading the PDF {what}; {limits}")


_READER = PdfReader()


def read_pdf_pages(path: Path) -> list[str]:
    """The raw text of each page of the PDF at ``path``, read in the limited child process."""
    return _READER.read(path)


if __name__ == "__main__":  # the child: python -m evsearch.parser.pdf_child READ_FD WRITE_FD MEMORY_BYTES
    _child_main(
        Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False), int(sys.argv[3])
    )
