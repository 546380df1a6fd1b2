"""Backends by name: which module implements each concern, and the presets users pick.

WHY a registry (txtai's ``ann/factory.py``): the manifest names the backend of
each concern, and a reader opens exactly what the writer built; a new engine
is a module plus an entry here. Modules load lazily, so FAISS or pymilvus is
imported only by the indexes that use it.

A *preset* is what ``evsearch index --backend NAME`` chooses: the keyword and
vector backends a new generation is built with, and the derived files built
into the generation folder before it is published (derived.py).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsearch.errors import InputError

# concern -> kind -> "module:Class"
VECTOR_BACKENDS: dict[str, str] = {
    "flat": "evsearch.store.quantized:FastFlatVectors",
    "hnsw": "evsearch.store.faiss_vectors:HnswVectors",
    "ivf": "evsearch.store.faiss_ivf:IvfVectors",
    "milvus": "evsearch.store.milvus_backend:MilvusVectors",
    "segments": "evsearch.store.segment_readers:SegmentedVectors",  # reads a segmented generation's flat stores
}
KEYWORD_BACKENDS: dict[str, str] = {
    "fts5": "evsearch.store.fts:Fts5Keyword",
    "bm25-matrix": "evsearch.store.bm25_matrix:MatrixKeyword",
    "milvus": "evsearch.store.milvus_backend:MilvusKeyword",
    "bm25-segments": "evsearch.store.segment_readers:SegmentedKeyword",
}
RECORD_BACKENDS: dict[str, str] = {
    "sqlite": "evsearch.store.sqlite_records:SqliteRecords",
    "columns": "evsearch.store.sqlite_records:ColumnRecords",
    "columns-segments": "evsearch.store.segment_readers:SegmentedColumnRecords",
}

# What a reader uses when the 'memory_indexes' setting is off: the SQLite/FAISS sources of truth.
PLAIN_READERS = {"keyword": "fts5", "records": "sqlite"}

# 'auto' vector kinds by corpus size: exact below 200k, then IVF (benchmarks/scale.py, docs/scaling.md)
AUTO_ANN_THRESHOLD = 200_000
FAISS_ANN = ("flat", "hnsw", "ivf")


@dataclass(frozen=True)
class Preset:
    name: str
    keyword: str
    records: str
    ann_choices: tuple[str, ...]
    derived: tuple[str, ...] = field(default=())
    needs: str = "faiss-cpu"
    # vector kinds whose writes add a segment (segments.py) instead of rebuilding, and the readers
    # of such a generation (the manifest's ``readers``)
    segmented: tuple[str, ...] = field(default=())
    segment_readers: tuple[tuple[str, str], ...] = field(default=())


PRESETS: dict[str, Preset] = {
    "faiss": Preset("faiss", "bm25-matrix", "columns", FAISS_ANN, ("bm25", "pq", "lexicon"), segmented=("flat",),
                    segment_readers=(("keyword", "bm25-segments"), ("records", "columns-segments"),
                                     ("vectors", "segments"))),
    # Milvus: a segment's rows live in the index's one collection too (milvus_backend.py)
    "milvus": Preset("milvus", "milvus", "columns", ("milvus",), ("lexicon",), needs="pymilvus milvus-lite",
                     segmented=("milvus",), segment_readers=(("keyword", "milvus"), ("records", "columns-segments"),
                                                             ("vectors", "milvus"))),
}  # fmt: skip
DEFAULT_PRESET = "faiss"


def preset(name: str | None) -> Preset:
    name = (name or DEFAULT_PRESET).strip().lower()
    if name not in PRESETS:
        raise InputError(f"backend={name!r} is not supported; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


def resolve_ann(chosen: Preset, ann: str | None, expected_count: int) -> str:
    """The vector backend kind for a build: the 'ann' setting within the preset; 'auto' picks by size."""
    ann = (ann or "auto").strip().lower()
    if len(chosen.ann_choices) == 1:
        return chosen.ann_choices[0]
    if ann == "auto":
        return "ivf" if expected_count >= AUTO_ANN_THRESHOLD else "flat"
    if ann not in chosen.ann_choices:
        raise InputError(f"ann={ann!r} is not supported; choose one of auto, {', '.join(chosen.ann_choices)}")
    return ann


def _load(table: dict[str, str], concern: str, kind: str) -> Any:
    if kind not in table:
        raise InputError(f"unknown {concern} backend {kind!r}; known: {', '.join(table)}")
    module_name, _, class_name = table[kind].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # depends on the environment: name what to install
        raise InputError(f"{concern} backend {kind!r} is not available ({exc})", hint="pip install the "
                         f"backend's package (faiss-cpu; pymilvus and milvus-lite for milvus)") from exc  # fmt: skip
    return vars(module)[class_name]


def vector_class(kind: str) -> Any:
    return _load(VECTOR_BACKENDS, "vector", kind)


def keyword_class(kind: str) -> Any:
    return _load(KEYWORD_BACKENDS, "keyword", kind)


def record_class(kind: str) -> Any:
    return _load(RECORD_BACKENDS, "record", kind)


def create_vectors(kind: str, dimension: int, **options: Any) -> Any:
    return vector_class(kind)(dimension, **options)


def load_vectors(kind: str, path: Path, dimension: int) -> Any:
    return vector_class(kind).load(path, dimension)


def convert(store: Any, kind: str) -> Any:
    """Copy every vector into a store of another kind (when 'ann' changes between builds)."""
    if store.kind == kind:
        return store
    target = create_vectors(kind, store.dimension)
    ids = store.ids()
    if len(ids):
        target.add(ids, store.vectors(ids))
    return target
