"""The vector store interface and the factory that picks a backend by name.

The orchestrator only talks to ``VectorStore``; each backend is one module
(today ``faiss_vectors``: exact flat and HNSW), so a second engine (a remote
or distributed one) is a new module registered in ``BACKENDS``, not a rewrite.
The chosen kind is written to the manifest and read back on load.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from evsearch.errors import InputError

# kind -> "module:Class"; modules are imported lazily (heavy optional dependencies).
BACKENDS: dict[str, str] = {
    "flat": "evsearch.store.faiss_vectors:FlatVectors",
    "hnsw": "evsearch.store.faiss_vectors:HnswVectors",
}
ANN_CHOICES = ("auto", *BACKENDS)
# 'auto' switches from exact search to HNSW at this many vectors.
AUTO_HNSW_THRESHOLD = 200_000


class VectorStore(ABC):
    """Id-addressed inner-product search over L2-normalised float32 vectors."""

    kind: ClassVar[str]
    file_name: ClassVar[str] = "vectors.faiss"

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def remove(self, ids: np.ndarray) -> int:
        """Drop these ids; returns how many were present."""

    @abstractmethod
    def search(
        self, query: np.ndarray, k: int, candidate_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best ``k`` (id, inner product) pairs, best first, limited to ``candidate_ids`` when given."""

    @abstractmethod
    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids``, in that order (KeyError for an unknown id)."""

    @abstractmethod
    def ids(self) -> np.ndarray: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def save(self, path: Path) -> None: ...

    @classmethod
    @abstractmethod
    def load(cls, path: Path, dimension: int) -> "VectorStore": ...

    def params(self) -> dict[str, Any]:
        """Backend settings recorded in the manifest."""
        return {}


def resolve_kind(ann: str, expected_count: int) -> str:
    """Turn the 'ann' setting into a backend kind; 'auto' picks by corpus size."""
    ann = (ann or "auto").strip().lower()
    if ann not in ANN_CHOICES:
        raise InputError(f"ann={ann!r} is not supported; choose one of {', '.join(ANN_CHOICES)}")
    if ann == "auto":
        return "hnsw" if expected_count >= AUTO_HNSW_THRESHOLD else "flat"
    return ann


def backend(kind: str) -> type[VectorStore]:
    if kind not in BACKENDS:
        raise InputError(f"unknown vector backend {kind!r}; known: {', '.join(BACKENDS)}")
    module_name, _, class_name = BACKENDS[kind].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError(f"vector backend {kind!r} is not available ({exc}); install faiss-cpu") from exc
    return getattr(module, class_name)


def create(kind: str, dimension: int) -> VectorStore:
    return backend(kind)(dimension)


def load(kind: str, path: Path, dimension: int) -> VectorStore:
    return backend(kind).load(path, dimension)


def convert(store: VectorStore, kind: str) -> VectorStore:
    """Copy every vector into a store of another kind (used when 'ann' changes between builds)."""
    if store.kind == kind:
        return store
    target = create(kind, store.dimension)
    ids = store.ids()
    if len(ids):
        target.add(ids, store.vectors(ids))
    return target
