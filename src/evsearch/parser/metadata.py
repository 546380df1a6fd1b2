"""Report metadata read from the cover page: who, when, by whom, under which framework.

Cover pages differ by framework (the slac cover names the service then the
council; sif names the council first; ILACS puts the authority in its title),
so each field is found by the labels printed beside it ("Inspection dates:",
"Lead inspector:", "Published:") rather than by position. A field that is not
printed stays None: ILACS reports, for example, print no publication date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from evsearch.vocab.authorities import Authority, by_urn, mentioned, resolve
from evsearch.vocab.sections import normalize_title
from evsearch.records import Judgement, Report

_MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9
# Longest first, so "march" is not read as "mar" + "ch".
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}}"
_DASH = r"\s*(?:–|—|-|to|and)\s*"
ILACS_2026_FROM = date(2026, 4, 1)


def _lines(text: str) -> list[str]:
    text = text.replace("\r", "").replace("\u2019", "'").replace("\ufffe", "")
    return [" ".join(line.split()).strip(" *#") for line in text.split("\n")]


def parse_date(text: str, *, default: tuple[int | None, int | None] = (None, None)) -> str | None:
    """An ISO date from '8 July 2013', '8th July 2013' or '8/07/2013'; a bare day or
    day-and-month borrows month/year from ``default`` (the range's end date)."""
    text = text.strip().lower()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        match = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+({_MONTH}))?(?:\s+(\d{{4}}))?", text)
        if not match:
            return None
        day = int(match.group(1))
        month = _MONTHS[match.group(2).rstrip(".")] if match.group(2) else default[0]
        year = int(match.group(3)) if match.group(3) else default[1]
    if month is None or year is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date_range(text: str) -> tuple[str | None, str | None]:
    """Start and end of '29 October 2018 to 9 November 2018', '8 – 12 July 2013', '11 to 22 May 2026'.

    The start is the first date printed (borrowing month and year from the next
    full date when it omits them); the end is the last full date, so a split
    inspection ('30 September to 11 October 2024 and 13 to 16 January 2025')
    spans both visits.
    """
    text = re.sub(r"\s+", " ", text).strip()
    full = list(re.finditer(rf"({_DATE})", text, re.I))
    if not full:
        return None, None
    end = parse_date(full[-1].group(1))
    lead = re.match(rf"\s*(\d{{1,2}}(?:st|nd|rd|th)?(?:\s+{_MONTH})?(?:\s+\d{{4}})?|\d{{1,2}}/\d{{1,2}}/\d{{4}})", text, re.I)
    if end is None or not lead:
        return end, end
    following = date.fromisoformat(parse_date(full[0].group(1)) or end)
    start = parse_date(lead.group(1), default=(following.month, following.year))
    if start and start > end:  # '29 December – 9 January 2015' crosses a year
        start = parse_date(lead.group(1), default=(following.month, following.year - 1)) or start
    return start, end


def _find(pattern: str, lines: Sequence[str]) -> re.Match | None:
    """The first line matching ``pattern`` (anchored with ^ per line)."""
    return re.search(pattern, "\n".join(lines), re.I | re.M)


def _inspection_dates(lines: list[str]) -> tuple[str | None, str | None]:
    for i, line in enumerate(lines):
        match = re.match(r"^inspection dates?:?\s*(.*)$", line, re.I)
        if match:
            value = match.group(1)
            if not re.search(rf"{_DATE}", value, re.I) and i + 1 < len(lines):
                value = f"{value} {lines[i + 1]}"
            return parse_date_range(value)
    return None, None


_LABELS = re.compile(r"published|inspector", re.I)


def _published(lines: list[str]) -> str | None:
    match = _find(rf"^(?:report )?published:?\s*({_DATE})", lines)
    return parse_date(match.group(1)) if match else None


def _lead_inspector(lines: list[str]) -> str | None:
    match = _find(r"^(?:lead|reporting) inspectors?:?\s+(.+)$", lines)
    if not match:
        return None
    name = re.split(r",|\s+HMI\b|\s+Her Majesty|\s+His Majesty", match.group(1))[0]
    return name.strip(" .") or None


