"""Derived structures are built into the generation, and answer exactly what SQLite/FAISS answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evsearch.store import Index
from evsearch.store import bm25_matrix, lexicon, quantized
from evsearch.store.columns import ParagraphColumns
from evsearch.store.filters import Filters
from evsearch.store.faiss_vectors import FlatVectors
from evsearch.store.segment_readers import SegmentedVectors
from evsearch.store.record_cache import RecordCache

# OR-of-quoted-phrases queries, as retrieve.keyword_query writes them: stems ("carers" and
# "carer" are two clauses of one token), phrases, accents folded, a word no paragraph holds.
QUERIES = [
    '"carers"',
    '"carers" OR "carer" OR "training"',
    '"children" OR "care" OR "children in care" OR "care leavers"',
    '"social workers" OR "visit" OR "promptly"',
    '"café" OR "foster carers" OR "fostering"',
    '"zebra" OR "leaders know"',
    '"child protection plan" OR "lead professional" OR "domestic abuse"',
    '"placement" OR "placements" OR "move placement more"',
    '"!!!" OR "carers" OR "carers"',
]


def assert_same(got: list[tuple[int, float]], expected: list[tuple[int, float]]) -> None:
    assert [pid for pid, _ in got] == [pid for pid, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-5)


@pytest.fixture()
def plain(small_index: Path, monkeypatch: pytest.MonkeyPatch):
    """The same generation read through SQLite FTS5, SQL filters and the plain FAISS scan."""
    monkeypatch.setenv("EVSEARCH_MEMORY_INDEXES", "0")
    index = Index.open(small_index)
    monkeypatch.delenv("EVSEARCH_MEMORY_INDEXES")
    yield index
    index.close()


@pytest.fixture()
def fast(opened: Index) -> Index:
    return opened


def sql_bm25(plain: Index, query: str, k: int, ids=None) -> list[tuple[int, float]]:
    return plain.search_bm25(query, k, candidate_ids=ids)


def test_readers_follow_the_setting(fast: Index, plain: Index) -> None:
    assert (fast.keyword.kind, fast.records.kind) == ("bm25-segments", "columns-segments")
    assert (plain.keyword.kind, plain.records.kind) == ("fts5", "sqlite")
    assert isinstance(fast.dense, SegmentedVectors) and isinstance(plain.dense, SegmentedVectors)
    assert all(isinstance(s, quantized.QuantizedFlat) for s in fast.dense.stores)
    assert all(type(s) is quantized.FastFlatVectors for s in plain.dense.stores)


def test_a_published_generation_holds_its_derived_files(fast: Index) -> None:
    assert fast.manifest["derived"] == {}  # a faiss flat index keeps them in its segments
    [entry] = fast.manifest["segments"]
    derived = entry["files"]
    assert derived == {"ids": "ids.npy", "vectors": "vectors.faiss", "bm25": "bm25.npz",
                       "lexicon": "lexicon.json"}  # PQ codes only above 2,000 vectors  # fmt: skip
    for name in derived.values():
        assert (fast.index_dir / entry["name"] / name).is_file()
    assert fast.manifest["readers"] == {"keyword": "bm25-segments", "records": "columns-segments", "vectors": "segments"}
    assert fast.manifest["backend"] == "faiss" and fast.manifest["stored_as"] == "flat"


def test_lexicon_is_read_from_the_generation(fast: Index) -> None:
    texts = [r["text"] for r in fast.paragraphs(fast.ids_where(kinds=list(lexicon.KINDS)))]
    assert fast.lexicon() == lexicon.learn(texts)
    defined = lexicon.learn(["Leaders chair the Local Safeguarding Children Board (LSCB) each month."] * 3)
    assert defined["acronyms"] == {"LSCB": "local safeguarding children board"}


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_matrix_matches_fts5_scores_and_order(fast: Index, plain: Index, query: str) -> None:
    expected = sql_bm25(plain, query, 50)
    got = fast.search_bm25(query, 50)
    assert [pid for pid, _ in got] == [pid for pid, _ in expected] or (
        sorted(got) == pytest.approx(sorted(expected))  # exact score ties may list in either order
    )
    assert dict(got) == pytest.approx(dict(expected), rel=1e-9)


def test_bm25_matrix_filters_to_candidates_exactly(fast: Index, plain: Index) -> None:
    ids = fast.ids_where(grades=[2, 3])
    assert ids is not None and 0 < len(ids) < fast.paragraph_count
    query = '"children" OR "carers" OR "care plans"'
    expected = sql_bm25(plain, query, 10, ids)
    got = fast.search_bm25(query, 10, candidate_ids=ids)
    assert got and set(pid for pid, _ in got) <= set(ids.tolist())
    assert dict(got) == pytest.approx(dict(expected), rel=1e-9)
    assert fast.search_bm25(query, 10, candidate_ids=np.array([], dtype=np.int64)) == []
    # candidates in any order, repeated, or absent from the index: the same answer
    messy = np.concatenate([ids[::-1], ids[:5], [int(ids.max()) + 10_000]]).astype(np.int64)
    assert fast.search_bm25(query, 10, candidate_ids=messy) == got


def test_fts_syntax_the_matrix_cannot_answer_goes_to_fts5(fast: Index, plain: Index) -> None:
    assert not bm25_matrix.is_plain_or('"carers" AND "training"')
    assert fast.search_bm25('"carers" AND "training"', 5) == sql_bm25(plain, '"carers" AND "training"', 5)


def test_bm25_matrix_file_round_trips(opened: Index, tmp_path: Path) -> None:
    built = bm25_matrix.Bm25Matrix.build(opened.db)
    built.save(tmp_path / "m.npz")
    loaded = bm25_matrix.Bm25Matrix.load(tmp_path / "m.npz")
    for query in QUERIES:
        assert loaded.search(query, 20) == built.search(query, 20)


def test_bm25_matrix_built_from_small_chunks_is_the_same(opened: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large indexes are read in chunks; a term's instances may straddle two of them."""
    whole = bm25_matrix.Bm25Matrix.build(opened.db)
    monkeypatch.setattr(bm25_matrix, "READ_CHUNK", 7)
    chunked = bm25_matrix.Bm25Matrix.build(opened.db)
    assert chunked._term_list == whole._term_list
    for name, array in whole.arrays.items():
        assert np.array_equal(chunked.arrays[name], array), name



