"""Guards on the ONNX speed recipe: the export stays int8 in the measured-fastest layout, and vectors
stay batch-independent.

WHY: both properties are easy to lose silently. A different fusion or a skipped
quantisation still produces good vectors, only 15-150% slower; batching texts in
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


def test_export_is_int8_with_unfused_attention_and_no_mask(onnx_embedder: Embedder) -> None:
    model = onnx.load(str(onnx_embedder.onnx_file))  # type: ignore[attr-defined]
    ops, initialisers, nodes = _op_counts(onnx_embedder)
    layers = 6  # all-MiniLM-L6-v2
    # Q, K, V, attention output and the two FFN matmuls of every layer run in int8
    assert ops["MatMulInteger"] == 6 * layers
    assert ops["FastGelu"] == layers  # tanh-GELU fusion (BiasGelu folded in)
    # the measured-slower fusions stay off (docs/models.md): no QAttention, no SkipLayerNorm
    assert ops["QAttention"] == 0 and ops["Attention"] == 0 and ops["SkipLayerNormalization"] == 0
    float_weight_matmuls = [n.name for n in nodes if n.op_type == "MatMul" and n.input[1] in initialisers]
    assert float_weight_matmuls == [], f"matmuls left in float32: {float_weight_matmuls}"
    assert ops["MatMul"] == 2 * layers  # only scores = QK^T and scores x V stay float32
    # one text per run: the graph takes token ids only, no attention mask
    assert [i.name for i in model.graph.input] == ["input_ids"]


def test_vectors_do_not_depend_on_batch_mates(onnx_embedder: Embedder) -> None:
    tokenizer = onnx_embedder._encoder.tokenizer  # type: ignore[attr-defined]
    lengths = [len(tokenizer.encode(t).ids) for t in TEXTS[:2]]
    assert lengths[0] == lengths[1], f"fixture texts should have equal token counts, got {lengths}"
    alone = np.stack([onnx_embedder.encode([t])[0] for t in TEXTS])
    together = onnx_embedder.encode(TEXTS, batch_size=16)
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-6)
    queries = np.stack([onnx_embedder.encode_query(t) for t in TEXTS])
    np.testing.assert_allclose(queries, alone, rtol=0, atol=1e-6)
