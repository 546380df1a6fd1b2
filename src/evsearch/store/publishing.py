"""Publishing: the atomic pointer swap that makes a built generation live, and the clean-up after it.

WHY apart from building (writer.py builds a generation's contents, merge.py a
merged segment): publishing is the one step every kind of write shares and the
only one readers can observe. The caller holds the writer lock; ``gen_dir`` is
complete and fsynced (manifest included). After the swap, generations no reader
pins are deleted, then segments no remaining generation names, then what the
vector backend keeps outside the folders (Milvus collections).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evsearch.store import factory, generations, segments


def publish(index_dir: Path, gen_dir: Path, ann: str, options: dict[str, Any]) -> None:
    """Swap CURRENT to ``gen_dir`` (the commit point), then collect what nothing uses."""
    generations.fsync_path(gen_dir)
    generations.fsync_path(index_dir)
    generations.publish(index_dir, gen_dir.name)
    collect(index_dir, gen_dir.name, ann, options)


def collect(index_dir: Path, keep: str, ann: str, options: dict[str, Any]) -> list[str]:
    """Delete unpinned generations other than ``keep`` and the segments only they named."""
    removed = generations.collect_garbage(index_dir, keep=keep)
    segments.collect(index_dir)
    factory.vector_class(ann).collect(index_dir, options, removed)
    return removed
