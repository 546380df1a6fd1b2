"""The index store: a record store, a keyword index and a vector index per generation.

Read with ``Index.open(dir)``; write through ``IndexWriter`` (used by
``evsearch.indexer.build``). Backends are named in factory.py and chosen by
the manifest; docs/index-format.md describes the files, docs/scaling.md the
large and distributed backends.
"""

from evsearch.store.index import Index
from evsearch.store.schema import SCHEMA_VERSION
from evsearch.store.writer import IndexWriter

__all__ = ["Index", "IndexWriter", "SCHEMA_VERSION"]
