"""Milvus backend: dense vectors, BM25 and the filter fields in one Milvus collection.

WHY: an organisation indexing every remit outgrows one machine; Milvus shards
and replicates a collection across a cluster, and the same code runs on
Milvus Lite (a file, no server) here and in the tests. Filters are Milvus
boolean expressions, so they apply inside retrieval (the dense ANN search and
the BM25 search both see only matching paragraphs).

Layout: one collection per index, ``evsearch_rows_<dimension>``, holding the rows
of every segment (segments.py) with the segment's number in ``seg`` (primary key
``seg << 40 | id``, since a merged segment re-adds rows of its inputs). With no
URI it lives in the index's one Milvus Lite file, ``DIR/milvus.db`` beside the
generation folders (manifest ``uri`` ``../milvus.db``), served by one ``milvus``
process per index whose client every reader and the writer of the process share
(milvus_clients.py); with ``http://host:19530`` on that server. A write adds one
segment of its new rows, as the FAISS preset does (``add_segment``, called by
building.write_segment before the generation is published: the rows are inserted
and flushed before CURRENT names it), and a merge adds its merged segment the same
way. A generation searches ``seg in [its segments] and id not in [its
tombstones]`` (``_Collection.scope``) with every filter, so a pinned older
generation keeps its own rows, replaced and deleted ones included, while newer
ones are published. Rows are never changed: once no generation on disk names a
segment (segments.collect deleted its folder), its rows are deleted (``collect``
at every publish and tidy-up, by a process that holds the file; what a process
that held none could not drop goes when the next one starts the file's server,
``_tidy_at_open``). Records, FTS5 and the segment folders (flat vectors, which a
merge reads, and lexicon counts) stay on disk as for FAISS.

WHY rows tagged by segment rather than a partition per segment or a collection
per generation: Milvus Lite 2.5 does not implement partitions (create_partition
answers UNIMPLEMENTED); a collection per generation costs a full copy of the rows
per write and ~56 MB of the Milvus process per loaded collection, even a tiny one
(measured: 10 queued uploads kept 11 collections loaded, 658 MB). One collection
shares every row between generations, so memory is one copy plus what writes add.
Costs: each search carries the segment list and the tombstones in its expression
(tombstones grow until a merge drops them), and Milvus's BM25 statistics count the
rows of every segment in the collection, dead ones too; only the 3 x k shortlist
depends on them (FTS5 rescores it, below).

An index written before this layout (a ``milvus.db`` inside each generation folder
with the generation's own collection, manifest ``uri`` ``milvus.db``) is read in
place (``scope`` None, primary key ``id``); its next write builds one segment of
every row into ``DIR/milvus.db``, and the old folder takes its file with it when
collected.

BM25 parity with FTS5: the text Milvus indexes (and each query) is first
tokenized by FTS5's own tokenizer (porter stemming, case and accent folding:
bm25_matrix.tokenizer), so both engines match the same terms with the same
k1 and b; Milvus's shortlist is then rescored by FTS5 (MilvusKeyword). The
parity test (tests/store/test_milvus_parity.py) holds the fused top-10 to
the FAISS backend's.
"""

from __future__ import annotations

import json
import secrets
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexBusyError, IndexCorruptError, InputError
from evsearch.models.files import atomic_write_bytes
from evsearch.store import bm25_matrix, generations, segments
from evsearch.store.base import Filters, Generation, Hits, KeywordIndex, VectorIndex, filters_of
from evsearch.store.filters import COLUMNS
from evsearch.store.fts import Fts5Keyword
from evsearch.store.milvus_clients import borrow, client, hold, is_lite, release, users

try:
    from pymilvus import DataType, Function, FunctionType, MilvusClient
    from pymilvus.exceptions import MilvusException
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("Milvus is not available - install pymilvus and milvus-lite") from exc

