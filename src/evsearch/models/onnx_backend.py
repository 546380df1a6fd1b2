"""Run the int8 ONNX export: fast tokenizer, length-sorted batches, one ORT session.

WHY: most of the cost of embedding long paragraphs is padding and float32
matmuls. Sorting texts by token count before batching keeps padding near zero,
the int8 graph (see onnx_export.py) cuts matmul cost, and the `tokenizers`
library tokenises a whole batch in Rust. Pooling and normalisation happen in
the graph, so the output is already the final embedding.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np

from evsearch.models.onnx_export import ModelLayout


def _threads(requested: int) -> int:
    return requested if requested > 0 else (len(os.sched_getaffinity(0)) or os.cpu_count() or 1)


class OnnxEncoder:
    """Tokenizer + ONNX Runtime session for one exported model (thread-safe for reads)."""

    def __init__(self, model_folder: Path, onnx_file: Path, layout: ModelLayout, *, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.layout = layout
        self.tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        # tokenizer.json may carry fixed padding/truncation (128 for MiniLM); use the
        # sentence-transformers max_seq_length instead and pad per batch ourselves.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=layout.max_seq_length)
        self.pad_id = self._pad_id()
        options = ort.SessionOptions()
        options.intra_op_num_threads = _threads(threads)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # no busy-waiting between ops: on a shared 2-core box spinning threads burn
        # ~15% more CPU for the same work and slow the neighbours down
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        out = self.session.get_outputs()[0]
        self.dimension = int(out.shape[-1]) if isinstance(out.shape[-1], int) else layout.dimension

    def _pad_id(self) -> int:
        padding = self.tokenizer.padding  # None after no_padding(); look the token up instead
        for token in ("[PAD]", "<pad>"):
            token_id = self.tokenizer.token_to_id(token)
            if token_id is not None:
                return token_id
        return 0 if padding is None else int(padding.get("pad_id", 0))

    def _prepare(self, texts: list[str]) -> list[str]:
        texts = [str(t).strip() for t in texts]
        return [t.lower() for t in texts] if self.layout.lowercase else texts

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(row) for row in ids)
        input_ids = np.full((len(ids), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        (out,) = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return np.asarray(out, dtype=np.float32)

    def encode(
        self, texts: list[str], batch_size: int, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embeddings in input order; batches are formed over texts sorted by token count."""
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return result
        encodings = self.tokenizer.encode_batch(self._prepare(texts), add_special_tokens=True)
        ids = [e.ids for e in encodings]
        order = np.argsort([len(row) for row in ids], kind="stable")
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            result[chunk] = self._run([ids[i] for i in chunk])
            if progress is not None:
                progress(len(chunk))
        return result

    def encode_one(self, text: str) -> np.ndarray:
        """One text, no batching overhead: the query-latency path."""
        (prepared,) = self._prepare([text])
        ids = self.tokenizer.encode(prepared).ids
        return self._run([ids])[0]
