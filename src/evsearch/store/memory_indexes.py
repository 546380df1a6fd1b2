"""The in-memory search structures of one open generation, loaded together.

WHY: the SQLite/FAISS read paths are the source of truth but cost 10-180 ms
per query stage on the whole corpus; these derived structures give the same
answers in about a millisecond each (docs/search.md, "Latency"):

* ``bm25``: FTS5's BM25 as a sparse term-document matrix (bm25_matrix.py),
  cached per generation under the cache directory (built in ~10 s once);
* ``columns``: paragraph filter columns for ``ids_where`` (columns.py);
* ``dense``: PQ/SQ8 shortlists rescored exactly for flat stores (quantized.py; PQ codes cached);
* ``records``: paragraph records already built (record_cache.py).

Queries the matrix cannot answer (anything but OR-ed quoted phrases) still go
to FTS5.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evsearch.store import bm25_matrix, quantized
from evsearch.store.columns import ParagraphColumns
from evsearch.store.record_cache import RecordCache

CACHE_MIN_PARAGRAPHS = 5000


@dataclass
class MemoryIndexes:
    bm25: bm25_matrix.Bm25Matrix
    columns: ParagraphColumns
    dense: quantized.QuantizedFlat | None
    records: RecordCache

    @classmethod
    def load(cls, db: Any, store: Any, cache_dir: Path | None) -> "MemoryIndexes":
        if len(store) < CACHE_MIN_PARAGRAPHS:
            cache_dir = None  # built in well under a second: not worth a file per (test) index
        return cls(
            bm25=bm25_matrix.load_or_build(db, cache_dir),
            columns=ParagraphColumns(db),
            dense=quantized.for_store(store, _pq_cache(db, cache_dir)),
            records=RecordCache(),
        )

    def can_bm25(self, fts_query: str) -> bool:
        return bm25_matrix.is_plain_or(fts_query)


def _pq_cache(db: Any, cache_dir: Path | None) -> Path | None:
    if cache_dir is None:
        return None
    return bm25_matrix.cache_path(cache_dir, Path(db.path)).with_suffix(f".pq{quantized.PQ_DIMS}.faiss")
