"""Milvus backend: dense vectors, BM25 and the filter fields in one Milvus collection.

WHY: an organisation indexing every remit outgrows one machine; Milvus shards
and replicates a collection across a cluster, and the same code runs on
Milvus Lite (a file, no server) here and in the tests. Filters are Milvus
boolean expressions, so they apply inside retrieval (the dense ANN search and
the BM25 search both see only matching paragraphs).

Layout: one collection per generation (``evsearch_gen_NNNNNN``), built by the
writer before the generation is published (``publish``) from the finished
SQLite file and the generation's flat vector copy (``vectors.faiss``, kept as
the rebuild source). With no URI the collection lives in a Milvus Lite file
inside the generation folder, so it is published, pinned and deleted with the
folder; with ``http://host:19530`` it lives on that server and ``collect``
drops the collections of deleted generations. Records (text, sections,
reports, judgements) stay in the generation's SQLite file for every backend.

BM25 parity with FTS5: the text Milvus indexes (and each query) is first
tokenized by FTS5's own tokenizer (porter stemming, case and accent folding:
bm25_matrix.tokenizer), so both engines match the same terms with the same
k1 and b; Milvus's shortlist is then rescored by FTS5 (MilvusKeyword). The
parity test (tests/store/test_milvus_parity.py) holds the fused top-10 to
the FAISS backend's.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexBusyError, IndexCorruptError, IndexNotFoundError, InputError
from evsearch.store import bm25_matrix
from evsearch.store.base import Filters, Generation, Hits, KeywordIndex, VectorIndex, filters_of
from evsearch.store.fts import Fts5Keyword

try:
    from milvus_lite.server_manager import server_manager_instance as lite_servers
    from pymilvus import DataType, Function, FunctionType, MilvusClient
    from pymilvus.exceptions import MilvusException
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("Milvus is not available - install pymilvus and milvus-lite") from exc

LITE_FILE = "milvus.db"
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
_UNSAFE = re.compile(r'[%_"\\\n]')  # characters a LIKE pattern would read as syntax
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_ROWS = (
    "SELECT p.id, p.text, p.grade, p.kind, p.part, p.section, p.section_path, p.report_id, "
    "r.local_authority, r.inspection_year, r.published_year "
    "FROM paragraphs AS p JOIN reports AS r ON r.report_id = p.report_id WHERE p.id > ? ORDER BY p.id LIMIT ?"
)

_clients: dict[str, list] = {}  # uri -> [client, users]
_clients_lock = threading.Lock()


def _lower(text: str | None) -> str:
    return (text or "").translate(_ASCII_LOWER)


def is_lite(uri: str) -> bool:
    return not uri.startswith(("http://", "https://", "tcp://", "grpc://"))


def client(uri: str) -> MilvusClient:
    """A client for ``uri``, shared within the process (Milvus Lite lets one process open a file);
    each ``client`` call is matched by one ``release``."""
    with _clients_lock:
        if uri not in _clients:
            try:
                _clients[uri] = [MilvusClient(uri), 0]
            except Exception as exc:  # pymilvus raises several types for "cannot open"
                if is_lite(uri):
                    raise IndexBusyError(
                        f"Milvus Lite file {uri} cannot be opened ({exc})",
                        hint="Milvus Lite allows one process per file: stop the other evsearch process "
                        "(e.g. `evsearch serve`) or build the index on a Milvus server with --milvus-uri",
                    ) from exc
                raise IndexNotFoundError(f"cannot connect to Milvus at {uri}: {exc}") from exc
        _clients[uri][1] += 1
        return _clients[uri][0]


def release(uri: str) -> None:
    with _clients_lock:
        entry = _clients.get(uri)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _clients[uri]
    entry[0].close()
    if is_lite(uri):
        lite_servers.release_server(uri)  # the in-process Lite server holds the file: stop it


def uri_for(gen_dir: Path, params: dict[str, Any]) -> str:
    """The manifest stores a Lite file by name (the folder may move); a server by its URI."""
    uri = params["uri"]
    return str(gen_dir / uri) if uri == LITE_FILE else uri


def collection_name(gen_dir: Path) -> str:
    return "evsearch_" + gen_dir.name.replace("-", "_")


def _schema(dimension: int) -> Any:
    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
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


def _row(r: Any, vector: np.ndarray, tokens: tuple[str, ...]) -> dict[str, Any]:
    path = json.loads(r[6] or "[]")
    sections = "\n".join(_lower(s) for s in [r[5], *path] if s)
    return {
        "id": int(r[0]), "dense": vector.tolist(), "text": _clip(" ".join(tokens), TEXT_MAX),
        "grade": _NULL if r[2] is None else int(r[2]), "kind": r[3], "report_id": r[7],
        "la": _lower(r[8]), "inspection_year": _NULL if r[9] is None else int(r[9]),
        "published_year": _NULL if r[10] is None else int(r[10]), "part": _clip(_lower(r[4]), 2048),
        "section": _clip(sections, TEXT_MAX),
    }  # fmt: skip


def _list(values: Any) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def expression(filters: Filters) -> str | None:
    """The Milvus boolean expression of ``filters`` (same semantics as the record store's SQL), or
    None when a text value holds a character a LIKE pattern would misread (callers pass ids then)."""
    parts = []
    for name, values in filters.active().items():
        if name == "grades":
            parts.append(f"grade in {_list(int(v) for v in values if isinstance(v, int) and not isinstance(v, bool))}")
        elif name == "report_ids":
            parts.append(f"report_id in {_list(str(v) for v in values)}")
        elif name == "kinds":
            parts.append(f"kind in {_list(str(v) for v in values)}")
        elif name == "local_authorities":
            parts.append(f"la in {_list(_lower(str(v)) for v in values)}")
        elif name == "years":
            years = _list(int(v) for v in values if isinstance(v, int))
            parts.append(f"(inspection_year in {years} or published_year in {years})")
        elif name in ("sections", "parts"):
            words = [_lower(str(v)) for v in values]
            if any(_UNSAFE.search(w) for w in words):
                return None
            field = "section" if name == "sections" else "part"
            parts.append("(" + " or ".join(f'{field} like "%{w}%"' for w in words) + ")")
    return " and ".join(parts) if parts else None


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


class _Collection:
    """The open collection of one generation (each reader holds one; ``close`` releases the client)."""

    def __init__(self, gen: Generation) -> None:
        params = gen.manifest["ann_params"]
        self.uri = uri_for(gen.gen_dir, params)
        self.name = params["collection"]
        self.client = client(self.uri)
        try:
            self.client.load_collection(self.name)
        except MilvusException as exc:
            release(self.uri)
            raise IndexCorruptError(f"Milvus collection {self.name} at {self.uri} cannot be loaded: {exc}") from exc

    def close(self) -> None:
        release(self.uri)

    def search(self, data: list, field: str, metric: str, k: int, expr: str | None, **params: Any) -> list[dict]:
        """The best ``k`` (at most TOPK_MAX: Milvus refuses a deeper search outright)."""
        try:
            # a published collection is never written again: no need to wait for newer timestamps
            found = self.client.search(self.name, data=data, anns_field=field, limit=min(int(k), TOPK_MAX),
                                       filter=expr or "",
                                       search_params={"metric_type": metric, "params": params}, output_fields=["id"],
                                       consistency_level="Eventually")  # fmt: skip
        except MilvusException as exc:
            raise InputError(f"Milvus search failed: {exc}") from exc
        return list(found[0]) if found else []


class MilvusVectors(VectorIndex):
    """Dense search in Milvus (read-only: the writer stages vectors in a flat FAISS copy)."""

    kind = "milvus"
    file_name = "vectors.faiss"
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
        out = [(int(h["id"]), float(h["distance"])) for h in hits]
        return sorted(out, key=lambda pair: (-pair[1], pair[0]))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = [int(i) for i in np.asarray(ids, dtype=np.int64).reshape(-1)]
        if not ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        assert self.collection is not None
        rows = self.collection.client.query(self.collection.name, filter=f"id in {_list(ids)}",
                                            output_fields=["id", "dense"])  # fmt: skip
        found = {int(r["id"]): r["dense"] for r in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(missing[0])
        return np.asarray([found[i] for i in ids], dtype=np.float32)

    def ids(self) -> np.ndarray:
        assert self.collection is not None
        out: list[int] = []
        iterator = self.collection.client.query_iterator(self.collection.name, batch_size=10_000, filter="id >= 0",
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
    def publish(cls, source: Any, options: dict[str, Any]) -> dict[str, Any]:
        """Create and fill this generation's collection from its SQLite rows and staged vectors."""
        given = str(options.get("milvus_uri") or "")
        uri = given or str(source.gen_dir / LITE_FILE)
        name = collection_name(source.gen_dir)
        milvus = client(uri)
        try:
            if milvus.has_collection(name):
                milvus.drop_collection(name)
            index_params = milvus.prepare_index_params()
            index = cls.index_for(len(source.vectors), uri)
            index_params.add_index("dense", index_name="dense", **index)
            index_params.add_index("sparse", index_name="sparse", index_type="SPARSE_INVERTED_INDEX",
                                   metric_type="BM25", params=_BM25)  # fmt: skip
            milvus.create_collection(name, schema=_schema(source.vectors.dimension), index_params=index_params)
            staged = source.vectors
            last = -1
            while rows := source.db.rows_sql(_ROWS, (last, _BATCH)):
                ids = np.asarray([r[0] for r in rows], dtype=np.int64)
                vectors = staged.vectors(ids)
                tokens = bm25_matrix.Tokenizer(cache=False).tokens_of([r[1] for r in rows])
                milvus.insert(name, [_row(r, v, t) for r, v, t in zip(rows, vectors, tokens)])
                last = int(ids[-1])
            milvus.flush(name)
        except MilvusException as exc:
            raise IndexCorruptError(f"could not build Milvus collection {name} at {uri}: {exc}") from exc
        finally:
            release(uri)  # a Lite file is closed before its folder is published
        return {"uri": given or LITE_FILE, "collection": name, "index": index["index_type"]}

    @classmethod
    def collect(cls, index_dir: Path, options: dict[str, Any], removed: list[str]) -> None:
        given = str(options.get("milvus_uri") or "")
        if not given:
            return  # Lite files went with their generation folders
        milvus = client(given)
        try:
            for gen_name in removed:
                name = collection_name(index_dir / gen_name)
                if milvus.has_collection(name):
                    milvus.drop_collection(name)
        finally:
            release(given)

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
        return self.fts.search(fts_query, k, np.asarray([h["id"] for h in hits], dtype=np.int64))

    def close(self) -> None:
        self.collection.close()
