"""``BuildOptions``: everything one index build is told, read from the settings in one place.

WHY: ``build_index`` took 13 keyword parameters and read 7 settings at
different depths (the writer read one more), so a caller could not see what
a build would do without reading the whole call tree, and the CLI, the
upload route and the benchmarks each passed a different subset. Now a face
builds one frozen ``BuildOptions`` (``from_settings`` fills every field the
caller leaves out from config.py, once) and the build reads only that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from evsearch import config
from evsearch.store.recipes import resolve as resolve_recipe

MERGE_MODES = ("inline", "background", "off")


@dataclass(frozen=True)
class BuildOptions:
    """How to build; ``None`` fields of a direct construction are filled by ``from_settings``."""

    index_dir: Path
    model: str
    embedding_text: str  # a resolved recipe name (store/recipes.py)
    ann: str  # 'auto', 'flat', 'hnsw', 'ivf' (the preset may fix it)
    backend: str | None  # a preset for a new index; None keeps the index's own (default preset when new)
    default_backend: str  # the preset a new index gets when ``backend`` is None (setting store_backend)
    milvus_uri: str  # '' = a Milvus Lite file in the index
    batch_size: int  # texts per embedding batch
    long_paragraph_chars: int  # longer paragraphs are noted as likely parsing faults
    prune: bool = False  # drop reports whose stored path no longer exists
    rebuild: bool = False  # start from an empty index
    merge: str = "inline"  # segment merges after publishing: inline, background (a nice'd thread) or off

    @classmethod
    def from_settings(
        cls,
        index_dir: str | Path | None = None,
        *,
        model: str | None = None,
        embedding_text: str | None = None,
        ann: str | None = None,
        backend: str | None = None,
        milvus_uri: str | None = None,
        batch_size: int | None = None,
        prune: bool = False,
        rebuild: bool = False,
        merge: str = "inline",
    ) -> "BuildOptions":
        """Options with every unset field taken from the settings (config.py), read here and only here."""
        if merge not in MERGE_MODES:
            raise ValueError(f"merge={merge!r}; choose one of {', '.join(MERGE_MODES)}")
        return cls(
            index_dir=Path(index_dir or config.get("index")),
            model=model or config.get("model"),
            embedding_text=resolve_recipe(embedding_text or config.get("embedding_text")),
            ann=ann or config.get("ann"),
            backend=backend,
            default_backend=config.get("store_backend"),
            milvus_uri=milvus_uri or config.get("milvus_uri"),
            batch_size=int(batch_size or config.get("batch_size")),
            long_paragraph_chars=int(config.get("long_paragraph_chars")),
            prune=prune,
            rebuild=rebuild,
            merge=merge,
        )

    def with_(self, **changes: object) -> "BuildOptions":
        """A copy with some fields changed (frozen dataclass)."""
        return replace(self, **changes)

    @property
    def backend_options(self) -> dict[str, str] | None:
        """What the store keeps per backend in the manifest (``backend_options``)."""
        return {"milvus_uri": self.milvus_uri} if self.milvus_uri else None
