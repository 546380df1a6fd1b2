"""Discovery, report ids and batch parsing with bad files (real files on disk, no mocks)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from evsearch.errors import ReportReadError
from evsearch.parser.pipeline import iter_report_files, parse_file, parse_paths, report_id_for
from evsearch.vocab.slugs import slugify
from evsearch.records import ParsedReport

# A tiny report in our own words (tests/fixtures), laid out like the numbered-paragraph reports.
OWN_REPORT = (Path(__file__).resolve().parents[1] / "fixtures" / "small-numbered-report.txt").read_text(encoding="utf-8")


def test_slugify() -> None:
    assert slugify("Children's services inspection,  pdf - 16 August 2013") == (
        "childrens-services-inspection-pdf-16-august-2013"
    )
    assert slugify("Bournemouth, Christchurch & Poole") == "bournemouth-christchurch-poole"
    assert slugify("Caf\u00e9 \u2013 r\u00e9sum\u00e9") == "cafe-resume"


def test_report_id_relative_to_named_folder(tmp_path: Path) -> None:
    file = tmp_path / "80418_norfolk" / "children's services inspection - 19 january 2018.pdf"
    assert report_id_for(file, tmp_path) == "80418-norfolk--childrens-services-inspection-19-january-2018"
    # A file in an Ofsted <URN>_<name> folder keeps the folder however it is named: every authority's
    # files share names ("children's services inspection - <date>"), so the stem alone would collide.
    assert report_id_for(file, file) == "80418-norfolk--childrens-services-inspection-19-january-2018"
    assert report_id_for(file, file.parent) == "80418-norfolk--childrens-services-inspection-19-january-2018"
    # Any other file named on its own gets its stem, wherever it lives.
    other = tmp_path / "downloads" / "Norfolk report.pdf"
    assert report_id_for(other, other) == report_id_for(other, other.parent) == "norfolk-report"


def test_parse_gives_colliding_slugs_the_ids_the_index_gives(tmp_path: Path) -> None:
    from evsearch.indexer.identity import distinct_ids

    text = (Path(__file__).resolve().parents[1] / "fixtures" / "small-numbered-report.txt").read_text("utf-8")
    for name in ("Report A.txt", "report-a.txt"):
        (tmp_path / name).write_text(text, "utf-8")
    parsed = [r.report.report_id for r in parse_paths([tmp_path])]
    files = sorted(tmp_path.iterdir())
    expected = [rid for _, rid in distinct_ids([(f, "report-a") for f in files], {})[0]]
    assert parsed == expected and parsed[0] == "report-a" and parsed[1].startswith("report-a-")


def test_iter_report_files_sorted_recursive_and_filtered(tmp_path: Path) -> None:
    for name in ("b/2.pdf", "a/z.txt", "a/y.md", "a/x.csv", "c.PDF", ".hidden/h.txt", "a/.h.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_report_files([tmp_path])]
    assert found == ["a/y.md", "a/z.txt", "b/2.pdf", "c.PDF"]


def test_parse_own_text_report(tmp_path: Path) -> None:
    path = tmp_path / "example.txt"
    path.write_text(OWN_REPORT)
    parsed = parse_file(path, "example")
    assert parsed.report.inspection_start == "2025-03-03"
    assert parsed.report.lead_inspector == "Pat Example"
    assert [p.number for p in parsed.paragraphs if p.number] == [1, 2]
    assert all(p.report_id == "example" for p in parsed.paragraphs)


def encrypted_pdf() -> bytes:
    """A one-page PDF locked with the standard security handler (its password is unknown)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /Length 40 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1, b"ab" * 16, b"ab" * 16
    )
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def _bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a-empty.txt").write_bytes(b"")
    (folder / "b-corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not really a pdf")
    (folder / "c-notes.md").write_text("Shopping: bread, apples and tea.\n")
    (folder / "d-report.txt").write_text(OWN_REPORT)
    (folder / "e-locked.pdf").write_bytes(encrypted_pdf())
    return folder


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_files_are_reported_and_others_still_parse(tmp_path: Path, workers: int) -> None:
    folder = _bad_folder(tmp_path)
    results = list(parse_paths([folder, tmp_path / "missing.pdf"], workers=workers))
    assert len(results) == 6
    errors = [r for r in results if isinstance(r, ReportReadError)]
    good = [r for r in results if isinstance(r, ParsedReport)]
    names = [Path(e.path).name for e in errors]
    assert names == ["a-empty.txt", "b-corrupt.pdf", "c-notes.md", "e-locked.pdf", "missing.pdf"]
    reasons = [e.reason for e in errors]
    assert "empty" in reasons[0]
    assert "PDF" in reasons[1]
    assert "not an inspection report" in reasons[2]
    assert "encrypted" in reasons[3]
    assert "no such file" in reasons[4]
    assert [g.report.report_id for g in good] == ["d-report"]


@pytest.mark.corpus
def test_real_pdf_copied_under_odd_name(tmp_path: Path, ilacs_dir: Path) -> None:
    source = next(ilacs_dir.glob("80464_dudley/*10 december 2018.pdf"))
    copy = tmp_path / "Dudley's report (copy) \u2013 2018.pdf"
    shutil.copy(source, copy)
    (parsed,) = list(parse_paths([copy]))
    assert parsed.report.report_id == "dudleys-report-copy-2018"
    assert parsed.report.framework == "ilacs"
    assert parsed.report.local_authority == "Dudley"
    assert len(parsed.judgements) == 4
    assert parsed.paragraphs


@pytest.mark.corpus
def test_report_ids_stable_and_unique_over_corpus(ilacs_dir: Path) -> None:
    files = list(iter_report_files([ilacs_dir]))
    assert len(files) == 373
    ids = [report_id_for(f, ilacs_dir) for f in files]
    assert len(set(ids)) == len(ids)
    assert ids == [report_id_for(f, ilacs_dir) for f in iter_report_files([ilacs_dir])]
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    assert "80418-norfolk--childrens-services-inspection-pdf-16-august-2013" in ids
