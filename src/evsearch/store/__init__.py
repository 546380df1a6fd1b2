"""The index store: SQLite (records, FTS5 BM25), vectors, manifest and generations.

Read with ``Index.open(dir)``; write through ``IndexWriter`` (used by
``evsearch.indexer.build``). docs/index-format.md describes the files.
"""

from evsearch.store.fts import fts_escape
from evsearch.store.index import Index
from evsearch.store.schema import SCHEMA_VERSION
from evsearch.store.writer import IndexWriter

__all__ = ["Index", "IndexWriter", "SCHEMA_VERSION", "fts_escape"]
