"""Derived structures, built into a generation folder before it is published.

WHY: a published generation must be complete. Search structures derived from
the SQLite file and the vectors (BM25 matrix, PQ codes, the corpus lexicon)
used to be built on first open and cached outside the index, so the first
search after every index run paid seconds and a user cache grew with every
generation. The writer now runs every builder the backend preset names
(factory.PRESETS) between writing the sources of truth and swapping CURRENT;
the manifest's ``derived`` maps each name to its file, and readers open them
through ``Generation.derived(name)``.

A builder is ``fn(source) -> file name | None`` (None: not worth building for
this generation, e.g. PQ codes of a tiny store). ``register`` adds one, so an
index-time artefact (extra vectors, a stemmed text field) is a builder here
plus a reader, not a change to the writer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from evsearch.models.files import fsync_path as _fsync
from evsearch.store import lexicon


@dataclass
class Source:
    """What a builder reads: the finished SQLite file and vectors of the generation being built."""

    gen_dir: Path
    db: Any  # a read-only Database on the generation's SQLite file
    vectors: Any  # the VectorIndex being published


Builder = Callable[[Source], "str | None"]
BUILDERS: dict[str, Builder] = {}


def register(name: str, builder: Builder) -> None:
    BUILDERS[name] = builder


def build(names: tuple[str, ...], source: Source) -> dict[str, str]:
    """Run the named builders; returns name -> file name for the manifest."""
    out = {}
    for name in names:
        file_name = BUILDERS[name](source)
        if file_name is not None:
            out[name] = file_name
    return out


def _bm25(source: Source) -> str:
    from evsearch.store.bm25_matrix import Bm25Matrix

    path = source.gen_dir / "bm25.npz"
    Bm25Matrix.build(source.db).save(path)
    _fsync(path)
    return path.name


def _pq(source: Source) -> str | None:
    from evsearch.store import quantized

    if not quantized.wants_pq(source.vectors):
        return None
    path = source.gen_dir / f"vectors.pq{quantized.PQ_DIMS}.faiss"
    quantized.write_pq(source.vectors, path)
    _fsync(path)
    return path.name


def _lexicon(source: Source) -> str:
    from evsearch.store.sqlite_records import SqliteRecords

    path = source.gen_dir / "lexicon.json"
    learned = lexicon.learn(SqliteRecords(source.db).texts(lexicon.KINDS))
    path.write_text(json.dumps(learned, indent=0, sort_keys=True), encoding="utf-8")
    _fsync(path)
    return path.name


register("bm25", _bm25)
register("pq", _pq)
register("lexicon", _lexicon)
