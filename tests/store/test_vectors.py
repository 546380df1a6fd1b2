"""One suite for every FAISS vector backend (flat, HNSW, IVF), on real FAISS with random unit vectors.

(Milvus is a whole-generation backend: tests/store/test_backends.py runs it with the others.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evsearch.errors import InputError
from evsearch.store import factory

DIM = 16


def unit(n: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(params=factory.FAISS_ANN)
def store(request):
    s = factory.create_vectors(request.param, DIM)
    s.add(np.arange(100, 400), unit(300, 0))
    return s


def test_search_finds_the_exact_vector_first(store) -> None:
    data = unit(300, 0)
    hits = store.search(data[42], 5)
    assert hits[0][0] == 142 and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(hits) == 5 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


@pytest.mark.parametrize("n_candidates", [7, 25_000])
def test_filtered_search_returns_k_hits_from_candidates(store, n_candidates: int) -> None:
    query = unit(1, 9)[0]
    # a few real ids plus many absent ones: both the direct path and the FAISS selector path
    candidates = np.concatenate([np.array([105, 250, 399, 120, 310, 111, 222]), np.arange(10_000, 10_000 + n_candidates - 7)])
    hits = store.search(query, 5, candidate_ids=candidates)
    assert len(hits) == 5 and {i for i, _ in hits} <= {105, 250, 399, 120, 310, 111, 222}
    exact = sorted(((float(store.vectors([i])[0] @ query), i) for i in [105, 250, 399, 120, 310, 111, 222]), reverse=True)
    assert [i for i, _ in hits] == [i for _, i in exact[:5]]


def test_remove_vectors_and_ids(store) -> None:
    assert store.remove(np.array([100, 101, 999])) == 2
    assert len(store) == 298 and 100 not in set(store.ids().tolist())
    assert np.allclose(store.vectors([399]), unit(300, 0)[299:300])
    with pytest.raises(KeyError):
        store.vectors([100])


def test_save_and_load_round_trip(store, tmp_path: Path) -> None:
    path = tmp_path / "v.faiss"
    store.save(path)
    loaded = factory.load_vectors(store.kind, path, DIM)
    assert np.array_equal(np.sort(loaded.ids()), np.arange(100, 400))
    query = unit(1, 3)[0]
    assert [i for i, _ in loaded.search(query, 5)] == [i for i, _ in store.search(query, 5)]


def test_convert_between_backends(store) -> None:
    other = "flat" if store.kind != "flat" else "ivf"
    converted = factory.convert(store, other)
    assert converted.kind == other and len(converted) == 300
    assert np.allclose(converted.vectors([123, 321]), store.vectors([123, 321]))


def test_resolve_ann_by_preset_and_size() -> None:
    faiss_preset = factory.preset("faiss")
    assert factory.resolve_ann(faiss_preset, "auto", 10) == "flat"
    assert factory.resolve_ann(faiss_preset, "auto", factory.AUTO_ANN_THRESHOLD) == "ivf"
    assert factory.resolve_ann(faiss_preset, "hnsw", 10) == "hnsw"
    assert factory.resolve_ann(factory.preset("milvus"), "auto", 10) == "milvus"
    with pytest.raises(InputError, match="ivf"):
        factory.resolve_ann(faiss_preset, "annoy", 10)
    with pytest.raises(InputError, match="faiss, milvus"):
        factory.preset("elastic")


def test_ivf_recall_on_clustered_vectors() -> None:
    """At scale IVF probes a few lists: the exact top-10 must still come back (scale.py measures 1M)."""
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(50, 32)).astype(np.float32)
    data = centres[rng.integers(0, 50, 20_000)] + 0.7 * rng.normal(size=(20_000, 32)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    ivf, flat = factory.create_vectors("ivf", 32), factory.create_vectors("flat", 32)
    for s in (ivf, flat):
        s.add(np.arange(20_000), data)
    assert ivf.params()["lists"] == 282
    found = 0
    for row in range(0, 20_000, 400):
        q = data[row] + 0.2 * rng.normal(size=32).astype(np.float32)
        got, want = ivf.search(q, 10), flat.search(q, 10)
        found += len({i for i, _ in got} & {i for i, _ in want})
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        assert dict(got)[got[0][0]] == pytest.approx(float(data[got[0][0]] @ q), rel=1e-5)  # exact rescoring
    assert found / (10 * 50) >= 0.95
