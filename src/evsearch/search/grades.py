"""Grades across reports: one row per judgement, summaries per year, and authority timelines.

The faces (``evsearch grades``, ``GET /grades``, ``/grades/summary``,
``/authorities``, the authority and national pages, the MCP tools) all call
these functions over an open ``Index``, so the table a journalist exports, the
chart a council reads and the numbers an assistant quotes are the same rows.
They read through the store's own ``reports()`` and ``judgements()`` and join
in Python: an index holds hundreds of reports, so the join costs milliseconds
and the store needs no view of its own.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol

from evsearch.errors import InputError, NotFoundError
from evsearch.vocab.families import family_label, family_names, parse_family
from evsearch.vocab.grades import GRADE_NUMBERS, label_for
from evsearch.vocab.slugs import close_names, slugify

GRADE_COLUMNS: tuple[str, ...] = (
    "report_id",
    "local_authority",
    "framework",
    "inspection_end",
    "published",
    "year",
    "family",
    "part",
    "title",
    "grade",
    "grade_label",
)
FORMATS = ("table", "csv", "json")


class Records(Protocol):
    """What these views read: the store's ``Index`` (or anything with its two read methods)."""

    def reports(self) -> list[dict[str, Any]]: ...

    def judgements(self) -> list[dict[str, Any]]: ...


def report_year(report: dict[str, Any]) -> int | None:
    """The year a report belongs to on a timeline: when inspected, else when published."""
    return report.get("inspection_year") or report.get("published_year")


def _date_key(report: dict[str, Any]) -> str:
    return report.get("inspection_end") or report.get("inspection_start") or report.get("published") or ""


def grade_rows(
    index: Records,
    *,
    family: str | None = None,
    la: str | None = None,
    year: int | None = None,
    framework: str | None = None,
) -> list[dict[str, Any]]:
    """One row per judgement (``GRADE_COLUMNS``), in date order then printed order, filters ANDed.

    ``la`` matches the authority's name case-insensitively or its slug ("east-sussex");
    ``year`` matches the inspection year (the published year when no inspection date was read).
    """
    family = parse_family(family) if family else None
    reports = {r["report_id"]: r for r in index.reports()}
    wanted = {
        rid
        for rid, r in reports.items()
        if (la is None or _same_authority(r.get("local_authority"), la))
        and (year is None or report_year(r) == int(year))
        and (framework is None or r.get("framework") == framework)
    }
    rows = []
    for j in index.judgements():
        report = reports.get(j["report_id"])
        if j["report_id"] not in wanted or (family and j.get("family") != family):
            continue
        rows.append(
            {
                "report_id": j["report_id"],
                "local_authority": report.get("local_authority"),
                "framework": report.get("framework"),
                "inspection_end": report.get("inspection_end"),
                "published": report.get("published"),
                "year": report_year(report),
                "family": j.get("family"),
                "part": j.get("part"),
                "title": j["title"],
                "grade": j.get("grade"),
                "grade_label": j.get("grade_label"),
                "judgement_id": j.get("judgement_id"),
                "seq": j.get("seq"),
            }
        )
    rows.sort(key=lambda r: (_date_key(reports[r["report_id"]]), r["report_id"], r["seq"] or 0))
    return rows


def _same_authority(name: str | None, asked: str) -> bool:
    return bool(name) and (name.lower() == asked.strip().lower() or slugify(name) == slugify(asked))


def public_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows cut to the published columns, in their order (what JSON and CSV print)."""
    return [{column: row.get(column) for column in GRADE_COLUMNS} for row in rows]


# A cell a spreadsheet would run as a formula begins with one of these (OWASP, "CSV injection").
# The page's CSV download (static/app.js, FORMULA_STARTS) neutralises the same set; a test keeps them equal.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """``value`` as a CSV cell no spreadsheet runs: one starting like a formula gets a leading quote.

    WHY: authority names and titles come from report covers, i.e. from whoever
    wrote the file; ``=HYPERLINK(...)`` there must reach a spreadsheet as text.
    Every Python CSV writer goes through here (``rows_csv``: /grades?format=csv
    and `evsearch grades --format csv`).
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The rows as CSV with a header line (RFC 4180 quoting, \\r\\n line ends), every cell through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GRADE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({column: csv_cell(row.get(column)) for column in GRADE_COLUMNS} for row in rows)
    return out.getvalue()


