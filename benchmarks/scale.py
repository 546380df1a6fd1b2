"""Figures at scale: build a synthetic index of N paragraphs and time searches through ``Index``.

    nice .venv/bin/python benchmarks/scale.py --paragraphs 1000000 --backend faiss --json
    nice .venv/bin/python benchmarks/scale.py --paragraphs 200000 --backend milvus --json

Synthetic but realistic (docs/scaling.md, "Measured and simulated"):

* texts: sentences of real paragraphs (seed report and ILACS PDFs under
  ../shared/corpus) recombined, 1-4 sentences each, under 150 invented
  local authorities, four grades and 2012-2026;
* vectors: the real embeddings of those real paragraphs (embedded once, kept in
  ``--work``), mixed: each synthetic vector is a normalised blend of two real
  ones plus a little noise, so neighbourhoods and distances look like the
  corpus's without embedding N texts.

The index is written into a generation folder through the store's own
backends (SQLite record store with FTS5, the FAISS IVF or Milvus vector
backend) and opened with ``Index.open``, so queries go through the same read
API the engine calls. Queries are held-out blends (never in the index, no
cache). Latency: ``search_dense`` k=10; filtered: ``ids_where(grade, LA)``
plus ``search_dense`` within it. recall_at_10: overlap with exact inner-
product search over the same vectors. One JSON line with ``--json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
GRADE_LABELS = {1: "outstanding", 2: "good", 3: "requires improvement", 4: "inadequate"}
SECTIONS = ["Help and protection", "Children in care", "Care leavers", "Leadership", "Areas for improvement"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def real_sample(work: Path, reports: int) -> tuple[list[str], np.ndarray]:
    """Texts and embeddings of real paragraphs, embedded once and kept in ``work``."""
    texts_file, vectors_file = work / "real-texts.json", work / "real-vectors.npy"
    if texts_file.is_file() and vectors_file.is_file():
        return json.loads(texts_file.read_text("utf-8")), np.load(vectors_file)
    from evsearch.parser.pipeline import parse_file
    from evsearch.models.embedder import load_embedder

    files = sorted((CORPUS / "seed").glob("*.txt")) + sorted((CORPUS / "ilacs").rglob("*.pdf"))[:reports]
    texts: list[str] = []
    for i, path in enumerate(files):
        try:
            parsed = parse_file(path, f"r{i}")
        except Exception as exc:  # an unreadable PDF only shrinks the sample
            print(f"skip {path.name}: {exc}", file=sys.stderr)
            continue
        texts.extend(p.text for p in parsed.paragraphs if len(p.text) > 80)
    vectors = np.asarray(load_embedder().encode(texts, batch_size=32), dtype=np.float32)
    work.mkdir(parents=True, exist_ok=True)
    texts_file.write_text(json.dumps(texts), "utf-8")
    np.save(vectors_file, vectors)
    return texts, vectors


def blends(real: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.02) -> np.ndarray:
    """``n`` unit vectors, each a blend of two real embeddings plus noise."""
    a, b = rng.integers(0, len(real), n), rng.integers(0, len(real), n)
    w = rng.uniform(0.55, 1.0, (n, 1)).astype(np.float32)
    out = w * real[a] + (1 - w) * real[b]
    out += noise * rng.standard_normal(out.shape).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def write_records(db, sentences: list[list[str]], n: int, rng: np.random.Generator, las: list[str]) -> None:
    """Reports (one per LA and year) and n recombined paragraphs, through the store's named statements."""
    from evsearch.store.rows import judgement_row, paragraph_row, report_row
    from evsearch.records import Judgement, Paragraph, Report

    years = list(range(2012, 2027))
    report_ids = []
    db.begin()
    for la_i, la in enumerate(las):
        for year in years:
            rid = f"{la.lower().replace(' ', '-')}-{year}"
            report_ids.append((rid, la_i))
            report = Report(rid, f"/synthetic/{rid}.pdf", f"Inspection of {la}", la, f"{year}-03-01", None,
                            f"{year}-04-15", "A. Inspector", "ilacs")  # fmt: skip
            db.run("report_insert", report_row(report, content_hash=rid, mtime=0.0, size=1, indexed_at="now"))
            db.run("judgement_insert", judgement_row(Judgement(rid, None, "Overall", 2, "good", None), 0))
    chunk = 20_000
    flat = [s for group in sentences for s in group]
    for start in range(0, n, chunk):
        rows = []
        for pid in range(start, min(n, start + chunk)):
            rid, _ = report_ids[pid % len(report_ids)]
            take = rng.integers(0, len(flat), int(rng.integers(1, 5)))
            grade = int(rng.integers(1, 6))
            section = SECTIONS[pid % len(SECTIONS)]
            p = Paragraph(rid, pid, pid % 200 + 1, "paragraph", " ".join(flat[t] for t in take), part="Findings",
                          section=section, section_path=[section], grade=grade if grade <= 4 else None,
                          grade_label=GRADE_LABELS.get(grade), page=1)  # fmt: skip
            rows.append(paragraph_row(pid, p))
        db.run_many("paragraph_insert", rows)
    db.commit()


