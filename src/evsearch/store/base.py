"""The store's three interfaces: record store, keyword index, vector index.

WHY one interface per concern (txtai's ``ann/base.py`` habit): the read
orchestrator (``Index``) and the writer only talk to these, so a faster or a
distributed engine is one new module registered in ``factory.py``, never a
branch through the orchestrator. Every backend of a concern passes one shared
test suite (tests/store/test_backends.py).

Filters travel as ``Candidates``: the sorted paragraph ids the record store
found for a ``Filters`` spec, carrying that spec, so a backend that can apply
the filter itself inside retrieval (Milvus) does so, and the others use the
ids. Arrays built by callers (intersections) are plain id arrays.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, TypedDict

import numpy as np

from evsearch.store.filters import Filters, as_values

Hits = list[tuple[int, float]]


class FacetsRow(TypedDict):
    """What ranking boosts, facets and grouping read of a paragraph (``RecordStore.facets``)."""

    id: int
    report_id: str
    section: str | None
    grade: int | None
    kind: str


class ParagraphRecord(FacetsRow):
    """A whole paragraph as stored (``RecordStore.paragraphs``; schema.PARAGRAPH_COLUMNS).

    TypedDicts, not dataclasses: the search stages read records by key, and a
    paragraph record is annotated in place on its way to a ``Hit``."""

    seq: int
    number: int | None
    text: str
    part: str | None
    section_path: list[str]
    grade_label: str | None
    page: int | None
    timeframe: str | None
    within: int | None
    duplicate_group: int | None


class Candidates(np.ndarray):
    """Sorted int64 paragraph ids that passed ``filters`` (an ndarray, so callers use it as one)."""

    filters: Filters | None

    @classmethod
    def of(cls, ids: np.ndarray, filters: Filters) -> "Candidates":
        out = np.asarray(ids, dtype=np.int64).view(cls)
        out.filters = filters
        return out

    def __array_finalize__(self, obj: Any) -> None:
        # slices and ufunc results are no longer "exactly the filter's ids": drop the spec
        self.filters = None


def filters_of(candidate_ids: np.ndarray | None) -> Filters | None:
    """The filter spec behind ``candidate_ids`` when they are exactly a record-store answer."""
    return candidate_ids.filters if isinstance(candidate_ids, Candidates) else None


@dataclass
class Generation:
    """One generation folder being opened: what every backend's ``open`` reads."""

    gen_dir: Path
    manifest: dict[str, Any]
    db: Any  # the generation's Database (records and FTS5 live in SQLite for every backend)
    fast: bool  # the 'memory_indexes' setting: derived in-memory structures, or the sources of truth

    def derived(self, name: str) -> Path | None:
        """The file of a derived structure built into this generation (derived.py), None if absent."""
        file_name = (self.manifest.get("derived") or {}).get(name)
        return self.gen_dir / file_name if file_name else None

    @property
    def dimension(self) -> int:
        return int(self.manifest["dimension"])

    @property
    def segmented(self) -> bool:
        """Vectors, BM25 and lexicon live in shared segment folders (segments.py), not in the generation."""
        return "segments" in self.manifest


@dataclass(frozen=True)
class JudgementFilter:
    """Which judgements to list: the names of schema.JUDGEMENT_FILTERS; None = not filtered, several
    values ORed (``JudgementFilter.of`` takes one value or many)."""

    grade: tuple[int, ...] | None = None
    title: str | None = None  # part of the title, any case
    local_authority: tuple[str, ...] | None = None  # any case
    report_id: tuple[str, ...] | None = None
    year: tuple[int, ...] | None = None  # inspected or published
    framework: tuple[str, ...] | None = None
    family: tuple[str, ...] | None = None

    @classmethod
    def of(cls, *, title: str | None = None, **given: Any) -> "JudgementFilter":
        return cls(title=title, **{name: None if value is None else as_values(value) for name, value in given.items()})

    def active(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value}


