"""The real default model, both backends: shape, normalisation, meaning, agreement, contract."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from evsearch.errors import InputError, ModelNotFoundError
from evsearch.models.embedder import Embedder, load_embedder
from evsearch.models.onnx_export import META_FILE
from evsearch.models.resolve import BUNDLED_SHA256, DEFAULT_MODEL

# Our own sentences, written for these tests.
SENTENCES = [
    "Social workers visit children in care regularly and listen to what they say.",
    "Children in care are seen often by their social workers, who hear their views.",
    "The local authority has too few foster carers for older teenagers.",
    "Managers check case files each month and act when plans drift.",
    "Care leavers get help to find a home, a job and training.",
    "The weather in the harbour was calm and the boats stayed out late.",
    "A recipe for bread needs flour, water, salt and yeast.",
    "",
]


def test_default_loads_offline_with_contract_attributes(onnx_embedder: Embedder) -> None:
    assert onnx_embedder.name == DEFAULT_MODEL
    assert onnx_embedder.dimension == 384
    assert onnx_embedder.backend == "onnx"
    assert onnx_embedder.fingerprint == BUNDLED_SHA256[:16]


def test_auto_backend_picks_onnx_and_is_cached(onnx_embedder: Embedder) -> None:
    auto = load_embedder()
    assert auto.backend == "onnx"
    assert load_embedder() is auto
    assert load_embedder(DEFAULT_MODEL, "onnx") is load_embedder(DEFAULT_MODEL, "onnx")


def test_export_is_cached_with_metadata(onnx_embedder: Embedder) -> None:
    onnx_file = onnx_embedder.onnx_file  # type: ignore[attr-defined]
    assert onnx_file.is_file() and onnx_file.stat().st_size > 1_000_000
    meta = json.loads((onnx_file.parent / META_FILE).read_text())
    assert meta["sha256"] == BUNDLED_SHA256
    assert meta["max_seq_length"] == 256
    assert not list(onnx_file.parent.glob(".build-*"))  # no half-built leftovers


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_embeddings_are_normalised_float32(backend: str, request: pytest.FixtureRequest) -> None:
    embedder: Embedder = request.getfixturevalue(f"{backend}_embedder")
    vectors = embedder.encode(SENTENCES)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(SENTENCES), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = embedder.encode_query(SENTENCES[0])
    assert query.shape == (384,) and query.dtype == np.float32
    assert float(query @ vectors[0]) > 0.999  # query path == batch path


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_similar_texts_score_higher_than_unrelated(backend: str, request: pytest.FixtureRequest) -> None:
    embedder: Embedder = request.getfixturevalue(f"{backend}_embedder")
    v = embedder.encode(SENTENCES[:7])
    paraphrase, unrelated = float(v[0] @ v[1]), max(float(v[0] @ v[5]), float(v[0] @ v[6]))
    assert paraphrase > 0.7
    assert paraphrase > unrelated + 0.4
    query = embedder.encode_query("support for young people leaving care")
    scores = v @ query
    assert int(np.argmax(scores)) == 4


def test_input_order_is_kept_despite_length_sorting(onnx_embedder: Embedder) -> None:
    texts = SENTENCES[:7]
    forward = onnx_embedder.encode(texts, batch_size=2)
    backward = onnx_embedder.encode(texts[::-1], batch_size=3)
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-5)


def test_progress_reports_each_batch(onnx_embedder: Embedder) -> None:
    calls: list[int] = []
    onnx_embedder.encode(SENTENCES, batch_size=3, progress=calls.append)
    assert calls and sum(calls) == len(SENTENCES)
    assert len(calls) == math.ceil(len(SENTENCES) / 3)


def test_empty_and_bad_input(onnx_embedder: Embedder) -> None:
    assert onnx_embedder.encode([]).shape == (0, 384)
    with pytest.raises(InputError):
        onnx_embedder.encode("not a list")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        onnx_embedder.encode(["ok"], batch_size=0)
    with pytest.raises(InputError):
        load_embedder(None, "tensorflow")


def test_long_text_is_truncated_not_rejected(onnx_embedder: Embedder, torch_embedder: Embedder) -> None:
    long_text = " ".join(SENTENCES[:7] * 20)  # far beyond 256 tokens
    a, b = onnx_embedder.encode([long_text]), torch_embedder.encode([long_text])
    assert float(a[0] @ b[0]) > 0.97  # both truncate at the model's 256 tokens


def test_onnx_agrees_with_torch(onnx_embedder: Embedder, torch_embedder: Embedder) -> None:
    assert torch_embedder.backend == "torch"
    assert torch_embedder.fingerprint == onnx_embedder.fingerprint
    fast, ref = onnx_embedder.encode(SENTENCES), torch_embedder.encode(SENTENCES)
    cosines = np.sum(fast * ref, axis=1)
    assert cosines.min() > 0.98, cosines


def test_local_folder_model_works_and_reuses_the_export(model_copy: Path, onnx_embedder: Embedder) -> None:
    local = load_embedder(str(model_copy), "auto")
    assert local.name == str(model_copy.resolve())
    assert local.backend == "onnx"
    assert local.fingerprint == onnx_embedder.fingerprint  # same weights -> same export, same vectors
    np.testing.assert_allclose(local.encode(SENTENCES[:3]), onnx_embedder.encode(SENTENCES[:3]), atol=1e-6)


def test_auto_falls_back_to_torch_when_onnx_cannot_be_built(model_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "no-fast-tokenizer"
    shutil.copytree(model_copy, folder)
    (folder / "tokenizer.json").unlink()  # the ONNX path needs the fast tokenizer file
    with pytest.raises(ModelNotFoundError) as err:
        load_embedder(str(folder), "onnx")
    assert "ONNX backend unavailable" in str(err.value) and "tokenizer.json" in str(err.value)
    fallback = load_embedder(str(folder), "auto")
    assert fallback.backend == "torch"
    assert fallback.dimension == 384
    assert fallback.encode(SENTENCES[:2]).shape == (2, 384)


SEED_TXT = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "seed"
    / "east-sussex-2010-safeguarding-and-looked-after-children.txt"
).resolve()  # fmt: skip


def test_onnx_agrees_with_torch_on_real_report_paragraphs(onnx_embedder: Embedder, torch_embedder: Embedder) -> None:
    """The int8 graph stays within cosine 0.99 of the torch reference on average over real
    paragraphs (measured 0.993-0.994 mean, ~0.984 worst; docs/models.md)."""
    if not SEED_TXT.exists():
        pytest.skip(f"real corpus not found at {SEED_TXT}")
    blocks = [" ".join(b.split()) for b in SEED_TXT.read_text(encoding="utf-8").split("\n\n")]
    paragraphs = [b for b in blocks if len(b.split()) >= 20]
    assert len(paragraphs) >= 50
    fast, ref = onnx_embedder.encode(paragraphs), torch_embedder.encode(paragraphs)
    cosines = np.sum(fast * ref, axis=1)
    assert cosines.mean() >= 0.99, cosines.mean()
    assert np.percentile(cosines, 5) >= 0.985 and cosines.min() >= 0.975, np.sort(cosines)[:5]


def test_repeated_texts_are_embedded_once_with_identical_vectors(onnx_embedder: Embedder) -> None:
    texts = [SENTENCES[0], SENTENCES[2], SENTENCES[0], SENTENCES[0]]
    calls: list[int] = []
    vectors = onnx_embedder.encode(texts, batch_size=8, progress=calls.append)
    assert sum(calls) == len(texts)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    np.testing.assert_array_equal(vectors[0], vectors[3])
    np.testing.assert_allclose(vectors[1], onnx_embedder.encode([SENTENCES[2]])[0], atol=1e-6)