def one_pass_matrix(ids: np.ndarray, texts: list[str]) -> bm25_matrix.Bm25Matrix:
    """A segment's matrix as ``Bm25Matrix.from_texts`` built it before it tokenized in chunks: every
    token of every text as Python objects, then one sort (the reference its files must equal)."""
    tokens = bm25_matrix.Tokenizer(cache=False).tokens_of(texts)
    vocab: dict[str, int] = {}
    term_ids = [vocab.setdefault(t, len(vocab)) for toks in tokens for t in toks]
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    docs = np.repeat(np.asarray(ids, dtype=np.int64), lengths)
    offsets = np.arange(len(term_ids), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    terms = sorted(vocab)
    rank = np.empty(len(vocab), dtype=np.int32)
    rank[[vocab[t] for t in terms]] = np.arange(len(terms), dtype=np.int32)
    term_of = rank[np.asarray(term_ids, dtype=np.int64)] if term_ids else np.zeros(0, dtype=np.int32)
    all_ids = np.asarray(ids, dtype=np.int64)
    return bm25_matrix.Bm25Matrix._from_instances(terms, term_of, docs, offsets, len(ids), all_ids=all_ids)


def saved_bytes(matrix: bm25_matrix.Bm25Matrix, path: Path) -> bytes:
    matrix.save(path)
    return path.read_bytes()


def fixture_texts(index: Index) -> tuple[np.ndarray, list[str]]:
    import json

    ids = np.asarray([r[0] for r in index.db.rows("all_paragraph_ids")], dtype=np.int64)
    return ids, [r[1] for r in index.db.rows("paragraph_texts_by_ids", (json.dumps(ids.tolist()),))]


@pytest.mark.parametrize("chunk", [None, 1, 7, 100_000])
def test_segment_matrix_built_in_chunks_is_byte_identical(opened: Index, tmp_path: Path, chunk: int | None) -> None:
    """Tokenizing a few texts at a time (to bound memory) writes the very file the one-pass build wrote."""
    ids, texts = fixture_texts(opened)
    assert len(texts) > 7
    expected = one_pass_matrix(ids, texts)
    got = bm25_matrix.Bm25Matrix.from_texts(ids, texts, chunk=chunk)
    assert got._term_list == expected._term_list
    for name, array in expected.arrays.items():
        assert got.arrays[name].dtype == array.dtype and np.array_equal(got.arrays[name], array), name
    assert saved_bytes(got, tmp_path / "got.npz") == saved_bytes(expected, tmp_path / "expected.npz")
    # and the published segment's file is that one too
    [entry] = opened.manifest["segments"]
    assert (opened.index_dir / entry["name"] / "bm25.npz").read_bytes() == (tmp_path / "expected.npz").read_bytes()


@pytest.mark.parametrize(
    "ids, texts",
    [
        ([], []),
        ([4, 9], ["", "!!!"]),  # rows without a token still count
        ([30, 2, 17, 5], ["Café carers' café", "", "the the THE the", "Children in care; care leavers. Carers"]),
        ([8, 3, 1], ["naïve ﬁnance Ünïcode", "x " * 300, "a b a b a b"]),
    ],
)  # fmt: skip
def test_segment_matrix_edge_cases_match_the_one_pass_build(tmp_path: Path, ids: list[int], texts: list[str]) -> None:
    for chunk in (None, 1, 2):
        got = bm25_matrix.Bm25Matrix.from_texts(np.asarray(ids, dtype=np.int64), texts, chunk=chunk)
        expected = one_pass_matrix(np.asarray(ids, dtype=np.int64), texts)
        assert saved_bytes(got, tmp_path / "got.npz") == saved_bytes(expected, tmp_path / "expected.npz"), chunk


def test_segment_matrix_wants_one_text_per_distinct_id() -> None:
    with pytest.raises(ValueError, match="one text per distinct id"):
        bm25_matrix.Bm25Matrix.from_texts(np.array([1, 1]), ["a", "b"])
    with pytest.raises(ValueError, match="one text per distinct id"):
        bm25_matrix.Bm25Matrix.from_texts(np.array([1, 2]), ["a"])

def test_a_damaged_derived_file_is_a_clear_error(small_index: Path) -> None:
    from evsearch.errors import IndexCorruptError
    from evsearch.store.generations import read_current

    import json

    manifest = json.loads((small_index / read_current(small_index) / "manifest.json").read_text())
    (small_index / manifest["segments"][0]["name"] / "bm25.npz").write_bytes(b"not a numpy file")
    with pytest.raises(IndexCorruptError, match="bm25.npz"):
        Index.open(small_index)


FILTERS = [
    {"grades": [2]},
    {"grades": [1, 4]},
    {"sections": ["care"]},
    {"sections": ["MAIN FINDINGS"]},
    {"parts": ["main"]},
    {"local_authorities": ["harbourside", "Eastvale"]},
    {"years": [2012]},
    {"years": [2023], "grades": [1], "sections": ["leader"]},
    {"report_ids": ["millbrook-2012"], "kinds": ["paragraph"]},
    {"kinds": ["recommendation"]},
    {"frameworks": ["sif", "ILACS"]},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_filter_columns_match_the_sql_filters(opened: Index, plain: Index, filters: dict) -> None:
    expected = plain.ids_where(**filters)
    assert np.array_equal(opened.ids_where(**filters), expected)
    assert np.array_equal(ParagraphColumns(opened.db).ids_where(**filters), expected)
    assert ParagraphColumns(opened.db).ids_where() is None


def test_two_clauses_on_one_column_are_anded(opened: Index, plain: Index) -> None:
    """A section option and a theme's sections are two clauses on one column: both must hold."""
    both = Filters((("sections", ("care",)), ("sections", ("leavers",))))
    expected = plain.ids_where(both)
    assert np.array_equal(opened.ids_where(both), expected)
    care, leavers = plain.ids_where(sections=["care"]), plain.ids_where(sections=["leavers"])
    assert np.array_equal(expected, np.intersect1d(care, leavers))
    assert 0 < len(expected) < len(care)


def test_dense_matches_the_flat_scan(fast: Index, plain: Index) -> None:
    vectors = fast.vectors(fast.dense.ids())
    for row in range(0, len(vectors), 3):
        q = vectors[row]
        assert_same(fast.search_dense(q, 5), plain.search_dense(q, 5))
        ids = fast.ids_where(grades=[2])
        assert_same(fast.search_dense(q, 3, ids), plain.search_dense(q, 3, ids))


def test_pq_shortlist_returns_the_exact_top_hits(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 64)).astype(np.float32)
    data = centres[rng.integers(0, 40, 4000)] + 0.6 * rng.normal(size=(4000, 64)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    store = FlatVectors(64)
    store.add(np.arange(10, 4010), data)
    assert quantized.wants_pq(store)
    codes = tmp_path / "codes.faiss"
    quantized.write_pq(store, codes)
    fast = quantized.open_fast(store, codes)
    assert fast.pq is not None and fast.pq.ntotal == 4000
    for row in range(0, 4000, 200):
        q = data[row] + 0.1 * rng.normal(size=64).astype(np.float32)
        assert_same(fast.search(q, 10), store.search(q, 10))
        big = np.arange(10, 3000)  # a large filter set: SQ8 with a selector, rescored exactly
        assert_same(fast.search(q, 10, big), store.search(q, 10, big))


def test_record_cache_hands_out_copies() -> None:
    calls = []

    def fetch(ids):
        calls.append(list(ids))
        return {i: {"id": i, "section_path": ["A", "B"], "number": None} for i in ids if i != 99}

    cache = RecordCache(size=2)
    first = cache.get([1, 99, 2], fetch)
    assert [r["id"] for r in first] == [1, 2]
    first[0]["number"] = 7
    first[0]["section_path"].append("C")
    again = cache.get([2, 1], fetch)
    assert again[1] == {"id": 1, "section_path": ["A", "B"], "number": None}
    assert calls == [[1, 99, 2]]
    cache.get([3], fetch)  # size 2: the oldest record leaves
    cache.get([1], fetch)
    assert calls[-1] == [1]
