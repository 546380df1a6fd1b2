"""Segments: immutable folders of search structures that generations share by reference.

WHY (Lucene's and Milvus's segments): every upload used to rebuild the whole
generation's vectors, BM25 matrix, PQ codes and lexicon (4-5 s for 3
paragraphs into a 12k-paragraph index). Now a write puts only its new rows
into a new ``seg-NNNNNN/`` folder, and the new generation's manifest lists
the old segments plus the new one; rows a write deletes or replaces are
tombstones (``deleted.npy`` in the generation: paragraph ids, which are
never reused). A published segment is never modified. Segments no
generation on disk names are deleted by the next writer or merge (a segment
being built holds an exclusive flock on its ``building.lock``, so a
concurrent clean-up leaves it alone; a crash releases it).

A segment holds, for its rows: ``ids.npy`` (sorted paragraph ids),
``vectors.faiss`` (flat), ``bm25.npz`` (term frequencies; weighed on open
with statistics over all live segments, segment_readers.py),
``vectors.pq2.faiss`` (PQ shortlist codes, large segments only) and
``lexicon.json`` (counts that combine across segments, lexicon.py).
Records and FTS5 stay in the generation's ``index.sqlite`` (docs/index-format.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexCorruptError
from evsearch.models.files import fsync_path
from evsearch.store import lexicon, manifest as manifest_mod
from evsearch.store.generations import unused

BUILDING = "building.lock"
DELETED_FILE = "deleted.npy"
_SEG_RE = re.compile(r"^seg-(\d{6,})$")


def seg_name(number: int) -> str:
    return f"seg-{number:06d}"


def is_segment(name: str) -> bool:
    return _SEG_RE.match(name) is not None


@dataclass
class NewSegment:
    """A segment folder being written; ``lock_fd`` keeps clean-ups away until it is published."""

    path: Path
    lock_fd: int

    @classmethod
    def create(cls, index_dir: Path) -> "NewSegment":
        numbers = [int(m.group(1)) for p in index_dir.iterdir() if (m := _SEG_RE.match(p.name))]
        path = index_dir / seg_name(max(numbers, default=0) + 1)
        path.mkdir()
        fd = os.open(str(path / BUILDING), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return cls(path, fd)

    def write(self, ids: np.ndarray, vectors: Any, texts: list[str], lexicon_texts: list[str], *,
              search_files: bool = True) -> dict[str, Any]:  # fmt: skip
        """Write the segment of rows ``ids`` (sorted) with their vectors (a FlatVectors) and texts;
        returns its manifest entry. ``search_files`` False: no BM25 matrix and no PQ codes (an engine
        that searches the rows in its own store, Milvus, never reads them)."""
        from evsearch.store import quantized
        from evsearch.store.bm25_matrix import Bm25Matrix

        files = {"ids": "ids.npy", "vectors": "vectors.faiss", "lexicon": "lexicon.json"}
        np.save(self.path / files["ids"], np.asarray(ids, dtype=np.int64))
        vectors.save(self.path / files["vectors"])
        if search_files:
            files["bm25"] = "bm25.npz"
            Bm25Matrix.from_texts(np.asarray(ids, dtype=np.int64), texts).save(self.path / files["bm25"])
        counts = lexicon.counts(lexicon_texts)
        (self.path / files["lexicon"]).write_text(json.dumps(counts, sort_keys=True), encoding="utf-8")
        if search_files and quantized.wants_pq(vectors):
            files["pq"] = f"vectors.pq{quantized.PQ_DIMS}.faiss"
            quantized.write_pq(vectors, self.path / files["pq"])
        for name in files.values():
            fsync_path(self.path / name)
        fsync_path(self.path)
        return {"name": self.path.name, "rows": int(len(ids)), "files": files}

    def release(self) -> None:
        """After publishing (or giving up): the folder is an ordinary segment from now on."""
        (self.path / BUILDING).unlink(missing_ok=True)
        os.close(self.lock_fd)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self.lock_fd)


def segment_ids(index_dir: Path, entry: dict[str, Any]) -> np.ndarray:
    return np.load(index_dir / entry["name"] / entry["files"]["ids"])


def read_deleted(gen_dir: Path, manifest: dict[str, Any]) -> np.ndarray:
    """Sorted ids of rows of this generation's segments that are dead (deleted or replaced)."""
    name = manifest.get("deleted")
    return np.load(gen_dir / name) if name else np.zeros(0, dtype=np.int64)


def write_deleted(gen_dir: Path, ids: np.ndarray) -> str | None:
    if len(ids) == 0:
        return None
    np.save(gen_dir / DELETED_FILE, np.unique(np.asarray(ids, dtype=np.int64)))
    fsync_path(gen_dir / DELETED_FILE)
    return DELETED_FILE


def live_ids(index_dir: Path, manifest: dict[str, Any], deleted: np.ndarray) -> np.ndarray:
    """Sorted ids of every live row of a segmented generation."""
    parts = [segment_ids(index_dir, e) for e in manifest.get("segments", [])]
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return np.setdiff1d(ids, deleted)


def collect(index_dir: Path) -> list[str]:
    """Delete segment folders no generation on disk names, except ones being built (call after
    the generations are collected, with the writer lock held)."""
    named: set[str] = set()
    for gen in index_dir.iterdir():
        if gen.is_dir() and gen.name.startswith("gen-"):
            try:
                named.update(e["name"] for e in manifest_mod.read(gen).get("segments", []))
            except IndexCorruptError:  # a folder of a crashed build: no manifest, names nothing
                continue
    removed = []
    for seg in sorted(index_dir.iterdir()):
        if not seg.is_dir() or not is_segment(seg.name) or seg.name in named:
            continue
        with unused(seg / BUILDING) as free:
            if not free:
                continue  # being built right now (a merge): not ours to delete
            shutil.rmtree(seg, ignore_errors=True)
            removed.append(seg.name)
    return removed
