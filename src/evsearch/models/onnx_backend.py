"""Run the int8 ONNX export: fast tokenizer, one text per run, runs in parallel threads.

WHY: most of the cost of embedding long paragraphs is float32 matmuls and
padding. The int8 graph (see onnx_export.py) cuts matmul cost; running each
text alone removes padding entirely and keeps the result independent of its
batch-mates (see OnnxEncoder.encode); one single-threaded run per core keeps
both cores busy without intra-op synchronisation. The `tokenizers` library
tokenises the whole list in Rust. Pooling and normalisation happen in the
graph, so the output is already the final embedding.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


# Texts per hand-out to a worker thread: small, so that at the end of a call the cores finish
# together (one item of ~4 short texts is ~20 ms), yet ~100x the cost of handing it out.
WORK_ITEM = 4


def _threads(requested: int) -> int:
    return requested if requested > 0 else (len(os.sched_getaffinity(0)) or os.cpu_count() or 1)


@dataclass(frozen=True)
class ModelLayout:
    """What the graph must reproduce: pooling mode, truncation length, case handling, width
    (read from the model folder by onnx_export.read_layout, which builds the graph this runs)."""

    pooling: str
    max_seq_length: int
    lowercase: bool
    dimension: int


class OnnxEncoder:
    """Tokenizer + ONNX Runtime session for one exported model (thread-safe for reads)."""

    def __init__(self, model_folder: Path, onnx_file: Path, layout: ModelLayout, *, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.layout = layout
        self.tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        # tokenizer.json may carry fixed padding/truncation (128 for MiniLM); use the
        # sentence-transformers max_seq_length instead.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=layout.max_seq_length)
        options = ort.SessionOptions()
        # one thread per run, `workers` runs in parallel: on 2-4 cores parallel
        # single-text runs use the CPU better than intra-op splitting of small matmuls
        self.workers = _threads(threads)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        out = self.session.get_outputs()[0]
        self.dimension = int(out.shape[-1]) if isinstance(out.shape[-1], int) else layout.dimension

    def _prepare(self, texts: list[str]) -> list[str]:
        texts = [str(t).strip() for t in texts]
        return [t.lower() for t in texts] if self.layout.lowercase else texts

    def run_ids(self, ids: list[int]) -> np.ndarray:
        """The embedding of one tokenised text (the graph has no attention mask: one text per run)."""
        (out,) = self.session.run(None, {"input_ids": np.asarray([ids], dtype=np.int64)})
        return np.asarray(out[0], dtype=np.float32)

    def _run_chunk(self, chunk: list[list[int]]) -> np.ndarray:
        return np.stack([self.run_ids(ids) for ids in chunk])

    def encode(
        self, texts: list[str], batch_size: int, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embeddings in input order.

        Each text runs on its own (batch of one): dynamic int8 quantisation scales
        activations per tensor, so in a batch a text's vector would depend on its
        neighbours (~0.99 cosine to itself); alone, it is deterministic, needs no
        padding (the graph has no attention mask), and agrees better with torch.
        Batching was also slower here per CPU-second (docs/models.md). Texts go to the
        worker threads longest first, `WORK_ITEM` at a time, so both cores stay busy
        to the end of the call; `progress` is called once per `batch_size` texts.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prepared = self._prepare(texts)
        # the same text gets the same vector: embed each distinct text once (~1% of corpus paragraphs repeat)
        slot = {text: i for i, text in enumerate(dict.fromkeys(prepared))}
        ids = [e.ids for e in self.tokenizer.encode_batch(list(slot), add_special_tokens=True)]
        order = np.argsort([-len(row) for row in ids], kind="stable")
        items = [order[i : i + WORK_ITEM] for i in range(0, len(order), WORK_ITEM)]
        work = ([ids[i] for i in item] for item in items)
        pool = self._executor()
        outputs = pool.map(self._run_chunk, work) if pool is not None else map(self._run_chunk, work)
        vectors = np.zeros((len(slot), self.dimension), dtype=np.float32)
        done = reported = 0
        for item, rows in zip(items, outputs):
            vectors[item] = rows
            done += len(item)
            while progress is not None and (done - reported >= batch_size or reported < done == len(order)):
                step = min(batch_size, done - reported)
                progress(step)
                reported += step
        if progress is not None and len(prepared) > len(slot):
            progress(len(prepared) - len(slot))  # the repeats, done with their first copy
        return vectors[[slot[text] for text in prepared]]

    def _executor(self) -> ThreadPoolExecutor | None:
        if self.workers <= 1:
            return None
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="evsearch-embed")
            return self._pool

    def encode_one(self, text: str) -> np.ndarray:
        """One text in the calling thread: the query-latency path."""
        (prepared,) = self._prepare([text])
        return self.run_ids(self.tokenizer.encode(prepared).ids)