LITE_FILE = "milvus.db"
INDEX_LITE = "../milvus.db"  # manifest ``uri`` of the index's one Lite file (relative to the generation folder)
_PREFIX = "evsearch_"
TEXT_MAX = 65_535  # VARCHAR limit, in bytes
# Milvus answers "invalid parameter" to a search deeper than this (limit + offset). A page needs at most
# offset + k = 10,100 records (the engine's bounds), so only MilvusKeyword's shortlist (3x the page) meets
# the cap: at offsets past ~5,400 FTS5 rescores the 16,384 best Milvus BM25 candidates (1.6x the page)
# instead of 3x; the page itself is never cut.
TOPK_MAX = 16_384
_BATCH = 2_000
_NULL = -1  # grade/year of a paragraph that has none (Milvus scalar fields are not nullable here)
_ANALYZER = {"tokenizer": "standard", "filter": ["lowercase"]}  # over FTS5 tokens: splits on the spaces
_BM25 = {"bm25_k1": 1.2, "bm25_b": 0.75}  # FTS5's bm25() constants
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_ROWS_OF = (
    "SELECT p.id, p.text, p.grade, p.kind, p.part, p.section, p.section_path, p.report_id, "
    "r.local_authority, r.inspection_year, r.published_year FROM paragraphs AS p "
    "JOIN reports AS r ON r.report_id = p.report_id WHERE p.id IN (SELECT value FROM json_each(?)) ORDER BY p.id"
)
_ROWS_PREFIX = _PREFIX + "rows_"  # the index's collection of segment rows: evsearch_rows_<dimension>[_<key>]
SERVER_KEY_FILE = "milvus-server-key"  # at the index root: names its collection on a shared Milvus server
_SEG_SHIFT = 40  # primary key = segment number << 40 | paragraph id: a merged segment re-adds ids


def _lower(text: str | None) -> str:
    return (text or "").translate(_ASCII_LOWER)


def uri_for(gen_dir: Path, params: dict[str, Any]) -> str:
    """The manifest stores a Lite file relative to the generation folder (the index may move):
    ``../milvus.db`` is the index's file, ``milvus.db`` a generation's own file (the layout before
    one file per index, read in place); a server by its URI."""
    uri = params["uri"]
    return str(gen_dir / uri) if uri in (LITE_FILE, INDEX_LITE) else uri


def lite_uri(index_dir: Path) -> str:
    return str(index_dir / LITE_FILE)


def rows_collection(dimension: int, index_dir: Path, uri: str) -> str:
    """The index's collection of segment rows. In the index's own Lite file every collection is the
    index's: ``evsearch_rows_<dimension>``. On a server other indexes may live beside it, and the
    clean-up deletes the rows of segments this index no longer has, so the name carries a key of this
    index, made once and kept at its root (``SERVER_KEY_FILE``; readers take the name from the manifest)."""
    if is_lite(uri):
        return f"{_ROWS_PREFIX}{int(dimension)}"
    key_file = index_dir / SERVER_KEY_FILE
    if not key_file.is_file():
        atomic_write_bytes(key_file, secrets.token_hex(6).encode("ascii") + b"\n")
    key = key_file.read_text(encoding="ascii").strip()
    return f"{_ROWS_PREFIX}{int(dimension)}_{key}"


def segment_number(name: str) -> int:
    return int(name.rsplit("-", 1)[1])


def _generation_of(collection: str) -> str | None:
    """The generation folder a per-generation collection belongs to (None: not one)."""
    if not collection.startswith(_PREFIX) or collection.startswith(_ROWS_PREFIX):
        return None
    name = collection[len(_PREFIX):].replace("_", "-")
    return name if generations.gen_number(name) >= 0 else None


def _named_collections(index_dir: Path) -> set[str]:
    """The collections the generations on disk name (a folder of a crashed build names none)."""
    from evsearch.store import manifest as manifest_mod

    named = set()
    for gen in index_dir.iterdir():
        if generations.gen_number(gen.name) >= 0 and gen.is_dir():
            try:
                named.add(str(manifest_mod.read(gen).get("ann_params", {}).get("collection", "")))
            except IndexCorruptError:
                continue
    return named


