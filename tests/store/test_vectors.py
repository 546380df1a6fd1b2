"""One suite for every vector backend (flat and HNSW), on real FAISS with random unit vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evsearch.errors import InputError
from evsearch.store import vectors as backends

DIM = 16


def unit(n: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(params=sorted(backends.BACKENDS))
def store(request):
    s = backends.create(request.param, DIM)
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
    loaded = backends.load(store.kind, path, DIM)
    assert np.array_equal(np.sort(loaded.ids()), np.arange(100, 400))
    query = unit(1, 3)[0]
    assert [i for i, _ in loaded.search(query, 5)] == [i for i, _ in store.search(query, 5)]


def test_convert_between_backends(store) -> None:
    other = "flat" if store.kind == "hnsw" else "hnsw"
    converted = backends.convert(store, other)
    assert converted.kind == other and len(converted) == 300
    assert np.allclose(converted.vectors([123, 321]), store.vectors([123, 321]))


def test_resolve_kind() -> None:
    assert backends.resolve_kind("auto", 10) == "flat"
    assert backends.resolve_kind("auto", backends.AUTO_HNSW_THRESHOLD) == "hnsw"
    with pytest.raises(InputError, match="ivf"):
        backends.resolve_kind("ivf", 10)
