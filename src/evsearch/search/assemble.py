"""Stage 6, assemble: the page of hits (group, cite, highlight).

* Group: records that state the same point (a "What needs to improve" bullet
  and the numbered paragraph that develops it, or the same paragraph twice)
  share a duplicate group; the best-ranked one is the hit and the others ride
  along in its ``related``, so a page shows distinct evidence.
* Cite: a numbered paragraph by its number; an unnumbered record (bullet,
  recommendation, summary) by what it is and its heading, and by the
  paragraph it sits inside only when it truly sits inside one.
* Highlight: the sentences that carry the query (highlight.py).

Pages are cut from one grouped ranking, so consecutive pages never overlap.
"""

from __future__ import annotations

import re
from typing import Any

from evsearch.search.highlight import terms
from evsearch.search.results import Hit, citation
from evsearch.search.retrieve import Candidates
from evsearch.search.view import View

_NORM = re.compile(r"[^a-z0-9]+")


def assemble(candidates: Candidates, view: View, *, offset: int, k: int) -> list[Hit]:
    plan, ranked = candidates.plan, candidates.ranked
    window = [pid for pid, _ in ranked[: 2 * (offset + k) + 20]]  # room for grouped records
    records = candidates.records
    records.update((r["id"], r) for r in view.index.paragraphs([pid for pid in window if pid not in records]))
    records = {pid: records[pid] for pid in window if pid in records}
    if not _placed(records):
        _fallback_placement(view.index, records)
        _fallback_groups(records)
    groups = _group(ranked, records, limit=offset + k)
    preferred = set() if plan.preferred is None else {int(p) for p in plan.preferred}
    hits = []
    for pid, score, related in groups[offset : offset + k]:
        matched = [*plan.matched, *plan.applied]
        if pid in preferred:
            matched += plan.relaxed
        level = plan.topic.match(records[pid].get("section")) if plan.topic else 0
        matched += ["section"] if level == 2 else ["theme"] if level == 1 else []
        hit = hit_of(records[pid], score, view, matched=list(dict.fromkeys(matched)))
        if plan.text:
            hit.highlights = view.highlighter.select(hit.text, plan.text, plan.expansion, ignore=view.common_stems)
        hit.related = [{"id": r["id"], "citation": hit_of(r, 0.0, view).citation} for r in related]
        hits.append(hit)
    return hits


def hit_of(record: dict, score: float, view: View, *, matched: list[str] | None = None) -> Hit:
    """The hit for one record, cited (highlights are the caller's: they need the query)."""
    meta = view.reports.get(record["report_id"], {})
    hit = Hit.from_record(
        record, score,
        local_authority=meta.get("local_authority"),
        year=meta.get("inspection_year") or meta.get("published_year"),
        matched=matched or [],
    )  # fmt: skip
    hit.citation = citation(hit)
    return hit


def _group(ranked: list[tuple[int, float]], records: dict[int, dict], *, limit: int) -> list[tuple[int, float, list[dict]]]:
    """(id, score, other members of its group) for the best-ranked record of each group."""
    leaders: dict[tuple, int] = {}
    out: list[tuple[int, float, list[dict]]] = []
    for pid, score in ranked:
        record = records.get(pid)
        if record is None:  # beyond the fetched window
            if len(out) >= limit:
                break
            continue
        keys = _group_keys(record)
        seen = next((leaders[key] for key in keys if key in leaders), None)
        if seen is not None:
            out[seen][2].append(record)
            continue
        for key in keys:
            leaders[key] = len(out)
        out.append((pid, score, []))
    return out


def _group_keys(record: dict) -> list[tuple]:
    """A record's groups: its duplicate group, and the printed paragraph it is or sits inside
    (a paragraph and its bullets are one citation, so one hit)."""
    group = record.get("duplicate_group")  # None: states a point no other record states
    keys: list[tuple] = [("dup", record["report_id"], record["seq"] if group is None else group)]
    number = record["number"] if record["number"] is not None else record.get("within")
    if number is not None:
        keys.append(("num", record["report_id"], record.get("part"), number))
    keys.append(("text", _NORM.sub(" ", record["text"].lower()).strip()[:300]))  # one text, one hit
    return keys


# ---------------------------------------------------------------------------------------------
# FALLBACK until the store holds the indexer's placement facts (Paragraph.within, the number of
# the paragraph an unnumbered record sits inside, and Paragraph.duplicate_group). An index built
# before them gets the same facts guessed here at query time; delete this block once every
# index carries the fields (the store's schema version that adds them refuses older indexes).

_LOOKBACK = 12  # bullets of one paragraph rarely exceed this


def _placed(records: dict[int, dict]) -> bool:
    """True when the records carry the stored placement facts."""
    return not records or "within" in next(iter(records.values()))


def _fallback_placement(index: Any, records: dict[int, dict]) -> None:
    """Give unnumbered records the number of the paragraph they sit inside.

    Reports print "20. ... should take the following action:" and then
    bullets: the bullets sit inside paragraph 20 when that paragraph directly
    precedes their run, in the same section. Ids follow reading order within
    a report. A bullet under a heading with no paragraph before it in its
    section sits inside none.
    """
    todo = [r for r in records.values() if r["number"] is None]
    if not todo:
        return
    wanted = sorted({i for r in todo for i in range(max(0, r["id"] - _LOOKBACK), r["id"])} - set(records))
    before = {r["id"]: r for r in index.paragraphs(wanted)}
    before.update(records)
    for record in todo:
        record["within"] = None
        for pid in range(record["id"] - 1, max(-1, record["id"] - _LOOKBACK - 1), -1):
            prev = before.get(pid)
            if prev is None or prev["report_id"] != record["report_id"] or prev.get("section") != record.get("section"):
                break
            if prev["number"] is not None:
                record["within"] = prev["number"]
                break
            if prev["kind"] != record["kind"]:
                break


_SAME_POINT = 0.6  # share of an unnumbered record's content words found in a numbered paragraph


def _fallback_groups(records: dict[int, dict]) -> None:
    """Group an unnumbered record ("What needs to improve" bullet) with a numbered paragraph of
    its report that holds most of its words (the paragraph that develops the point)."""
    numbered = [r for r in records.values() if r["number"] is not None]
    words = {pid: set(terms(r["text"])) for pid, r in records.items()}
    for record in records.values():
        record.setdefault("duplicate_group", None)
    for record in records.values():
        own = words[record["id"]]
        if record["number"] is not None or not own:
            continue
        for other in numbered:
            if other["report_id"] == record["report_id"] and len(own & words[other["id"]]) >= _SAME_POINT * len(own):
                group = other["duplicate_group"] if other["duplicate_group"] is not None else other["seq"]
                record["duplicate_group"] = other["duplicate_group"] = group
                break
