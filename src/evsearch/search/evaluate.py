"""Ranking quality against graded relevance judgements (qrels).

nDCG@10 with the standard (2^rel - 1) gain and log2 discount, MRR@10 (first
hit with rel > 0) and Recall@10 (relevant records found in the top 10 over
all relevant ones), plus judged@10 (the share of the top 10 that carries a
judgement: a low figure says the pool no longer covers what a ranker finds).

The qrels file is tab-separated with a header row. Required columns:
``qid, query, report, number, rel``; optional ``part`` and ``record``.
A judged record is identified so that the key survives parser changes:

- a numbered paragraph by (report, part, number); when the file has no
  ``part`` column (``../shared/queries/seed-dev.tsv``) the part is not compared;
- an unnumbered record (bullet, recommendation, summary) by ``record``, a
  short hash of its normalised text (``record_hash``), with ``number`` empty;
- a numbered row may carry ``record`` too: a hit whose number moved (a parser
  now numbers a part on its own) still matches by its unchanged text.

Queries without any relevant record are left out of the means and counted.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from evsearch.errors import InputError
from evsearch.search.results import Hit

REQUIRED = ("qid", "query", "report", "number", "rel")
METRICS = ("ndcg@10", "mrr@10", "recall@10", "judged@10")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# A judged record's identity: ("n", report, part, number) or ("h", report, record hash).
Key = tuple


@dataclass(frozen=True)
class Found:
    """One ranked record as evaluation sees it. ``number`` is the record's own number: a bullet
    that search cites by its enclosing paragraph has none."""

    report_id: str
    part: str | None
    number: int | None
    text: str

    @classmethod
    def of(cls, record: dict) -> "Found":
        """From a paragraph record of the store (evsearch.records field names)."""
        return cls(record["report_id"], record.get("part"), record.get("number"), record["text"])

    @classmethod
    def of_hit(cls, hit: Hit) -> "Found":
        """From a search hit; a bullet cited by its enclosing paragraph keeps no number of its own."""
        return cls(hit.report_id, hit.part, None if hit.number_inferred else hit.number, hit.text)


def record_hash(text: str) -> str:
    """12 hex digits of sha1 over the text lowercased with everything but letters and digits
    removed, so re-joined hyphenations, spacing and punctuation fixes keep the same hash."""
    return hashlib.sha1(_NOT_ALNUM.sub("", text.lower()).encode("utf-8")).hexdigest()[:12]


def normal_part(part: str | None) -> str:
    return " ".join((part or "").lower().split())


@dataclass
class QuerySet:
    queries: dict[str, str] = field(default_factory=dict)  # qid -> text, in file order
    qrels: dict[str, dict[Key, int]] = field(default_factory=dict)
    # per qid: record hash -> the key it was judged under (numbered rows that carry `record`)
    hashes: dict[str, dict[tuple[str, str], Key]] = field(default_factory=dict)
    with_parts: bool = True  # False when the file has no `part` column

    @property
    def reports(self) -> set[str]:
        return {key[1] for rels in self.qrels.values() for key in rels}

    def key_of(self, qid: str, report: str, found: Found) -> Key | None:
        """The judged key this hit matches for query ``qid`` (``report`` is the qrels' name for
        its report), or None when it was not judged."""
        rels = self.qrels[qid]
        if found.number is not None:
            part = normal_part(found.part) if self.with_parts else ""
            key = ("n", report, part, int(found.number))
            if key in rels:
                return key
        digest = record_hash(found.text)
        key = ("h", report, digest)
        if key in rels:
            return key
        return self.hashes.get(qid, {}).get((report, digest))


def load_qrels(path: str | Path) -> QuerySet:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such qrels file")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        columns = set(reader.fieldnames or ())
        missing = set(REQUIRED) - columns
        if missing:
            raise InputError(
                f"{path}: missing column(s) {', '.join(sorted(missing))}",
                hint="expected tab-separated qid, query, report, number, rel (optional part, record)",
            )
        out = QuerySet(with_parts="part" in columns)
        for line, row in enumerate(reader, start=2):
            _add_row(out, row, f"{path}:{line}")
    if not out.queries:
        raise InputError(f"{path}: no queries")
    return out


def _add_row(out: QuerySet, row: dict, where: str) -> None:
    qid, report = (row.get("qid") or "").strip(), (row.get("report") or "").strip()
    number, record = (row.get("number") or "").strip(), (row.get("record") or "").strip()
    if not qid or not report:
        raise InputError(f"{where}: qid and report must not be empty")
    try:
        rel = int(row["rel"])
        number_value = int(number) if number else None
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: number and rel must be integers (number may be empty with a record)") from exc
    if number_value is None and not record:
        raise InputError(f"{where}: a row needs a paragraph number or a record hash")
    out.queries.setdefault(qid, (row.get("query") or "").strip())
    rels = out.qrels.setdefault(qid, {})
    if number_value is not None:
        key: Key = ("n", report, normal_part(row.get("part")), number_value)
        if record:
            out.hashes.setdefault(qid, {})[(report, record)] = key
    else:
        key = ("h", report, record)
    rels[key] = max(rel, rels.get(key, 0))


def dcg(gains: Iterable[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: list, rels: dict, k: int = 10) -> float:
    ideal = dcg(sorted(rels.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg(rels.get(key, 0) for key in ranked[:k]) / ideal


def mrr_at(ranked: list, rels: dict, k: int = 10) -> float:
    for i, key in enumerate(ranked[:k]):
        if rels.get(key, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: list, rels: dict, k: int = 10) -> float:
    relevant = {key for key, r in rels.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def judged_at(ranked: list, rels: dict, k: int = 10) -> float:
    top = ranked[:k]
    return sum(1 for key in top if key in rels) / len(top) if top else 0.0


def report_names(reports: Iterable[dict], wanted: set[str]) -> dict[str, str]:
    """report_id -> the name the qrels use for it: the id itself, or the report file's stem
    (an index of a folder tree prefixes ids with sub-folder names: 'seed--east-sussex-...')."""
    out = {}
    for r in reports:
        rid = r["report_id"]
        stem = Path(str(r.get("path") or "")).stem
        out[rid] = rid if rid in wanted or stem not in wanted else stem
    return out


def ranked_keys(query_set: QuerySet, qid: str, hits: Iterable[Found], names: dict[str, str]) -> list:
    """Each hit's judged key (or a unique placeholder when unjudged); a record met twice counts once."""
    out: list = []
    seen: set = set()
    for i, hit in enumerate(hits):
        key = query_set.key_of(qid, names.get(hit.report_id, hit.report_id), hit)
        if key is None or key in seen:
            key = ("unjudged", i)
        seen.add(key)
        out.append(key)
    return out