def _drop_retired(milvus: MilvusClient, index_dir: Path, removed: list[str] | None = None) -> None:
    """Drop from the index's Milvus store what no generation on disk uses: rows of segments whose
    folder is gone (collected, or a crashed build's) and collections of retired generations. Safe
    while readers run: a pinned generation keeps its folder and its segments' folders, and a write
    or a merge creates a segment's folder before adding its rows. The caller holds the writer lock.

    ``removed`` None: the index's own Lite file, where every collection is the index's (also one
    no generation names, e.g. rows of another dimension before a --rebuild); else a server that
    other indexes may share: only the collections of ``removed`` and the rows of named collections."""
    folders = {p.name for p in index_dir.iterdir() if p.is_dir()}
    live = sorted(segment_number(n) for n in folders if segments.is_segment(n))
    named = _named_collections(index_dir)
    for name in milvus.list_collections():
        gen = _generation_of(name)
        if gen is not None and gen not in folders and (removed is None or gen in removed):
            milvus.drop_collection(name)  # a generation's own collection (before segments)
        elif name.startswith(_ROWS_PREFIX) and name in named:
            milvus.delete(name, filter=f"seg not in {_list(live or [-1])}")  # Milvus Lite fails on []
        elif name.startswith(_ROWS_PREFIX) and removed is None:
            milvus.drop_collection(name)


def _tidy_at_open(index_dir: Path, milvus: MilvusClient) -> None:
    """When this process has just started the index's Lite server: drop what earlier runs could
    not (a process that held no client when it collected folders); skipped at once while a write runs."""
    try:
        with generations.housekeeping_lock(index_dir, wait=False):
            _drop_retired(milvus, index_dir)
    except (IndexBusyError, OSError, MilvusException):
        pass  # a write runs (it drops them when it publishes) or the folder is read-only


def _schema(dimension: int) -> Any:
    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("id", DataType.INT64)
    schema.add_field("seg", DataType.INT64)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("text", DataType.VARCHAR, max_length=TEXT_MAX, enable_analyzer=True, analyzer_params=_ANALYZER)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("grade", DataType.INT64)
    schema.add_field("kind", DataType.VARCHAR, max_length=64)
    schema.add_field("report_id", DataType.VARCHAR, max_length=512)
    schema.add_field("la", DataType.VARCHAR, max_length=512)
    schema.add_field("inspection_year", DataType.INT64)
    schema.add_field("published_year", DataType.INT64)
    schema.add_field("part", DataType.VARCHAR, max_length=2048)
    schema.add_field("section", DataType.VARCHAR, max_length=TEXT_MAX)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))  # fmt: skip
    return schema