def build(args: argparse.Namespace, gen_dir: Path, texts: list[str], real: np.ndarray) -> dict:
    """Write the generation folder; returns its manifest."""
    from evsearch.store import derived, factory, generations, manifest as manifest_mod
    from evsearch.store.database import Database

    rng = np.random.default_rng(7)
    las = [f"Synthshire {i:03d}" for i in range(args.authorities)]
    gen_dir.mkdir(parents=True)
    (gen_dir / generations.IN_USE).touch()
    db = Database(gen_dir / "index.sqlite", writable=True)
    db.create_schema()
    sentences = [[s for s in _SENTENCE.split(t) if len(s) > 20] or [t] for t in texts]
    write_records(db, sentences, args.paragraphs, rng, las)
    db.close()
    kind = "ivf" if args.backend == "faiss" else "flat"
    store = factory.create_vectors(kind, real.shape[1])
    chunk = 100_000
    if kind == "ivf":  # train on a sample; the lists are sized for the whole corpus
        from evsearch.store.faiss_ivf import lists_for

        store.train(blends(real, min(args.paragraphs, 200_000), np.random.default_rng(11)), lists_for(args.paragraphs))
    vec_rng = np.random.default_rng(13)
    for start in range(0, args.paragraphs, chunk):
        n = min(chunk, args.paragraphs - start)
        store.add(np.arange(start, start + n), blends(real, n, vec_rng))
    ann = "ivf" if args.backend == "faiss" else "milvus"
    segment, extra = None, {}
    if args.backend == "milvus":  # as the writer builds it: one segment, its rows in the index's collection
        from evsearch.store import building

        milvus = factory.vector_class(ann)
        segment, entry = building.write_segment(gen_dir.parent, gen_dir / "index.sqlite", store, "after-segment",
                                                milvus, {})  # fmt: skip
        built, ann_params = {}, milvus.segment_params(gen_dir.parent, {}, int(real.shape[1]))
        extra = {"segments": [entry], "deleted": None, "files": {"sqlite": "index.sqlite"},
                 "readers": dict(factory.preset("milvus").segment_readers)}  # fmt: skip
    else:
        store.save(gen_dir / "vectors.faiss")
        source = derived.Source(gen_dir, Database(gen_dir / "index.sqlite"), store)
        built = derived.build(("lexicon",), source)
        ann_params = factory.vector_class(ann).publish(source, {})
        source.db.close()
    manifest = manifest_mod.make(
        generation=1, model="all-MiniLM-L6-v2", model_fingerprint="synthetic", model_backend=None,
        dimension=int(real.shape[1]), embedding_text="section+text", backend=args.backend, backend_options={},
        ann=ann, ann_params=ann_params, stored_as=kind,
        readers={"keyword": "fts5" if args.backend == "faiss" else "milvus", "records": "columns"},
        derived=built, counts={"paragraphs": args.paragraphs, "vectors": args.paragraphs}, build_seconds=0.0,
        created_at=None,
    )  # fmt: skip
    manifest.update(extra)
    manifest_mod.write(gen_dir, manifest)
    generations.publish(gen_dir.parent, gen_dir.name)
    if segment is not None:
        segment.release()
    del store
    gc.collect()
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--backend", choices=("faiss", "milvus"), default="faiss")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--authorities", type=int, default=150)
    parser.add_argument("--reports", type=int, default=12, help="real PDFs whose paragraphs seed the texts")
    parser.add_argument("--work", type=Path, default=Path("/tmp/evsearch-scale"))
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--reuse", action="store_true", help="time the index a previous run built (same N)")
    args = parser.parse_args()

    texts, real = real_sample(args.work, args.reports)
    index_dir = args.work / f"{args.backend}-{args.paragraphs}"
    built_file = index_dir / "build.json"
    if args.reuse and built_file.is_file():
        build_s = json.loads(built_file.read_text())["build_s"]
    else:
        shutil.rmtree(index_dir, ignore_errors=True)
        started = time.perf_counter()
        build(args, index_dir / "gen-000001", texts, real)
        build_s = time.perf_counter() - started
        built_file.write_text(json.dumps({"build_s": build_s}))

    from evsearch.store import Index

    rng = np.random.default_rng(99)
    queries = blends(real, args.queries, rng, noise=0.05)
    grades = rng.integers(1, 5, args.queries)
    las = [f"Synthshire {i:03d}" for i in rng.integers(0, args.authorities, args.queries)]
    with Index.open(index_dir) as index:
        plain, filtered, found = [], [], []
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            hits = index.search_dense(q, 10)
            plain.append(time.perf_counter() - t0)
            found.append([pid for pid, _ in hits])
            t0 = time.perf_counter()
            ids = index.ids_where(grades=[int(grades[i])], local_authorities=[las[i]])
            index.search_dense(q, 10, candidate_ids=ids)
            filtered.append(time.perf_counter() - t0)
    peak_mb = rss_mb()  # before the exact search below, which is not part of serving
    recall = recall_at_10(index_dir, args.backend, queries, found)
    ms = lambda xs, p: round(float(np.percentile(np.asarray(xs) * 1000, p)), 2)  # noqa: E731
    out = {
        "backend": args.backend, "paragraphs": args.paragraphs, "build_s": round(build_s, 1),
        "rss_mb": round(peak_mb), "p50_ms": ms(plain, 50), "p99_ms": ms(plain, 99),
        "filtered_p50_ms": ms(filtered, 50), "filtered_p99_ms": ms(filtered, 99), "recall_at_10": recall,
        "queries": args.queries,
    }  # fmt: skip
    print(json.dumps(out) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


def recall_at_10(index_dir: Path, backend: str, queries: np.ndarray, found: list[list[int]]) -> float:
    """Mean overlap of each query's top-10 with the exact top-10 over the stored vectors."""
    from evsearch.store import factory, generations, manifest as manifest_mod

    gen_dir = index_dir / generations.read_current(index_dir)
    kind = "ivf" if backend == "faiss" else "flat"
    path = gen_dir / "vectors.faiss"
    if backend == "milvus":  # the flat copy of its one segment
        entry = manifest_mod.read(gen_dir)["segments"][0]
        path = index_dir / entry["name"] / entry["files"]["vectors"]
    store = factory.load_vectors(kind, path, queries.shape[1])
    matrix, ids = store._matrix(), store.ids()
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 10), dtype=np.int64)
    for start in range(0, len(matrix), 100_000):  # exact scan in slices of the stored float32 vectors
        scores = queries @ matrix[start : start + 100_000].T
        rows = np.arange(start, start + scores.shape[1])
        both_s = np.concatenate([best_scores, scores], axis=1)
        both_r = np.concatenate([best_rows, np.broadcast_to(rows, scores.shape)], axis=1)
        top = np.argpartition(-both_s, 9, axis=1)[:, :10]
        best_scores, best_rows = np.take_along_axis(both_s, top, 1), np.take_along_axis(both_r, top, 1)
    hits = sum(len(set(ids[r].tolist()) & set(f)) for r, f in zip(best_rows, found))
    return round(hits / (10 * len(queries)), 4)


if __name__ == "__main__":
    main()
