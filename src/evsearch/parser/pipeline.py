"""From files on disk to ParsedReport records: ids, discovery, and the parse steps in order.

One place composes the steps (read -> metadata -> judgements -> paragraphs ->
linking -> duplicate groups) so the CLI, the index builder and the HTTP upload all parse a report
the same way. A bad file never stops a batch: ``parse_paths`` yields a
ReportReadError for it and carries on with the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from evsearch.errors import EvsearchError, ReportReadError
from evsearch.vocab.slugs import slugify
from evsearch.vocab.families import assign_families
from evsearch.parser.judgements import extract_judgements
from evsearch.parser.linking import link_judgements
from evsearch.parser.placement import group_duplicates
from evsearch.parser.metadata import extract_report, refine_framework
from evsearch.parser.reader import SUPPORTED_SUFFIXES, read_document
from evsearch.records import ParsedReport


def report_id_for(path: str | Path, root: str | Path) -> str:
    """A stable id: the slug of ``path`` relative to ``root`` (the folder named on the
    command line), folders joined by "--"; the file's stem when the file itself was named.

    Ids depend only on the relative path, so re-running over the same folder (on
    any machine) gives the same ids, and two reports in different folders with the
    same file name (a common case: one name per publication date) stay distinct.
    """
    path, root = Path(path), Path(root)
    try:
        relative = path.relative_to(root) if root != path else Path(path.name)
    except ValueError:
        relative = Path(path.name)
    parts = [slugify(part) for part in relative.with_suffix("").parts]
    slug = "--".join(part for part in parts if part)
    return slug or slugify(path.stem) or "report"


def iter_report_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Report files under the given paths: folders walked recursively in sorted order
    (.pdf, .txt, .md; hidden entries skipped); a named file is yielded as given."""
    for raw in paths:
        given = Path(raw)
        if given.is_dir():
            found = [
                file
                for file in given.rglob("*")
                if file.is_file()
                and file.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in file.relative_to(given).parts)
            ]
            yield from sorted(found, key=lambda file: file.relative_to(given).as_posix())
        elif given.exists():
            yield given


def parse_file(path: str | Path, report_id: str) -> ParsedReport:
    """Parse one report file; raises ReportReadError when it cannot be read as a report."""
    from evsearch.parser.paragraphs import split_paragraphs

    path = Path(path)
    document = read_document(path)
    pages = document.pages
    if not any(page.strip() for page in pages):
        raise ReportReadError(str(path), "no text found (empty, or a scanned image without a text layer)")
    report = extract_report(pages, report_id, str(path))
    judgements = extract_judgements(pages, report_id, report.framework)
    report.framework = refine_framework(report.framework, judgements, report.inspection_start)
    assign_families(judgements)
    paragraphs = split_paragraphs(document, report_id)
    if not paragraphs:  # indexed, it would be a report nobody can find: refuse it, saying why
        raise ReportReadError(
            str(path), "no paragraphs found (every line was stripped as a page header or footer, or is not body text)"
        )
    if not judgements and report.framework == "unknown" and not any(p.number is not None for p in paragraphs):
        raise ReportReadError(
            str(path), "not an inspection report (no judgement table and no numbered paragraphs found)"
        )
    link_judgements(judgements, paragraphs)
    group_duplicates(paragraphs)
    return ParsedReport(report=report, judgements=judgements, paragraphs=paragraphs)


def _parse_job(job: tuple[str, str]) -> ParsedReport | tuple[str, str]:
    """Parse one file; a failure comes back as (path, reason), which pickles across processes."""
    path, report_id = job
    try:
        return parse_file(path, report_id)
    except ReportReadError as exc:
        return (exc.path, exc.reason)
    except EvsearchError as exc:
        return (path, exc.message)
    except Exception as exc:  # a parser bug on one file must not stop the batch
        return (path, f"could not be parsed ({type(exc).__name__}: {exc})")


def _result(outcome: ParsedReport | tuple[str, str]) -> ParsedReport | ReportReadError:
    return ReportReadError(*outcome) if isinstance(outcome, tuple) else outcome


def report_jobs(paths: Iterable[str | Path]) -> Iterator[tuple[str, str] | ReportReadError]:
    """(file, report id) per report file, or a ReportReadError for a path that does not exist."""
    seen: set[Path] = set()
    for raw in paths:
        given = Path(raw)
        if not given.exists():
            yield ReportReadError(str(given), "no such file or directory")
            continue
        root = given if given.is_dir() else given.parent
        for file in iter_report_files([given]):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield str(file), report_id_for(file, root)


def parse_paths(paths: Iterable[str | Path], *, workers: int = 1) -> Iterator[ParsedReport | ReportReadError]:
    """Parse every report under ``paths`` in order, yielding a ReportReadError for each bad file.

    With ``workers`` > 1 files are parsed in that many processes (PDF text
    extraction is CPU-bound); results still come back in file order.
    """
    jobs = list(report_jobs(paths))
    if workers <= 1 or len(jobs) < 2:
        for job in jobs:
            yield job if isinstance(job, ReportReadError) else _result(_parse_job(job))
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        todo = [job for job in jobs if not isinstance(job, ReportReadError)]
        results = pool.map(_parse_job, todo, chunksize=4)
        for job in jobs:
            yield job if isinstance(job, ReportReadError) else _result(next(results))
