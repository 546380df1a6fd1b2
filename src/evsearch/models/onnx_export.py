"""Build the int8 ONNX file for a sentence-transformers model, once, from local weights.

WHY: plain torch inference is the indexing bottleneck on small CPUs. An ONNX
graph with pooling and normalisation inside, fused by ONNX Runtime's
transformer optimiser and dynamically quantised to int8, runs several times
faster with near-identical embeddings. The export needs only the local weights
(no optimum, no network) and is cached under <cache>/onnx/<fingerprint>-v<N>/;
files are written to a temp name and renamed, and a file lock stops two
processes exporting the same model at once, so nobody ever reads half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Iterator

from evsearch.models import offline  # noqa: F401

from evsearch.models.onnx_backend import ModelLayout, OnnxEncoder
from evsearch.models.resolve import ModelSource
from evsearch.models.weights import cache_root

log = logging.getLogger(__name__)

# Bump when the recipe below changes: old exports are then ignored, not reused.
EXPORT_VERSION = 5
ONNX_FILE = "model-int8.onnx"
META_FILE = "export.json"
FAILED_FILE = "unsupported.txt"
# modules.json class names (matched by last component: the package path moved across versions)
_SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}


# ORT's "bert" optimiser knows these encoder layouts; others are quantised unfused.
_FUSABLE = {"bert", "roberta", "xlm-roberta", "camembert", "electra"}
MIN_AGREEMENT = 0.95
PROBES = (
    "A short probe.",
    "Social workers see children regularly and record what they say in the case file.",
    "The council's plans for care leavers were reviewed, and most young people had a "
    "personal adviser who stayed in touch with them after they turned eighteen years old.",
)


class OnnxUnsupported(Exception):
    """This model cannot take the ONNX path; the caller falls back to torch."""


def read_layout(folder: Path) -> ModelLayout:
    """Read the sentence-transformers config files; raise OnnxUnsupported for anything exotic."""
    modules_path = folder / "modules.json"
    pooling_dir = "1_Pooling"
    if modules_path.is_file():
        modules = json.loads(modules_path.read_text(encoding="utf-8"))
        for module in modules:
            kind = module.get("type", "")
            if kind.rsplit(".", 1)[-1] not in _SUPPORTED_MODULES:
                raise OnnxUnsupported(f"module {kind} in {modules_path} has no ONNX recipe")
            if kind.endswith("Pooling"):
                pooling_dir = module.get("path") or pooling_dir
    pooling_cfg_path = folder / pooling_dir / "config.json"
    pooling_cfg = json.loads(pooling_cfg_path.read_text()) if pooling_cfg_path.is_file() else {}
    modes = [k for k, v in pooling_cfg.items() if k.startswith("pooling_mode_") and v is True]
    mode = pooling_cfg.get("pooling_mode") or (
        modes[0].removeprefix("pooling_mode_").removesuffix("_token").removesuffix("_tokens") if modes else "mean"
    )
    if len(modes) > 1 or mode not in {"mean", "cls", "max"}:
        raise OnnxUnsupported(f"pooling {modes or mode} in {pooling_cfg_path} has no ONNX recipe")
    st_cfg_path = folder / "sentence_bert_config.json"
    st_cfg = json.loads(st_cfg_path.read_text()) if st_cfg_path.is_file() else {}
    model_cfg = json.loads((folder / "config.json").read_text())
    max_len = int(st_cfg.get("max_seq_length") or min(512, model_cfg.get("max_position_embeddings", 512)))
    dim = int(
        pooling_cfg.get("word_embedding_dimension")
        or pooling_cfg.get("embedding_dimension")
        or model_cfg.get("hidden_size")
        or 0
    )
    if not (folder / "tokenizer.json").is_file():
        raise OnnxUnsupported(f"no fast tokenizer file {folder / 'tokenizer.json'}")
    return ModelLayout(mode, max_len, bool(st_cfg.get("do_lower_case", False)), dim)


def export_dir(source: ModelSource, cache: Path | None = None) -> Path:
    return (cache or cache_root()) / "onnx" / f"{source.fingerprint}-v{EXPORT_VERSION}"


def ensure_onnx(source: ModelSource, cache: Path | None = None) -> Path:
    """Path of the cached int8 ONNX file for `source`, exporting it first if needed."""
    target_dir = export_dir(source, cache)
    target = target_dir / ONNX_FILE
    failed = target_dir / FAILED_FILE
    if target.is_file():
        return target
    if failed.is_file():  # known not to export: don't spend 30 s failing again on every start
        raise OnnxUnsupported(failed.read_text(encoding="utf-8").strip())
    target_dir.mkdir(parents=True, exist_ok=True)
    with open(target_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits here, then finds the file
        if not target.is_file():
            layout = read_layout(source.folder)
            log.info("exporting %s to ONNX int8 in %s (one-off, ~1 min)", source.name, target_dir)
            try:
                _build(source, layout, target_dir)
            except OnnxUnsupported as exc:
                failed.write_text(f"{exc} (delete {failed} to retry)\n", encoding="utf-8")
                raise
    return target


def _build(source: ModelSource, layout: ModelLayout, target_dir: Path) -> None:
    work = Path(tempfile.mkdtemp(dir=target_dir, prefix=".build-"))
    try:
        fp32 = work / "fp32.onnx"
        reference = _torch_export(source.folder, layout, fp32)
        int8 = work / ONNX_FILE
        with _quiet_onnxruntime():
            fused = _fuse(fp32, work / "fused.onnx", source.folder)
            _quantize(fused, int8)
        agreement = _agreement(reference, source.folder, int8, layout)
        if agreement < MIN_AGREEMENT:
            raise OnnxUnsupported(
                f"int8 ONNX export of {source.name} disagrees with torch (min cosine {agreement:.3f})"
            )
        meta = {
            "min_cosine_vs_torch": round(agreement, 4),
            "name": source.name,
            "sha256": source.sha256,
            "export_version": EXPORT_VERSION,
            "pooling": layout.pooling,
            "max_seq_length": layout.max_seq_length,
        }
        (work / META_FILE).write_text(json.dumps(meta, indent=1))
        os.replace(work / META_FILE, target_dir / META_FILE)
        os.replace(int8, target_dir / ONNX_FILE)  # last: its presence means "export complete"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _agreement(reference, folder: Path, onnx_file: Path, layout: ModelLayout) -> float:
    """Min cosine between the exported graph and the torch module on probe sentences.

    A safety net for the generic path: a model whose export or fusion goes
    subtly wrong is rejected here (and `auto` falls back to torch) instead of
    silently producing poor vectors.
    """
    import numpy as np
    import torch

    encoder = OnnxEncoder(folder, onnx_file, layout, threads=1)
    prepared = encoder._prepare(list(PROBES))
    ids = [e.ids for e in encoder.tokenizer.encode_batch(prepared)]
    fast = np.stack([encoder.run_ids(row) for row in ids])
    with torch.no_grad():
        ref = np.stack([reference(torch.tensor([row]))[0].numpy() for row in ids])
    return float(np.min(np.sum(fast * ref, axis=1)))


def _torch_export(folder: Path, layout: ModelLayout, out: Path):
    """Export transformer + pooling to `out`; returns the torch module for the agreement check."""
    import torch
    from transformers import AutoModel

    try:
        model = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager")
    except Exception as exc:
        raise OnnxUnsupported(f"transformers cannot load {folder}: {exc}") from exc
    model.eval()

    class Pooled(torch.nn.Module):
        """Transformer + pooling + L2 normalisation, so ONNX returns final embeddings.

        No attention mask: every text runs alone (onnx_backend), so every token is real.
        Dropping the mask removes its expansion and the masked Add in each layer (~4% of
        the CPU per text); rows of one call must therefore have equal length, unpadded.
        """

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
            tokens = self.model(input_ids=input_ids)[0]
            if layout.pooling == "cls":
                pooled = tokens[:, 0]
            elif layout.pooling == "max":
                pooled = tokens.max(dim=1).values
            else:
                pooled = tokens.mean(dim=1)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    module = Pooled().eval()
    ids = torch.ones((1, 16), dtype=torch.long)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings; correctness is checked by _agreement
            torch.onnx.export(
                module,
                (ids,),
                str(out),
                input_names=["input_ids"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
    except Exception as exc:
        raise OnnxUnsupported(f"torch.onnx.export failed for {folder}: {exc}") from exc
    return module


@contextlib.contextmanager
def _quiet_onnxruntime() -> Iterator[None]:
    """Keep ORT's optimiser and quantiser to errors while they run (one-off export: one line, not ~60).

    WHY the root logger too: onnxruntime.quantization logs with bare ``logging.info`` /
    ``logging.warning`` (one line per tensor, plus a pre-processing tip that does not
    apply to a graph we just fused), which no named logger can silence.
    """
    ours = logging.getLogger("evsearch")
    loggers = [logging.getLogger(), logging.getLogger("onnxruntime"), ours]
    saved = [logger.level for logger in loggers]
    ours.setLevel(ours.getEffectiveLevel())  # our own lines ("fusion skipped") keep their level
    for logger in loggers[:2]:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, saved):
            logger.setLevel(level)


def _fuse(src: Path, dst: Path, model_folder: Path) -> Path:
    """ORT's transformer optimiser (GELU and bias fusion, see below); the plain graph if it fails."""
    cfg = json.loads((model_folder / "config.json").read_text())
    if cfg.get("model_type") not in _FUSABLE:
        log.info("ONNX fusion skipped: no fusion recipe for model_type %r", cfg.get("model_type"))
        return src
    try:
        from onnxruntime.transformers.fusion_options import FusionOptions
        from onnxruntime.transformers.optimizer import optimize_model

        heads = int(cfg.get("num_attention_heads") or cfg.get("n_heads") or 0)
        hidden = int(cfg.get("hidden_size") or cfg.get("dim") or 0)
        options = FusionOptions("bert")
        options.enable_gelu_approximation = True  # tanh GELU: ~5% faster, cosine change < 0.001
        # Attention and SkipLayerNorm stay unfused: int8 QAttention and the fused SkipLayerNorm
        # (bias included) cost 14% more CPU per text than int8 Q/K/V matmuls + plain attention
        # ops, whose Add + LayerNorm ORT re-fuses at session load (docs/models.md).
        options.enable_attention = False
        options.enable_skip_layer_norm = False
        optimized = optimize_model(
            str(src), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1,
            optimization_options=options,
        )
        optimized.save_model_to_file(str(dst))
        log.info("ONNX fusions: %s", optimized.get_fused_operator_statistics())
        return dst
    except Exception as exc:  # fusion is an optimisation, never a requirement
        log.warning("ONNX fusion skipped (%s); using the unfused graph", exc)
        return src


def _quantize(src: Path, dst: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src),
        str(dst),
        weight_type=QuantType.QInt8,
        per_channel=True,  # per-tensor int8 loses ~0.05 cosine on MiniLM
        reduce_range=True,  # 7-bit weights: AVX2 u8s8 kernels saturate on full-range int8
        # the matmuls are the cost; int8 embedding tables only lose accuracy (min cosine .974 -> .980)
        op_types_to_quantize=["MatMul", "Attention"],
        # fused contrib ops defeat ONNX shape inference; their outputs are float32
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