_TITLE_START = re.compile(r"^(?:Re-)?inspection of\b", re.I)
_COVER_LABEL = re.compile(r"^(?:inspection dates?|lead inspector|reporting inspector|report published|published|age group)\b", re.I)
_COUNCIL_SUFFIX = re.compile(
    r"\s+(?:(?:metropolitan\s+)?(?:borough|district|city|county|unitary)\s+)*(?:council|authority)$", re.I
)


def _title_and_authority(lines: list[str]) -> tuple[str | None, str | None]:
    """The report title (joined over its wrapped lines) and the authority named around it."""
    body = [line for line in lines if line and not re.fullmatch(r"\d+", line)]
    start = next((i for i, line in enumerate(body[:15]) if _TITLE_START.match(line)), None)
    if start is None:
        return None, None
    parts = [body[start]]
    i = start + 1
    # A title runs on until it ends like a title ("... services", "... leavers", "... Board").
    while i < len(body) and not _COVER_LABEL.match(body[i]) and len(parts) < 6:
        joined = _strip_footnote(" ".join(parts))
        if re.search(r"(?:services|leavers|board)$", joined, re.I) and not re.match(r"and\b", body[i], re.I):
            break
        parts.append(body[i])
        i += 1
    title = _strip_footnote(" ".join(parts))
    before = " ".join(body[:start]).strip()
    after = body[i] if i < len(body) and not _COVER_LABEL.match(body[i]) else ""
    authority: str | None = None
    inline = re.match(r"^Inspection of (.+?)(?: local authority)? children's services$", title, re.I) or re.match(
        r"^Inspection of (.+ Trust)$", title, re.I
    )
    seed_style = re.match(r"^(Inspection of (?:safeguarding and )?looked after children services)\s+(.+)$", title, re.I)
    if inline and not re.match(r"(?:local authority|children's social care)$", inline.group(1), re.I):
        authority = inline.group(1)
    elif seed_style:
        title, authority = seed_style.group(1), seed_style.group(2)
    elif before:
        authority = before
    elif after:
        authority = after
    return title, _tidy_authority(authority)


def _strip_footnote(text: str) -> str:
    """Drop footnote markers glued to words ("Board1", "Leavers1")."""
    return re.sub(r"(?<=[a-z])\d\b", "", text, flags=re.I).strip()


def _tidy_authority(name: str | None) -> str | None:
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip(" ,.")
    name = re.sub(r"^(?:the\s+)?(?:(?:London|Royal|Metropolitan)\s+Borough\s+of|City\s+of(?!\s+London))\s+", "", name, flags=re.I)
    name = _COUNCIL_SUFFIX.sub("", name).strip()
    return name or None


def detect_framework(pages: Sequence[str]) -> str:
    """The inspection framework, from the cover layout (refined by `refine_framework`)."""
    first = re.sub(r"\s+", " ", "\n".join(pages[:2]))
    if re.search(r"\bJudgement\s+Grade\b", first):
        return "ilacs"
    if re.search(
        r"services for children in need of help and protection|The overall judgement is|"
        r"review of the (?:effectiveness of the )?Local Safeguarding Children'?s? Board",
        first.replace("\u2019", "'"),
        re.I,
    ):
        return "sif"
    full = "\n".join(pages)
    if re.search(r"Record of main findings", full, re.I) or re.search(
        r"Inspection of (?:safeguarding and )?looked after children", first, re.I
    ):
        return "slac"
    return "unknown"


# When the cover's layout names no framework, the judgement titles do; failing those, the inspection date.
_SIF_TITLES = re.compile(r"^(?:overall judgement|leadership, management and governance|adoption performance)$|achieving permanence")
_ILACS_TITLES = re.compile(r"impact of leaders|children in care")
SIF_FROM, ILACS_FROM = date(2013, 11, 1), date(2017, 11, 1)


