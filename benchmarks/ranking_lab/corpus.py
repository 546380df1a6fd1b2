"""One index, read whole into memory for the lab: records, stored vectors, keys.

WHY: every mechanism in the lab scores all paragraphs of a ~4k-paragraph
evaluation index with numpy, so a mechanism is a few lines and the
comparison is exact (no ANN shortlist, no pool cut-offs). Everything is read
through ``evsearch.store.index.Index``; vectors the lab embeds itself
(sentence windows, sentences for the adapter) are cached under
``--cache`` keyed by the model and a hash of the texts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.search.evaluate import Found, report_names
from evsearch.store.index import Index

@dataclass
class LabCorpus:
    index: Index
    records: list[dict]  # in id order
    ids: np.ndarray
    vectors: np.ndarray  # stored paragraph vectors, row i = records[i]
    found: list[Found]  # what evaluation compares with the qrels, row by row
    names: dict[str, str]  # report_id -> the name the qrels use
    cache: Path
    _embedder: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, index_dir: Path, cache_root: Path, wanted_reports: set[str] = frozenset()) -> "LabCorpus":
        index = Index.open(index_dir)
        ids = np.sort(index.dense.ids()).astype(np.int64)
        records = index.paragraphs(ids.tolist())
        vectors = index.vectors(ids)
        names = report_names(index.reports(), set(wanted_reports))
        found = [Found.of(r) for r in records]
        model = f"{index.manifest['model']}-{index.manifest.get('model_fingerprint', '')}"
        cache = cache_root / hashlib.sha1(model.encode()).hexdigest()[:12]  # texts are keyed by content
        cache.mkdir(parents=True, exist_ok=True)
        return cls(index, records, ids, np.asarray(vectors, dtype=np.float32), found, names, cache)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            self._embedder = self.index.embedder
        return self._embedder

    def embed(self, name: str, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts`` by the index's model, cached on disk by content."""
        digest = hashlib.sha1("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
        path = self.cache / f"{name}-{digest}.npy"
        if path.exists():
            return np.load(path)
        vectors = self.embedder.encode(texts, batch_size=64)
        np.save(path, vectors)
        return vectors

    def query_vectors(self, queries: list[str]) -> np.ndarray:
        return self.embed("queries", queries)

    def top(self, scores: np.ndarray, k: int = 10, mask: np.ndarray | None = None,
            prefer: np.ndarray | None = None) -> list[Found]:
        """The k best rows: preferred rows first, then by score, ties by id (as the engine ranks)."""
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        first = np.zeros(len(scores)) if prefer is None else (~prefer).astype(float)
        order = np.lexsort((self.ids, -scores, first))[:k]
        return [self.found[i] for i in order if np.isfinite(scores[i])]
