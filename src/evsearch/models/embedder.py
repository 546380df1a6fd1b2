"""The sentence embedder every layer uses: `load_embedder()` -> `Embedder`.

WHY: indexing thousands of paragraphs on a 2-core machine is dominated by the
transformer forward pass, so the default backend is an int8 ONNX export of the
same weights (see onnx_export.py), with plain sentence-transformers (torch) as
the fallback and the reference. Both return float32, L2-normalised rows, and
both carry the same `fingerprint` of the weights, so an index can detect a
different model (a backend change alone keeps the fingerprint: the vectors
agree to ~0.99 cosine).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

import numpy as np

from evsearch.models import offline  # noqa: F401  (before any Hugging Face import)

import evsearch.config as config
from evsearch.errors import InputError, ModelNotFoundError
from evsearch.models.resolve import ModelSource, resolve_model

log = logging.getLogger(__name__)

BACKENDS = ("auto", "onnx", "torch")
Progress = Callable[[int], None]


class Embedder:
    """A loaded model. Attributes are the contract stored in index manifests."""

    backend: str = ""

    def __init__(self, source: ModelSource, dimension: int) -> None:
        self.name: str = source.name
        self.fingerprint: str = source.fingerprint
        self.dimension: int = int(dimension)
        self.folder: Path = source.folder

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, backend={self.backend!r}, "
            f"dimension={self.dimension}, fingerprint={self.fingerprint!r})"
        )

    def encode(
        self, texts: list[str], *, batch_size: int | None = None, progress: Progress | None = None
    ) -> np.ndarray:
        """Embed texts: float32 array (len(texts), dimension), rows L2-normalised, input order."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InputError("encode() takes a list of strings")
        size = int(batch_size if batch_size is not None else (config.get("batch_size") or 32))
        if size < 1:
            raise InputError(f"batch_size must be at least 1, got {size}")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalised(self._encode(list(texts), size, progress))

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query: a 1-D normalised float32 vector (the low-latency path)."""
        if not isinstance(text, str):
            raise InputError("encode_query() takes a string")
        return _normalised(self._encode_one(text)[None, :])[0]

    def _encode(self, texts: list[str], batch_size: int, progress: Progress | None) -> np.ndarray:
        raise NotImplementedError

    def _encode_one(self, text: str) -> np.ndarray:
        raise NotImplementedError


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class OnnxEmbedder(Embedder):
    """int8 ONNX Runtime backend (default)."""

    backend = "onnx"

    def __init__(self, source: ModelSource) -> None:
        from evsearch.models.onnx_backend import OnnxEncoder
        from evsearch.models.onnx_export import ensure_onnx, read_layout

        layout = read_layout(source.folder)
        self.onnx_file = ensure_onnx(source)
        self._encoder = OnnxEncoder(source.folder, self.onnx_file, layout, threads=int(config.get("threads")))
        super().__init__(source, self._encoder.dimension)

    def _encode(self, texts: list[str], batch_size: int, progress: Progress | None) -> np.ndarray:
        return self._encoder.encode(texts, batch_size, progress)

    def _encode_one(self, text: str) -> np.ndarray:
        return self._encoder.encode_one(text)


class TorchEmbedder(Embedder):
    """Plain sentence-transformers on CPU: the reference, and the fallback for exotic models."""

    backend = "torch"

    def __init__(self, source: ModelSource) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        threads = int(config.get("threads"))
        if threads > 0:
            torch.set_num_threads(threads)
        try:
            self.model = SentenceTransformer(str(source.folder), device="cpu", local_files_only=True)
        except Exception as exc:  # a folder that is not a loadable model: the user's to fix
            raise ModelNotFoundError(
                f"cannot load model '{source.name}' from {source.folder}: {exc}",
                hint="point EVSEARCH_MODEL at a complete sentence-transformers folder",
            ) from exc
        dim = self.model.get_embedding_dimension()  # sentence-transformers 6 (pinned in pyproject.toml)
        super().__init__(source, int(dim or 0))

    def _run(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts,
            batch_size=max(1, len(texts)),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def _encode(self, texts: list[str], batch_size: int, progress: Progress | None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")  # as sentence-transformers does
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._run([texts[i] for i in chunk])
            if progress is not None:
                progress(len(chunk))
        return out

    def _encode_one(self, text: str) -> np.ndarray:
        return self._run([text])[0]


_cache: dict[tuple[str, str], Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(name: str | None = None, backend: str | None = None) -> Embedder:
    """The embedder for `name` (setting 'model') on `backend` (setting 'backend'), cached per process."""
    name = (name if name is not None else str(config.get("model"))).strip()
    backend = (backend if backend is not None else str(config.get("backend"))).strip().lower() or "auto"
    if backend not in BACKENDS:
        raise InputError(f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    key = (name, backend)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(name, backend)
        return _cache[key]


def _load(name: str, backend: str) -> Embedder:
    source = resolve_model(name)
    if backend in ("auto", "onnx"):
        try:
            return OnnxEmbedder(source)
        except Exception as exc:  # export/load can fail in many ways; auto then uses torch
            if backend == "onnx":
                raise ModelNotFoundError(
                    f"ONNX backend unavailable for model '{source.name}': {exc}",
                    hint="use backend 'torch' (EVSEARCH_BACKEND=torch) or 'auto'",
                ) from exc
            log.warning("ONNX backend unavailable for %s (%s); using torch", source.name, exc)
    return TorchEmbedder(source)


def main() -> None:
    """Build the ONNX export ahead of first use (e.g. from `make install`)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    embedder = load_embedder()
    print(f"{embedder!r} ready")


if __name__ == "__main__":
    main()
