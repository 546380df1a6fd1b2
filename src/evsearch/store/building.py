"""Building a generation's contents: the checks and the segment that a write or a merge produces.

WHY apart from ``IndexWriter`` (writer.py: the lock, the base, row changes) and from
publishing (publishing.py: the pointer swap): a write and a merge build the same
things (a segment of some rows, with their texts read back from the generation's
SQLite file) and a write must refuse to publish contents that disagree; nothing
here is visible to readers until publishing names it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexCorruptError
from evsearch.store import factory, generations, lexicon, segments
from evsearch.store.base import VectorIndex
from evsearch.store.database import Database


def check_counts(db: Database, gen_dir: Path, vectors: int, *, ids: np.ndarray | None = None,
                 new: np.ndarray | None = None, dead: np.ndarray | None = None) -> dict[str, int]:  # fmt: skip
    """Refuse to publish unless paragraph rows, FTS rows and live vectors agree: in count, and in
    ids (all of them for a whole store, ``ids``; for a segmented write its ``new`` rows present and
    its ``dead`` rows gone, the shared segments having passed this check when published)."""
    counts = {
        "reports": int(db.scalar("count_reports")),
        "paragraphs": int(db.scalar("count_paragraphs")),
        "judgements": int(db.scalar("count_judgements")),
        "fts_rows": int(db.scalar("count_fts_docs")),
        "vectors": int(vectors),
    }
    if not counts["paragraphs"] == counts["fts_rows"] == counts["vectors"]:
        raise IndexCorruptError(
            f"refusing to publish {gen_dir}: {counts['paragraphs']} paragraphs, "
            f"{counts['fts_rows']} FTS rows, {counts['vectors']} vectors"
        )
    if ids is not None:
        stored = np.asarray([r[0] for r in db.rows("all_paragraph_ids")], dtype=np.int64)
        agree = np.array_equal(stored, ids)
    else:
        assert new is not None and dead is not None
        present = int(db.scalar("count_paragraphs_in", (json.dumps(new.tolist()),)))
        left = int(db.scalar("count_paragraphs_in", (json.dumps(dead.tolist()),))) if len(dead) else 0
        agree = present == len(new) and left == 0
    if not agree:
        raise IndexCorruptError(f"refusing to publish {gen_dir}: vector ids differ from paragraph ids")
    return counts


def write_segment(
    index_dir: Path, sqlite: Path, store: VectorIndex, crash_at: str, backend: Any = None,
    options: dict[str, Any] | None = None,
) -> tuple[segments.NewSegment | None, dict[str, Any] | None]:
    """The rows of ``store`` as a new segment folder, their texts read from ``sqlite``; (None, None)
    for an empty store. ``backend`` (a VectorIndex class) then adds them to its own store
    (``add_segment``: a Milvus collection). The caller publishes, then releases the segment (or
    discards it)."""
    ids = np.sort(store.ids())
    if len(ids) == 0:
        return None, None
    db = Database(sqlite)
    try:
        rows = db.rows("paragraph_texts_by_ids", (json.dumps(ids.tolist()),))
    finally:
        db.close()
    new_segment = segments.NewSegment.create(index_dir)
    try:
        entry = new_segment.write(ids, store, [r[1] for r in rows], [r[1] for r in rows if r[2] in lexicon.KINDS],
                                  search_files=backend is None or not backend.searches_own_rows)  # fmt: skip
        if backend is not None:
            backend.add_segment(index_dir, sqlite, entry, store, dict(options or {}))
        generations.crash_point(crash_at)
    except BaseException:
        new_segment.discard()
        raise
    return new_segment, entry


def gather_vectors(index_dir: Path, entries: list[dict[str, Any]], deleted: np.ndarray, dimension: int,
                   extra: VectorIndex | None = None) -> VectorIndex:  # fmt: skip
    """Every live vector of these segments (and of ``extra``) in one flat store."""
    merged = factory.create_vectors("flat", dimension)
    for entry in entries:
        part = factory.load_vectors("flat", index_dir / entry["name"] / entry["files"]["vectors"], dimension)
        keep = np.setdiff1d(part.ids(), deleted)
        if len(keep):
            merged.add(keep, part.vectors(keep))
    if extra is not None and len(extra):
        merged.add(extra.ids(), extra.vectors(extra.ids()))
    return merged
