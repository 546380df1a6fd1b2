"""Ranking quality against graded relevance judgements (qrels).

nDCG@10 with the standard (2^rel - 1) gain and log2 discount, MRR@10 (first
hit with rel > 0) and Recall@10 (relevant paragraphs found in the top 10 over
all relevant ones). The qrels file is the one our query sets use: tab-separated
``qid, query, report, number, rel`` with a header row.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from evsearch.errors import InputError

Key = tuple[str, int]  # (report_id, paragraph number)


@dataclass
class QuerySet:
    queries: dict[str, str] = field(default_factory=dict)  # qid -> text, in file order
    qrels: dict[str, dict[Key, int]] = field(default_factory=dict)

    @property
    def reports(self) -> set[str]:
        return {report for rels in self.qrels.values() for report, _ in rels}


def load_qrels(path: str | Path) -> QuerySet:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such qrels file")
    out = QuerySet()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = {"qid", "query", "report", "number", "rel"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}",
                             hint="expected tab-separated qid, query, report, number, rel")
        for line, row in enumerate(reader, start=2):
            try:
                number, rel = int(row["number"]), int(row["rel"])
            except (TypeError, ValueError) as exc:
                raise InputError(f"{path}:{line}: number and rel must be integers") from exc
            qid = row["qid"].strip()
            out.queries.setdefault(qid, row["query"].strip())
            out.qrels.setdefault(qid, {})[(row["report"].strip(), number)] = rel
    if not out.queries:
        raise InputError(f"{path}: no queries")
    return out


def dcg(gains: Iterable[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: list[Key], rels: dict[Key, int], k: int = 10) -> float:
    ideal = dcg(sorted(rels.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg(rels.get(key, 0) for key in ranked[:k]) / ideal


def mrr_at(ranked: list[Key], rels: dict[Key, int], k: int = 10) -> float:
    for i, key in enumerate(ranked[:k]):
        if rels.get(key, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: list[Key], rels: dict[Key, int], k: int = 10) -> float:
    relevant = {key for key, r in rels.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def report_names(reports: Iterable[dict], wanted: set[str]) -> dict[str, str]:
    """report_id -> the name the qrels use for it: the id itself, or the report file's stem
    (an index of a folder tree prefixes ids with sub-folder names: 'seed--east-sussex-...')."""
    out = {}
    for r in reports:
        rid = r["report_id"]
        stem = Path(str(r.get("path") or "")).stem
        out[rid] = rid if rid in wanted or stem not in wanted else stem
    return out


def evaluate(query_set: QuerySet, run: Callable[[str, set[str]], list[Key]], k: int = 10) -> dict:
    """Per-query and mean metrics; ``run(text, judged_reports)`` returns the query's ranked keys."""
    per_query = []
    for qid, text in query_set.queries.items():
        rels = query_set.qrels[qid]
        ranked = run(text, {report for report, _ in rels})
        per_query.append({
            "qid": qid,
            "query": text,
            "ndcg@10": ndcg_at(ranked, rels, k),
            "mrr@10": mrr_at(ranked, rels, k),
            "recall@10": recall_at(ranked, rels, k),
        })
    n = len(per_query)
    overall = {m: sum(q[m] for q in per_query) / n for m in ("ndcg@10", "mrr@10", "recall@10")}
    return {"queries": per_query, "overall": overall, "k": k}