def evaluate(
    query_set: QuerySet,
    run: Callable[[str, set[str]], list[Found]],
    names: dict[str, str] | None = None,
    k: int = 10,
) -> dict:
    """Per-query and mean metrics. ``run(text, judged_reports)`` returns the query's ranked hits;
    ``names`` maps index report ids to the qrels' report names (default: the ids themselves)."""
    per_query = []
    skipped = []
    for qid, text in query_set.queries.items():
        rels = query_set.qrels[qid]
        if not any(r > 0 for r in rels.values()):
            skipped.append(qid)
            continue
        ranked = ranked_keys(query_set, qid, run(text, {key[1] for key in rels}), names or {})
        per_query.append({
            "qid": qid,
            "query": text,
            "ndcg@10": ndcg_at(ranked, rels, k),
            "mrr@10": mrr_at(ranked, rels, k),
            "recall@10": recall_at(ranked, rels, k),
            "judged@10": judged_at(ranked, rels, k),
            "relevant": sum(1 for r in rels.values() if r > 0),
        })
    if not per_query:
        raise InputError("no query has a relevant judgement (rel > 0)")
    n = len(per_query)
    overall = {m: sum(q[m] for q in per_query) / n for m in METRICS}
    return {"queries": per_query, "overall": overall, "k": k, "evaluated": n, "without_relevant": skipped}
