"""A bounded cache of paragraph records for one open (immutable) generation.

WHY: every query fetches 60-400 records (boosts read the fused head's
sections, pages read text) and building each dict (sqlite3.Row -> dict, JSON
section path) costs ~10 us: 1-3 ms a query. A published generation never
changes, so records are kept; callers get shallow copies (with their own
section_path list) because the engine annotates records it returns.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

Record = dict[str, Any]


def _copy(record: Record) -> Record:
    out = dict(record)
    path = out.get("section_path")
    if isinstance(path, list):
        out["section_path"] = list(path)
    return out


class RecordCache:
    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._records: OrderedDict[int, Record] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ids: list[int], fetch: Callable[[list[int]], dict[int, Record]]) -> list[Record]:
        """Records of ``ids`` in that order (unknown ids skipped); misses come from ``fetch``."""
        with self._lock:
            found = {i: self._records[i] for i in ids if i in self._records}
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            fetched = fetch(missing)
            found.update(fetched)
            with self._lock:
                self._records.update(fetched)
                while len(self._records) > self._size:
                    self._records.popitem(last=False)
        return [_copy(found[i]) for i in ids if i in found]
