"""Guards on the ONNX speed recipe: the export stays fused + int8, and vectors stay batch-independent.

WHY: both properties are easy to lose silently. A failed fusion or a skipped
quantisation still produces good vectors, only ~1.5x slower; batching texts in
one ORT call would make a text's vector depend on its batch-mates (dynamic int8
picks one activation scale per tensor). The measurements behind both choices
are in docs/models.md.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import onnx

from evsearch.models.embedder import Embedder

# Our own sentences. The first two have the same number of tokens, so a
# length-bucketed batching scheme would put them in one padded-free batch.
TEXTS = [
    "Inspectors found that plans for children were reviewed on time.",
    "Managers said visits to young people were recorded on time.",
    "Short note.",
    "The service for disabled children has improved since the last visit, and parents say "
    "they are listened to, although waiting lists for short breaks are still too long.",
]


def _op_counts(embedder: Embedder) -> tuple[Counter[str], set[str], list[onnx.NodeProto]]:
    model = onnx.load(str(embedder.onnx_file))  # type: ignore[attr-defined]
    ops = Counter(node.op_type for node in model.graph.node)
    initialisers = {init.name for init in model.graph.initializer}
    return ops, initialisers, list(model.graph.node)


def test_export_is_fused_and_int8(onnx_embedder: Embedder) -> None:
    ops, initialisers, nodes = _op_counts(onnx_embedder)
    layers = 6  # all-MiniLM-L6-v2
    assert ops["QAttention"] == layers  # fused attention with int8 QKV projection
    assert ops["SkipLayerNormalization"] == 2 * layers
    assert ops["FastGelu"] == layers  # tanh-GELU fusion (BiasGelu folded in)
    assert ops["EmbedLayerNormalization"] == 1
    assert ops["MatMulInteger"] == 3 * layers  # attention output + two FFN matmuls
    float_weight_matmuls = [n.name for n in nodes if n.op_type == "MatMul" and n.input[1] in initialisers]
    assert float_weight_matmuls == [], f"matmuls left in float32: {float_weight_matmuls}"


def test_vectors_do_not_depend_on_batch_mates(onnx_embedder: Embedder) -> None:
    tokenizer = onnx_embedder._encoder.tokenizer  # type: ignore[attr-defined]
    lengths = [len(tokenizer.encode(t).ids) for t in TEXTS[:2]]
    assert lengths[0] == lengths[1], f"fixture texts should have equal token counts, got {lengths}"
    alone = np.stack([onnx_embedder.encode([t])[0] for t in TEXTS])
    together = onnx_embedder.encode(TEXTS, batch_size=16)
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-6)
    queries = np.stack([onnx_embedder.encode_query(t) for t in TEXTS])
    np.testing.assert_allclose(queries, alone, rtol=0, atol=1e-6)
