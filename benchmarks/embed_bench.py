"""Embedding throughput: plain SentenceTransformer.encode (torch, batch 32) vs evsearch's fast path.

Encodes the same real paragraphs (seed text split on blank lines, then ILACS
PDF text split at numbered paragraphs) with both, in one process, and prints
paragraphs/s (wall clock and per CPU-second), the speed ratio, the mean/min
cosine between the two embeddings, query latency and peak RSS.

    nice -n 10 .venv/bin/python benchmarks/embed_bench.py [--n 2000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
sys.path.insert(0, str(REPO / "src"))

from evsearch.models import offline  # noqa: E402,F401
from evsearch.models.embedder import load_embedder  # noqa: E402


def _pdf_blocks(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return []  # the corpus holds a few unreadable PDFs on purpose
    try:
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    text = text.replace("\r", "")
    blocks = re.split(r"\n(?=\d{1,3}\.\s)", text)  # numbered paragraphs start a block
    return [" ".join(b.split()) for b in blocks if len(b.split()) >= 8]


def paragraphs(n: int) -> list[str]:
    """Up to n real paragraph texts; exits with a message when the corpus is absent."""
    if not CORPUS.exists():
        sys.exit(f"corpus not found at {CORPUS}")
    texts: list[str] = []
    for seed in sorted((CORPUS / "seed").glob("*.txt")):
        raw = seed.read_text(encoding="utf-8")
        texts += [" ".join(b.split()) for b in re.split(r"\n\s*\n", raw) if b.strip()]
    for pdf in sorted((CORPUS / "ilacs").glob("*/*.pdf")):
        if len(texts) >= n:
            break
        texts += _pdf_blocks(pdf)
    return texts[:n]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, texts: list[str]) -> tuple[float, float, np.ndarray]:
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn(texts)
    return time.perf_counter() - t0, time.process_time() - c0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="paragraphs to encode")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per backend (median)")
    parser.add_argument("--model", default=None, help="model name/path (default: setting 'model')")
    args = parser.parse_args()

    texts = paragraphs(args.n)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"texts: {len(texts)} paragraphs, mean {words:.0f} words")

    t0 = time.perf_counter()
    fast = load_embedder(args.model, "onnx")
    print(f"fast path: {fast!r} loaded in {time.perf_counter() - t0:.1f}s")
    fast.encode(texts[:16])
    fast_runs = [timed(fast.encode, texts) for _ in range(args.repeats)]
    queries = ["how well are care leavers supported", "quality of child protection plans", "missing children"]
    latencies = []
    for _ in range(20):
        for q in queries:
            q0 = time.perf_counter()
            fast.encode_query(q)
            latencies.append((time.perf_counter() - q0) * 1000)
    rss_fast = peak_rss_mb()

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(fast.folder), device="cpu")
    model.encode(texts[:16], batch_size=32)
    plain = lambda batch: model.encode(batch, batch_size=32, normalize_embeddings=True, show_progress_bar=False)  # noqa: E731
    torch_runs = [timed(plain, texts) for _ in range(args.repeats)]
    rss_all = peak_rss_mb()

    def rates(runs: list[tuple[float, float, np.ndarray]]) -> tuple[float, float]:
        return (
            len(texts) / statistics.median(r[0] for r in runs),
            len(texts) / statistics.median(r[1] for r in runs),
        )

    torch_ps, torch_cpu = rates(torch_runs)
    fast_ps, fast_cpu = rates(fast_runs)
    cos = np.sum(fast_runs[-1][2] * torch_runs[-1][2], axis=1)
    print(f"torch (SentenceTransformer.encode, batch 32): {torch_ps:7.1f} paragraphs/s  ({torch_cpu:.1f} per CPU-s)")
    print(f"fast  ({fast.backend} int8, 1 text/run x cores):  {fast_ps:7.1f} paragraphs/s  ({fast_cpu:.1f} per CPU-s)")
    print(f"ratio: {fast_ps / torch_ps:.2f}x wall, {fast_cpu / torch_cpu:.2f}x per CPU-s  (median of {args.repeats})")
    print(f"cosine fast vs torch: mean {cos.mean():.4f}, min {cos.min():.4f}, p1 {np.percentile(cos, 1):.4f}")
    print(f"encode_query latency: median {statistics.median(latencies):.2f} ms, p90 {np.percentile(latencies, 90):.2f} ms")
    print(f"peak RSS: {rss_fast:.0f} MB after fast path only, {rss_all:.0f} MB with torch loaded too")


if __name__ == "__main__":
    main()