def _framework_from(judgements: Sequence[Judgement], inspection_start: str | None) -> str:
    titles = [normalize_title(j.title) for j in judgements]
    if any(_SIF_TITLES.search(t) for t in titles):
        return "sif"
    if any(_ILACS_TITLES.search(t) for t in titles):
        return "ilacs"
    if not judgements or not inspection_start:
        return "unknown"  # nothing graded: maybe not an inspection report at all (the pipeline decides)
    started = date.fromisoformat(inspection_start)
    return "slac" if started < SIF_FROM else "sif" if started < ILACS_FROM else "ilacs"


def refine_framework(framework: str, judgements: Sequence[Judgement], inspection_start: str | None) -> str:
    """The framework once the judgements are read: a cover that named none is placed by its judgement
    titles (or date); ILACS from April 2026 prints no overall effectiveness judgement: 'ilacs-2026'."""
    if framework == "unknown":
        framework = _framework_from(judgements, inspection_start)
    if framework != "ilacs":
        return framework
    has_overall = any(j.title.strip().lower() == "overall effectiveness" for j in judgements)
    started = date.fromisoformat(inspection_start) if inspection_start else None
    if not has_overall and judgements and (started is None or started >= ILACS_2026_FROM):
        return "ilacs-2026"
    return framework


_FOLDER_URN = re.compile(r"^(\d{5,8})_(.+)$")


def file_name_date(path: str) -> str | None:
    """The date in Ofsted's file name ("children's services inspection - 12 august 2025.pdf"): the publication date."""
    found = list(re.finditer(rf"({_DATE})", Path(path).stem, re.I))
    return parse_date(found[-1].group(1)) if found else None


def register_entry(path: str, printed: str | None, on: str | None, cover: str = "") -> Authority | None:
    """The register entry of a report: from its folder's URN (Ofsted's ``<URN>_<name>`` folders) when the
    path carries one, else from the name the cover prints (through the aliases), else from the folder name,
    else from the one authority the cover names anywhere."""
    folder = _FOLDER_URN.match(Path(path).parent.name)
    if folder and (entry := by_urn(folder.group(1))) is not None:
        return entry
    return (
        resolve(printed, on=on)
        or resolve(folder.group(2) if folder else Path(path).parent.name, on=on)
        or (mentioned(cover, on=on) if printed is None else None)
    )


def extract_report(pages: Sequence[str], report_id: str, path: str) -> Report:
    """The Report record for a document's pages (framework not yet refined by judgements)."""
    cover = _lines("\n".join(pages[:1]))
    title, authority = _title_and_authority(cover)
    start, end = _inspection_dates(cover)
    published, lead = _published(cover), _lead_inspector(cover)
    sources = {"inspection_start": "cover", "inspection_end": "cover", "published": "cover"}
    if start is None:  # look further only when the cover lacks it
        start, end = _inspection_dates(_lines("\n".join(pages)))
        sources["inspection_start"] = sources["inspection_end"] = "text"
    if published is None or lead is None:
        rest = [line for line in "\n".join(pages).replace("\u2019", "'").split("\n") if _LABELS.search(line)]
        rest = [" ".join(line.split()).strip(" *#") for line in rest]
        if published is None:
            published, sources["published"] = _published(rest), "text"
        lead = lead or _lead_inspector(rest)
    if published is None:
        published, sources["published"] = file_name_date(path), "file name"
    entry = register_entry(path, authority, end or start or published, "\n".join(cover))
    dates = {"inspection_start": start, "inspection_end": end, "published": published}
    return Report(
        report_id=report_id,
        path=path,
        title=title,
        local_authority=entry.name if entry else authority,
        inspection_start=start,
        inspection_end=end,
        published=published,
        lead_inspector=lead,
        framework=detect_framework(pages),
        authority_urn=entry.urn if entry else None,
        authority_la_code=entry.la_code if entry else None,
        authority_resolved=entry is not None,
        authority_printed=authority,
        date_sources={field: sources[field] for field, value in dates.items() if value},
    )