def _clip(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _row(r: Any, vector: np.ndarray, tokens: tuple[str, ...], seg: int) -> dict[str, Any]:
    path = json.loads(r[6] or "[]")
    sections = "\n".join(_lower(s) for s in [r[5], *path] if s)
    return {
        "pk": (seg << _SEG_SHIFT) | int(r[0]), "id": int(r[0]), "seg": seg, "dense": vector.tolist(),
        "text": _clip(" ".join(tokens), TEXT_MAX),
        "grade": _NULL if r[2] is None else int(r[2]), "kind": r[3], "report_id": r[7],
        "la": _lower(r[8]), "inspection_year": _NULL if r[9] is None else int(r[9]),
        "published_year": _NULL if r[10] is None else int(r[10]), "part": _clip(_lower(r[4]), 2048),
        "section": _clip(sections, TEXT_MAX),
    }  # fmt: skip


def _list(values: Any) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def expression(filters: Filters) -> str | None:
    """The Milvus boolean expression of ``filters`` (each column's, store/filters.py), or None when
    a clause cannot be said in one (callers pass the ids then)."""
    parts = [COLUMNS[name].milvus(values) for name, values in filters.active()]
    if not parts or any(p is None for p in parts):
        return None
    return " and ".join(parts)


def _filter_of(candidate_ids: np.ndarray | None) -> str | None:
    """Expression limiting a search to ``candidate_ids``: their filter when known, else the ids."""
    if candidate_ids is None:
        return None
    spec = filters_of(candidate_ids)
    if spec is not None:
        found = expression(spec)
        if found is not None:
            return found
    return f"id in {_list(int(i) for i in candidate_ids)}"


def _hit_id(hit: dict) -> int:
    """A hit's paragraph id: the ``id`` field (segment rows), else the primary key (a generation's own collection)."""
    entity = hit.get("entity") or {}
    return int(entity["id"]) if "id" in entity else int(hit["id"])


class _Collection:
    """The collection one reader searches (each holds one; ``close`` releases the client), and the
    ``scope`` expression of its generation's rows: its segments minus its tombstones."""

    def __init__(self, gen: Generation) -> None:
        params = gen.manifest["ann_params"]
        self.uri = uri_for(gen.gen_dir, params)
        self.name = params["collection"]
        self.scope: str | None = None
        if gen.segmented:
            # no segment: "seg in [-1]" (Milvus Lite fails on an empty list), which no row matches
            numbers = [segment_number(e["name"]) for e in gen.manifest["segments"]] or [-1]
            parts = [f"seg in {_list(numbers)}"]
            deleted = segments.read_deleted(gen.gen_dir, gen.manifest)
            if len(deleted):
                parts.append(f"id not in {_list(int(i) for i in deleted)}")
            self.scope = " and ".join(parts)
        starts = params["uri"] == INDEX_LITE and users(self.uri) == 0  # this open starts the index's server
        self.client = client(self.uri)
        try:
            if starts:
                _tidy_at_open(gen.gen_dir.parent, self.client)
            self.client.load_collection(self.name)
        except MilvusException as exc:
            release(self.uri)
            raise IndexCorruptError(f"Milvus collection {self.name} at {self.uri} cannot be loaded: {exc}") from exc

    def close(self) -> None:
        release(self.uri)

    def where(self, expr: str | None) -> str:
        """``expr`` within this generation's rows."""
        if self.scope is None:
            return expr or ""
        return f"({self.scope}) and ({expr})" if expr else self.scope

    def search(self, data: list, field: str, metric: str, k: int, expr: str | None, **params: Any) -> list[dict]:
        """The best ``k`` (at most TOPK_MAX: Milvus refuses a deeper search outright)."""
        try:
            # published rows are never written again: no need to wait for newer timestamps
            found = self.client.search(self.name, data=data, anns_field=field, limit=min(int(k), TOPK_MAX),
                                       filter=self.where(expr),
                                       search_params={"metric_type": metric, "params": params}, output_fields=["id"],
                                       consistency_level="Eventually")  # fmt: skip
        except MilvusException as exc:
            raise InputError(f"Milvus search failed: {exc}") from exc
        return list(found[0]) if found else []


class MilvusVectors(VectorIndex):
    """Dense search in Milvus (read-only: the writer stages vectors in a flat FAISS copy)."""

    kind = "milvus"
    file_name = "vectors.faiss"
    searches_own_rows = True
    # Milvus Lite searches FLAT (exact, as FAISS flat: the parity test); a server switches to HNSW
    # from ANN_FROM vectors (Milvus Lite 2.5 builds only FLAT and IVF_FLAT, and IVF_FLAT measured no
    # faster there: 10.4 vs 10.2 ms at 50,000 vectors).
    ANN_FROM = 200_000
    EXACT = {"index_type": "FLAT", "metric_type": "IP", "params": {}}
    ANN = {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 16, "efConstruction": 128}}
    EF_SEARCH = 96

    @classmethod
    def index_for(cls, count: int, uri: str) -> dict[str, Any]:
        return cls.ANN if count >= cls.ANN_FROM and not is_lite(uri) else cls.EXACT

    def __init__(self, dimension: int, collection: _Collection | None = None, count: int = 0) -> None:
        super().__init__(dimension)
        self.collection = collection
        self._count = count

    @classmethod
    def open(cls, gen: Generation) -> "MilvusVectors":
        return cls(gen.dimension, _Collection(gen), int(gen.manifest["counts"]["vectors"]))

    def search(self, query: np.ndarray, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        if k <= 0 or (candidate_ids is not None and len(candidate_ids) == 0):
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        assert self.collection is not None
        hits = self.collection.search([q.tolist()], "dense", "IP", k, _filter_of(candidate_ids),
                                      ef=max(self.EF_SEARCH, 2 * k))  # fmt: skip
        out = [(_hit_id(h), float(h["distance"])) for h in hits]
        return sorted(out, key=lambda pair: (-pair[1], pair[0]))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = [int(i) for i in np.asarray(ids, dtype=np.int64).reshape(-1)]
        if not ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        assert self.collection is not None
        rows = self.collection.client.query(self.collection.name, filter=self.collection.where(f"id in {_list(ids)}"),
                                            output_fields=["id", "dense"])  # fmt: skip
        found = {int(r["id"]): r["dense"] for r in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(missing[0])
        return np.asarray([found[i] for i in ids], dtype=np.float32)

    def ids(self) -> np.ndarray:
        assert self.collection is not None
        out: list[int] = []
        iterator = self.collection.client.query_iterator(self.collection.name, batch_size=10_000,
                                                         filter=self.collection.where("id >= 0"),
                                                         output_fields=["id"])  # fmt: skip
        while batch := iterator.next():
            out.extend(int(r["id"]) for r in batch)
        iterator.close()
        return np.asarray(sorted(out), dtype=np.int64)

    def __len__(self) -> int:
        return self._count

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        raise TypeError("a published Milvus generation is read-only; the writer stages vectors in FAISS")

    def remove(self, ids: np.ndarray) -> int:
        raise TypeError("a published Milvus generation is read-only; the writer stages vectors in FAISS")

    def save(self, path: Path) -> None:
        raise TypeError("a Milvus collection is written by publish()")

    @classmethod
    def load(cls, path: Path, dimension: int) -> "MilvusVectors":
        raise TypeError("open a Milvus generation with MilvusVectors.open(gen)")

    # -- the writer's hooks
    @classmethod
    def hold(cls, index_dir: Path, options: dict[str, Any]) -> AbstractContextManager:
        """The writer holds the index's client from its first change to its end: a Lite file another
        process serves fails now (IndexBusyError) rather than after the embedding, and the Lite server
        started for ``publish`` is still there for ``collect``."""
        return hold(str(options.get("milvus_uri") or "") or lite_uri(index_dir))

    @classmethod
    def add_segment(cls, index_dir: Path, sqlite: Path, entry: dict[str, Any], store: VectorIndex,
                    options: dict[str, Any]) -> None:  # fmt: skip
        """Add a new segment's rows (a write's new rows, or a merge's live rows) to the index's
        collection, tagged with the segment's number, and flush: before the generation naming the
        segment is published. Rows already there are never changed (older generations read them)."""
        from evsearch.store.database import Database

        uri = str(options.get("milvus_uri") or "") or lite_uri(index_dir)
        name = rows_collection(store.dimension, index_dir, uri)
        seg = segment_number(entry["name"])
        ids = np.sort(store.ids())
        db = Database(sqlite)
        try:
            with hold(uri) as milvus:
                if not milvus.has_collection(name):
                    index_params = milvus.prepare_index_params()
                    index_params.add_index("dense", index_name="dense", **cls.index_for(len(ids), uri))
                    index_params.add_index("sparse", index_name="sparse", index_type="SPARSE_INVERTED_INDEX",
                                           metric_type="BM25", params=_BM25)  # fmt: skip
                    milvus.create_collection(name, schema=_schema(store.dimension), index_params=index_params)
                else:  # a segment number is reused only once its folder is gone: drop what it left
                    milvus.delete(name, filter=f"seg == {seg}")
                for start in range(0, len(ids), _BATCH):
                    chunk = ids[start : start + _BATCH]
                    rows = db.rows_sql(_ROWS_OF, (json.dumps(chunk.tolist()),))
                    vectors = store.vectors(np.asarray([r[0] for r in rows], dtype=np.int64))
                    tokens = bm25_matrix.Tokenizer(cache=False).tokens_of([r[1] for r in rows])
                    milvus.insert(name, [_row(r, v, t, seg) for r, v, t in zip(rows, vectors, tokens)])
                milvus.flush(name)
        except MilvusException as exc:
            raise IndexCorruptError(f"could not add segment {entry['name']} to Milvus collection {name} at {uri}: "
                                    f"{exc}") from exc  # fmt: skip
        finally:
            db.close()

    @classmethod
    def segment_params(cls, index_dir: Path, options: dict[str, Any], dimension: int) -> dict[str, Any]:
        given = str(options.get("milvus_uri") or "")
        name = rows_collection(dimension, index_dir, given or lite_uri(index_dir))
        with hold(given or lite_uri(index_dir)) as milvus:
            kind = milvus.describe_index(name, "dense").get("index_type", cls.EXACT["index_type"])
        return {"uri": given or INDEX_LITE, "collection": name, "index": kind}

    @classmethod
    def collect(cls, index_dir: Path, options: dict[str, Any], removed: list[str]) -> None:
        """Drop the rows of collected segments and the collections of collected generations
        (called with the writer lock held, after the folders are collected: ``_drop_retired``).

        The index's Lite file only when this process already holds it (a reader or the writer):
        starting a Lite server to clean up costs more than it frees and may find the file busy;
        the next process that starts it cleans up (``_tidy_at_open``). Generation folders of the
        older layout take their own Lite file with them."""
        given = str(options.get("milvus_uri") or "")
        if given:
            with hold(given) as milvus:
                _drop_retired(milvus, index_dir, removed)
            return
        uri = lite_uri(index_dir)
        milvus = borrow(uri)
        if milvus is None:
            return
        try:
            _drop_retired(milvus, index_dir)
        except MilvusException:
            pass  # left for the next clean-up
        finally:
            release(uri)

    def params(self) -> dict[str, Any]:
        assert self.collection is not None
        return dict(self.index_for(self._count, self.collection.uri))

    def close(self) -> None:
        if self.collection is not None:
            self.collection.close()


class MilvusKeyword(KeywordIndex):
    """BM25 by Milvus's built-in function over paragraph text, filters inside the search; the
    shortlist is rescored by the generation's FTS5 index, so scores are exactly FTS5's bm25().

    WHY the rescoring: Milvus scores with Lucene's idf (``ln(1 + (N - n + .5) / (n + .5))``) and
    has no phrase clauses, which reorders fused results on small and mid-sized indexes (5 of 12
    parity queries kept their top-10 without it). Milvus finds ``SHORTLIST_FACTOR`` x k
    candidates among all paragraphs, with the filters applied inside; FTS5 scores only those.
    """

    kind = "milvus"
    cheap_filter = True
    SHORTLIST_FACTOR = 3

    def __init__(self, collection: _Collection, fts: Fts5Keyword) -> None:
        self.collection = collection
        self.fts = fts

    @classmethod
    def open(cls, gen: Generation) -> "MilvusKeyword":
        return cls(_Collection(gen), Fts5Keyword(gen.db))

    def search(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        # each distinct term once (FTS5 tokens: the text Milvus indexed was tokenized the same way)
        clauses = bm25_matrix.tokenizer().tokens_of(bm25_matrix.clauses(fts_query))
        text = " ".join(dict.fromkeys(t for clause in clauses for t in clause))
        if k <= 0 or not text.strip() or (candidate_ids is not None and len(candidate_ids) == 0):
            return []
        hits = self.collection.search([text], "sparse", "BM25", self.SHORTLIST_FACTOR * k, _filter_of(candidate_ids))
        if not hits:
            return []
        return self.fts.search(fts_query, k, np.asarray([_hit_id(h) for h in hits], dtype=np.int64))

    def close(self) -> None:
        self.collection.close()
