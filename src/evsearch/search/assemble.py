"""Stage 6, assemble: the page of hits (group, cite, highlight).

* Group: records that state the same point share the indexer's duplicate
  group (a "What needs to improve" bullet and the numbered paragraph that
  develops it, or an exact repeat), and bullets sit inside their paragraph
  (``within``); the best-ranked record of a group is the hit and the others
  ride along in its ``related``, so a page shows distinct evidence.
* Cite: a numbered paragraph by its number; an unnumbered record (bullet,
  recommendation, summary) by what it is and its heading, and by the
  paragraph it sits inside only when it truly sits inside one.
* Highlight: the sentences that carry the query (highlight.py).

Pages are cut from one grouped ranking, so consecutive pages never overlap.
"""

from __future__ import annotations

from evsearch.search.results import Hit, citation
from evsearch.search.retrieve import Candidates
from evsearch.search.view import View


def assemble(candidates: Candidates, view: View, *, offset: int, k: int) -> list[Hit]:
    plan, ranked = candidates.plan, candidates.ranked
    window = [pid for pid, _ in ranked[: 2 * (offset + k) + 20]]  # room for grouped records
    records = candidates.records
    records.update((r["id"], r) for r in view.index.paragraphs([pid for pid in window if pid not in records]))
    records = {pid: records[pid] for pid in window if pid in records}
    groups = _group(ranked[: len(window)], records, limit=offset + k)
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
        if len(out) >= limit:
            break
        record = records.get(pid)
        if record is None:  # an id the store no longer holds
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
    group = record["duplicate_group"]  # None: states a point no other record states
    keys: list[tuple] = [("dup", record["report_id"], record["seq"] if group is None else group)]
    number = record["number"] if record["number"] is not None else record["within"]
    if number is not None:
        keys.append(("num", record["report_id"], record.get("part"), number))
    return keys