def first_per_family(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(report_id, family) -> the first printed judgement of that family in that report.

    2009-2013 reports grade some families in both parts; a timeline wants one grade per report.
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if row.get("family"):
            out.setdefault((row["report_id"], row["family"]), row)
    return out


def grades_summary(
    index: Records, *, family: str | None = None, year: int | None = None, framework: str | None = None
) -> dict[str, Any]:
    """Counts of reports per year, family and grade (each report counted once per family).

    ``counts`` is tidy (one object per year/family/grade with ``count``), which is what
    the national chart draws and what a spreadsheet pivots.
    """
    rows = grade_rows(index, family=family, year=year, framework=framework)
    tally: Counter[tuple[int, str, int]] = Counter()
    for row in first_per_family(rows).values():
        if row["grade"] is not None and row["year"] is not None:
            tally[(row["year"], row["family"], row["grade"])] += 1
    order = {name: i for i, name in enumerate(family_names())}
    counts = [
        {
            "year": y,
            "family": f,
            "family_label": family_label(f),
            "grade": g,
            "grade_label": label_for(g),
            "count": n,
        }
        for (y, f, g), n in sorted(tally.items(), key=lambda item: (item[0][0], order.get(item[0][1], 99), item[0][2]))
    ]
    return {
        "filters": {"family": parse_family(family) if family else None, "year": year, "framework": framework},
        "grades": [{"grade": g, "label": label_for(g)} for g in GRADE_NUMBERS],
        "reports": len({row["report_id"] for row in rows}),
        "families": [{"family": f, "label": family_label(f)} for f in family_names() if any(c["family"] == f for c in counts)],
        "counts": counts,
    }


def authorities(index: Records) -> list[dict[str, Any]]:
    """Every authority with its number of reports and its latest grade per family."""
    rows = grade_rows(index)  # date order: later rows overwrite earlier ones
    by_la: dict[str, dict[str, Any]] = {}
    reports_of: dict[str, set[str]] = {}
    for report in index.reports():
        name = report.get("local_authority")
        if name:
            by_la.setdefault(name, {"local_authority": name, "slug": slugify(name), "reports": 0, "latest": {}})
            reports_of.setdefault(name, set()).add(report["report_id"])
    for row in first_per_family(rows).values():
        name = row["local_authority"]
        if name in by_la and row["grade"] is not None:
            by_la[name]["latest"][row["family"]] = _cell(row)
    for name, entry in by_la.items():
        entry["reports"] = len(reports_of[name])
        entry["url"] = f"/authorities/{entry['slug']}"
    return sorted(by_la.values(), key=lambda entry: entry["local_authority"].lower())


def authority(index: Records, la: str) -> dict[str, Any]:
    """One authority: its reports in date order, each with its grade per family and links.

    Raises NotFoundError (with the closest names as a hint) when no report names ``la``.
    """
    if not la or not la.strip():
        raise InputError("an authority name is required", hint="see /authorities for the names")
    reports = sorted(
        (r for r in index.reports() if _same_authority(r.get("local_authority"), la)),
        key=lambda r: (_date_key(r), r["report_id"]),
    )
    if not reports:
        names = sorted({r["local_authority"] for r in index.reports() if r.get("local_authority")})
        close = close_names(la, names)
        raise NotFoundError(
            f"no reports for local authority {la!r}",
            hint=("did you mean: " + ", ".join(close)) if close else "see /authorities for the names",
        )
    name = reports[0]["local_authority"]
    cells = first_per_family(grade_rows(index, la=name))
    entries = []
    for report in reports:
        grades = {fam: _cell(row) for (rid, fam), row in cells.items() if rid == report["report_id"]}
        entries.append(
            {
                "report_id": report["report_id"],
                "title": report.get("title"),
                "framework": report.get("framework"),
                "inspection_start": report.get("inspection_start"),
                "inspection_end": report.get("inspection_end"),
                "published": report.get("published"),
                "year": report_year(report),
                "url": f"/reports/{report['report_id']}",
                "grades": grades,
            }
        )
    present = {fam for entry in entries for fam in entry["grades"]}
    return {
        "local_authority": name,
        "slug": slugify(name),
        "families": [{"family": f, "label": family_label(f)} for f in family_names() if f in present],
        "reports": entries,
    }


def _cell(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "grade": row["grade"],
        "grade_label": row["grade_label"],
        "title": row["title"],
        "report_id": row["report_id"],
        "year": row["year"],
        "inspection_end": row["inspection_end"],
    }
