"""Checksums of model weight files, remembered between runs.

WHY: the fingerprint of the weights goes into every index manifest so an index
can tell it was built with another model, and the bundled default model is
verified against a known sha256 so a damaged install fails loudly instead of
silently returning poor results. Hashing 90 MB costs ~0.3 s, so a verified
result is remembered per (path, size, mtime) in <cache>/weights-sha256.json;
a changed file (new mtime or size) is hashed again.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import evsearch.config as config
from evsearch.models.files import atomic_write_bytes, sha256_of_file

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.onnx")
FINGERPRINT_CHARS = 16
_RECORD_FILE = "weights-sha256.json"
_lock = threading.Lock()


cache_root = config.cache_root  # re-exported: the models layer's callers import it from here


def weights_file(folder: Path) -> Path | None:
    """The weights file of a model folder (safetensors preferred), or None."""
    for name in WEIGHT_FILES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _load_records(record_path: Path) -> dict:
    try:
        return json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def file_sha256(path: Path, *, cache_dir: Path | None = None) -> str:
    """sha256 of `path`, reusing the remembered value while size and mtime are unchanged."""
    path = path.resolve()
    stat = path.stat()
    key = str(path)
    stamp = [stat.st_size, stat.st_mtime_ns]
    record_path = (cache_dir or cache_root()) / _RECORD_FILE
    with _lock:
        records = _load_records(record_path)
        known = records.get(key)
        if isinstance(known, dict) and known.get("stamp") == stamp and known.get("sha256"):
            return str(known["sha256"])
    sha = sha256_of_file(path)
    with _lock:
        records = _load_records(record_path)  # re-read: another process may have added entries
        records[key] = {"stamp": stamp, "sha256": sha}
        try:
            atomic_write_bytes(record_path, json.dumps(records, indent=1).encode("utf-8"))
        except OSError:
            pass  # a read-only cache only costs a re-hash next time
    return sha


def fingerprint_of(sha256: str) -> str:
    """The short stable id stored in index manifests."""
    return sha256[:FINGERPRINT_CHARS]
