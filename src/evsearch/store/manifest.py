"""The manifest: the index describing itself (txtai's config.json habit).

Written into each generation as ``manifest.json`` and read back on open, so
a reader knows which model, text recipe and vector backend built the vectors
and can refuse an index it would misread (another model or schema version)
with the command that rebuilds it.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evsearch.errors import IndexCorruptError, IndexMismatchError
from evsearch.store.schema import FTS_TOKENIZER, SCHEMA_VERSION

MANIFEST = "manifest.json"
FORMAT = "evsearch-index"


def library_versions() -> dict[str, str]:
    import faiss
    import numpy

    import evsearch

    return {
        "evsearch": evsearch.__version__,
        "faiss": faiss.__version__,
        "sqlite": sqlite3.sqlite_version,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def make(
    *,
    generation: int,
    model: str,
    model_fingerprint: str,
    model_backend: str | None,
    dimension: int,
    embedding_text: str,
    backend: str,
    backend_options: dict[str, Any],
    ann: str,
    ann_params: dict[str, Any],
    stored_as: str,
    readers: dict[str, str],
    derived: dict[str, str],
    counts: dict[str, int],
    build_seconds: float,
    created_at: str | None,
) -> dict[str, Any]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generation": generation,
        "model": model,
        "model_fingerprint": model_fingerprint,
        "model_backend": model_backend,
        "dimension": dimension,
        "normalisation": "l2",
        "metric": "inner_product",
        "embedding_text": embedding_text,
        "backend": backend,
        "backend_options": backend_options,
        "ann": ann,
        "ann_params": ann_params,
        "stored_as": stored_as,
        "readers": readers,
        "derived": derived,
        "fts_tokenizer": FTS_TOKENIZER,
        "counts": counts,
        "created_at": created_at or now,
        "built_at": now,
        "build_seconds": round(build_seconds, 3),
        "versions": library_versions(),
        "files": {"sqlite": "index.sqlite", "vectors": "vectors.faiss"},
    }


def write(gen_dir: Path, manifest: dict[str, Any]) -> None:
    path = gen_dir / MANIFEST
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())


def read(gen_dir: Path) -> dict[str, Any]:
    path = gen_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{path} is missing") from exc
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexCorruptError(f"{path} is not an evsearch index manifest")
    return data


def rebuild_hint(index_dir: Path, model: str | None) -> str:
    model_part = f" --model {model}" if model else ""
    return f"rebuild with `evsearch index PATH --index {index_dir}{model_part} --rebuild`, or delete {index_dir}"


def check_schema(manifest: dict[str, Any], index_dir: Path) -> None:
    found = manifest.get("schema_version")
    if found != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"index {index_dir} has schema version {found}, this evsearch reads version {SCHEMA_VERSION}",
            hint=rebuild_hint(index_dir, manifest.get("model")),
        )


def check_model(manifest: dict[str, Any], index_dir: Path, model: str | None) -> None:
    built = manifest.get("model")
    if model is not None and model != built:
        raise IndexMismatchError(
            f"index {index_dir} was built with model {built!r}, not {model!r}",
            hint=rebuild_hint(index_dir, model),
        )


def check_compatible(
    manifest: dict[str, Any],
    index_dir: Path,
    *,
    model: str,
    model_fingerprint: str | None,
    dimension: int | None,
    embedding_text: str,
) -> None:
    """A writer may only extend an index whose vectors it would reproduce."""
    check_schema(manifest, index_dir)
    check_model(manifest, index_dir, model)
    if manifest.get("embedding_text") != embedding_text:
        raise IndexMismatchError(
            f"index {index_dir} embeds {manifest.get('embedding_text')!r} text, not {embedding_text!r}",
            hint=rebuild_hint(index_dir, model),
        )
    if dimension is not None and manifest.get("dimension") != dimension:
        raise IndexMismatchError(
            f"index {index_dir} holds {manifest.get('dimension')}-d vectors, model {model!r} makes {dimension}-d",
            hint=rebuild_hint(index_dir, model),
        )
    if model_fingerprint is not None and manifest.get("model_fingerprint") != model_fingerprint:
        raise IndexMismatchError(
            f"index {index_dir} was built by model {model!r} with fingerprint "
            f"{manifest.get('model_fingerprint')}, the loaded model has {model_fingerprint}",
            hint=rebuild_hint(index_dir, model),
        )
