"""Cross-encoder reranking of the head of a ranking (used by the rank stage).

A cross-encoder reads query and paragraph together and is more accurate than
the bi-encoder + BM25 fusion, but costs a model call per pair, so it only
reorders the first ``depth`` candidates, and only when the ``cross_encoder``
setting names a model available offline (evsearch.models.reranker).
"""

from __future__ import annotations

from typing import Any


def rerank(model: Any, query: str, ranked: list[tuple[int, float]], index: Any, *, depth: int = 30) -> list[tuple[int, float]]:
    """Reorder the first ``depth`` by cross-encoder score; the tail keeps its order below them."""
    head, tail = ranked[:depth], ranked[depth:]
    if not head:
        return ranked
    records = {r["id"]: r for r in index.paragraphs([pid for pid, _ in head])}
    ids = [pid for pid, _ in head if pid in records]
    scores = [float(s) for s in model.predict([(query, records[pid]["text"]) for pid in ids])]
    reordered = sorted(zip(ids, scores), key=lambda x: -x[1])
    floor = min(scores) if scores else 0.0
    return reordered + [(pid, floor - 1.0 - i * 1e-6) for i, (pid, _) in enumerate(tail)]
