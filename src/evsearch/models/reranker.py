"""Optional cross-encoder for reranking the top hits, loaded only from local disk.

WHY: a cross-encoder improves the order of the first results but is a separate
model the user may not have. Search must work without it, so a missing or
unloadable model is logged once and `load_cross_encoder` returns None instead
of raising; it never downloads (offline mode is forced before the import).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from evsearch.models import offline  # noqa: F401

import evsearch.config as config
from evsearch.errors import ModelNotFoundError
from evsearch.models.resolve import resolve_model

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

log = logging.getLogger(__name__)

_cache: dict[str, "CrossEncoder | None"] = {}
_lock = threading.Lock()


def load_cross_encoder(name: str | None = None) -> "CrossEncoder | None":
    """The cross-encoder named by `name` (setting 'cross_encoder'), or None when unset/unavailable."""
    name = (name if name is not None else str(config.get("cross_encoder") or "")).strip()
    if not name:
        return None
    with _lock:
        if name not in _cache:
            _cache[name] = _load(name)  # None is cached too: the warning is logged once
        return _cache[name]


def _load(name: str) -> "CrossEncoder | None":
    try:
        source = resolve_model(name)
    except ModelNotFoundError as exc:
        log.warning("cross-encoder disabled: %s", exc)
        return None
    try:
        from sentence_transformers import CrossEncoder

        model = CrossEncoder(str(source.folder), device="cpu", local_files_only=True)
    except Exception as exc:  # reranking is optional; search goes on without it
        log.warning("cross-encoder disabled: cannot load %s from %s (%s)", name, source.folder, exc)
        return None
    log.info("cross-encoder %s loaded from %s", name, source.folder)
    return model