class RecordStore(ABC):
    """Reports, judgements and paragraphs of one generation, and the filters over them.

    Everything ``Index`` (the read orchestrator) calls is declared here, so a new
    record backend knows its whole contract (txtai's ``ann/base.py`` habit)."""

    kind: ClassVar[str]

    @classmethod
    @abstractmethod
    def open(cls, gen: Generation) -> "RecordStore": ...

    @abstractmethod
    def ids_where(self, filters: Filters) -> np.ndarray:
        """Sorted ids of the paragraphs passing ``filters`` (at least one clause)."""

    @abstractmethod
    def paragraphs(self, ids: list[int]) -> list[ParagraphRecord]:
        """Records in the order of ``ids``; unknown ids are skipped."""

    @abstractmethod
    def facets(self, ids: list[int]) -> list[FacetsRow]:
        """At least id, report_id, section, grade and kind of ``ids`` (a backend may give whole
        records: ranking keeps them); unknown ids are skipped."""

    @abstractmethod
    def paragraph(self, report_id: str, number: int) -> ParagraphRecord:
        """The numbered paragraph (NotFoundError when the report has no such number)."""

    @abstractmethod
    def report(self, report_id: str) -> dict[str, Any]:
        """A report's metadata with its ``judgements`` (NotFoundError for an unknown id)."""

    @abstractmethod
    def reports(
        self, *, local_authority: str | None = None, year: int | None = None, framework: str | None = None
    ) -> list[dict[str, Any]]:
        """Reports passing the given filters (None = not filtered), by report id."""

    @abstractmethod
    def judgements(self, where: JudgementFilter) -> list[dict[str, Any]]:
        """Judgements passing ``where``, each with its report's local_authority, year and framework."""

    @abstractmethod
    def judgement(self, judgement_id: int) -> dict[str, Any]:
        """One judgement (NotFoundError for an unknown id)."""

    @abstractmethod
    def vocabulary(self) -> dict[str, list]:
        """Distinct values query understanding matches words against: local_authorities, years,
        sections, parts, judgement_titles, frameworks, kinds."""

    @abstractmethod
    def count(self, what: str) -> int:
        """Rows of ``what``: reports, paragraphs, judgements or fts_docs."""

    @abstractmethod
    def close(self) -> None: ...


class KeywordIndex(ABC):
    """BM25 over paragraph text; ``fts_query`` is a safe FTS5 MATCH expression (search/keywords.py quotes every term)."""

    kind: ClassVar[str]
    # True when restricting to any candidate set costs no more than an unrestricted search
    cheap_filter: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def open(cls, gen: Generation) -> "KeywordIndex": ...

    @abstractmethod
    def search(self, fts_query: str, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        """Best ``k`` (id, score), higher is better, within ``candidate_ids`` when given."""

    def close(self) -> None:
        pass


class VectorIndex(ABC):
    """Id-addressed inner-product search over L2-normalised float32 vectors."""

    kind: ClassVar[str]
    file_name: ClassVar[str] = "vectors.faiss"
    # True when ``add_segment`` keeps a segment's rows in the engine's own store and searches them
    # there (Milvus): segment folders then hold no BM25 matrix and no PQ codes
    searches_own_rows: ClassVar[bool] = False

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def remove(self, ids: np.ndarray) -> int:
        """Drop these ids; returns how many were present."""

    @abstractmethod
    def search(self, query: np.ndarray, k: int, candidate_ids: np.ndarray | None = None) -> Hits:
        """Best ``k`` (id, inner product) pairs, best first, limited to ``candidate_ids`` when given."""

    @abstractmethod
    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids``, in that order (KeyError for an unknown id)."""

    @abstractmethod
    def ids(self) -> np.ndarray: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def save(self, path: Path) -> None: ...

    @classmethod
    @abstractmethod
    def load(cls, path: Path, dimension: int) -> "VectorIndex": ...

    @classmethod
    def open(cls, gen: Generation) -> "VectorIndex":
        """The published index of ``gen`` for reading (a backend may wrap it in faster structures)."""
        return cls.load(gen.gen_dir / gen.manifest["files"]["vectors"], gen.dimension)

    @classmethod
    def hold(cls, index_dir: Path, options: dict[str, Any]) -> AbstractContextManager:
        """What the writer holds from its first change until it ends (an external engine's
        connection, opened before any work so a busy engine fails first); nothing for FAISS."""
        return nullcontext()

    @classmethod
    def publish(cls, source: Any, options: dict[str, Any]) -> dict[str, Any]:
        """Called by the writer before the generation is published (``source``: derived.Source);
        returns the manifest's ``ann_params``. A FAISS index is already saved; an external engine
        builds its own copy here (a Milvus collection)."""
        return source.vectors.params()

    @classmethod
    def add_segment(cls, index_dir: Path, sqlite: Path, entry: dict[str, Any], store: "VectorIndex",
                    options: dict[str, Any]) -> None:  # fmt: skip
        """Called when a write or a merge has written a segment folder (``entry``, rows of ``store``,
        records in ``sqlite``), before it is published: an external engine adds the rows to its own
        store here. FAISS reads the segment folder itself."""

    @classmethod
    def segment_params(cls, index_dir: Path, options: dict[str, Any], dimension: int) -> dict[str, Any]:
        """The manifest's ``ann_params`` of a segmented generation."""
        return {}

    @classmethod
    def collect(cls, index_dir: Path, options: dict[str, Any], removed: list[str]) -> None:
        """Drop what this backend keeps outside the generation folders for ``removed`` generations."""

    def params(self) -> dict[str, Any]:
        """Backend settings recorded in the manifest."""
        return {}

    def close(self) -> None:
        pass


__all__ = [
    "Candidates", "FacetsRow", "Filters", "Generation", "Hits", "JudgementFilter", "KeywordIndex", "ParagraphRecord",
    "RecordStore",
    "VectorIndex", "filters_of",
]  # fmt: skip
