"""What one small upload costs: into an empty index vs a ~12k-paragraph one (issue 18: segments).

    nice .venv/bin/python benchmarks/upload_cost.py --cache /work/segbench

Builds (once; reused from ``--cache``) a base index of the seed report and enough ILACS PDFs
for ``--paragraphs`` paragraphs. Then, each on a fresh copy, it indexes a 3-paragraph report
(written here, in our own words) into an empty index and into the base, ``--trials`` times
each, timing what a server's upload job does: ``build_index`` (parse, embed, write the segment,
publish, merge) plus opening the new generation (``Index.open``, as ``Engine.refresh``) while the
old one is open.
Then it adds ``--uploads`` such reports one after another to one copy of the base and compares
its disk use with the base's. ``--base DIR`` uses an existing index instead (e.g. the whole
corpus, benchmarks/index_corpus.py --index DIR); it is only read: every write goes to a copy.
With ``--server`` it also times uploads end to end through `evsearch serve` (``POST /reports?wait=true``,
from the request to the answer that the report is indexed and served) and its memory with 6 queued.
``--milvus-uploads N`` measures only the Milvus Lite preset (issue 18: a milvus_lite process per
open generation): it builds a 3-report Milvus index here, starts `evsearch serve` on it, queues
N uploads at once and samples every 50 ms, until ``--milvus-settle`` seconds after the last job
(the server closes a retired generation 30 s after swapping it out), the number of milvus
processes under the server and the RSS of the server with all its child processes.
Prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from procfs import status_mb

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def small_report(folder: Path, n: int) -> Path:
    """A 3-paragraph report of our own words; ``n`` makes its name and text new to the index."""
    path = folder / f"upload-{n}.txt"
    path.write_text(
        f"Inspection of Upland Vale {n} local authority children's services\n\n"
        "Inspection dates: 2 to 13 June 2025\n\nLead inspector: Sam Example\n\n"
        f"1. Social workers in team {n} visit children often and know them well.\n\n"
        f"2. Managers check plans for {n} families each month and act when work drifts.\n\n"
        f"3. Care leavers in area {n} have a personal adviser and a safe place to live.\n",
        encoding="utf-8",
    )
    return path


def base_sources(target: int) -> list[Path]:
    """The seed report and ILACS PDFs in a fixed order (about 160 paragraphs each)."""
    pdfs = sorted(p for p in CORPUS.glob("ilacs/*/*.pdf") if p.stat().st_size > 300_000)
    return [*sorted((CORPUS / "seed").glob("*.txt")), *pdfs[: max(1, target // 160)]]


def build_base(cache: Path, target: int, embedder) -> Path:
    from evsearch.indexer.build import build_index
    from evsearch.store import Index

    index_dir = cache / f"base-{target}"
    if not (index_dir / "CURRENT").exists():
        src = cache / f"src-{target}"
        src.mkdir(parents=True, exist_ok=True)
        for n, path in enumerate(base_sources(target)):
            link = src / f"{n:04d}-{path.name}"
            if not link.exists():
                link.symlink_to(path)
        started = time.monotonic()
        result = build_index([src], index_dir, embedder=embedder)
        print(json.dumps({"built_base": str(index_dir), "summary": result.summary(),
                          "seconds": round(time.monotonic() - started, 1)}))  # fmt: skip
    with Index.open(index_dir) as index:
        print(json.dumps({"base_paragraphs": index.paragraph_count, "base_segments": index.stats()["segments"]}))
    return index_dir


class KnownVectors:
    """The real embedder, answering texts the base index already embedded with the vectors the model
    gave them there (the model is deterministic), so copies of the base cost no embedding."""

    def __init__(self, embedder, base: Path) -> None:
        from types import SimpleNamespace

        from evsearch.store import Index
        from evsearch.store.recipes import embedding_text

        self.embedder = embedder
        self.name, self.fingerprint = embedder.name, embedder.fingerprint
        self.dimension, self.backend = embedder.dimension, embedder.backend
        with Index.open(base) as index:
            ids = index.dense.ids()
            recipe = index.manifest["embedding_text"]
            texts = [embedding_text(recipe, SimpleNamespace(**r)) for r in index.paragraphs(ids.tolist())]
            self.known = dict(zip(texts, index.vectors(ids)))

    def encode(self, texts: list[str], *, batch_size: int | None = None, progress=None):
        import numpy as np

        missing = [t for t in texts if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.embedder.encode(missing, batch_size=batch_size)))
        if progress is not None:
            progress(len(texts))
        return np.stack([self.known[t] for t in texts])


def build_copies(cache: Path, base: Path, target: int, copies: int, embedder) -> Path:
    """A larger base: every report of ``base`` ``copies`` times under new ids (texts and vectors
    equal to the originals'), built through build_index like any index."""
    from dataclasses import replace

    from evsearch.indexer.build import build_index
    from evsearch.parser.pipeline import parse_file

    index_dir = cache / f"base-{target}x{copies}"
    if (index_dir / "CURRENT").exists():
        return index_dir
    src = cache / f"src-{target}x{copies}"
    src.mkdir(parents=True, exist_ok=True)
    originals = sorted((cache / f"src-{target}").iterdir())
    for k in range(copies):
        for n, original in enumerate(originals):
            (src / f"copy{k}-{n:04d}.txt").write_text(f"{k}\n{original}\n", encoding="utf-8")
    parsed: dict[str, object] = {}

    def parse(path: Path, report_id: str):
        k, original = path.read_text(encoding="utf-8").split("\n")[:2]
        if original not in parsed:
            parsed[original] = parse_file(Path(original), Path(original).stem)
        one = parsed[original]
        rid = f"{one.report.report_id}-copy{k}"  # type: ignore[attr-defined]
        return replace(one, report=replace(one.report, report_id=rid),  # type: ignore[attr-defined]
                       judgements=[replace(j, report_id=rid) for j in one.judgements],  # type: ignore[attr-defined]
                       paragraphs=[replace(p, report_id=rid) for p in one.paragraphs])  # type: ignore[attr-defined]  # fmt: skip

    started = time.monotonic()
    result = build_index([src], index_dir, embedder=KnownVectors(embedder, base), parse=parse)
    print(json.dumps({"built_copies": str(index_dir), "summary": result.summary(), "embedded": result.embedded,
                      "seconds": round(time.monotonic() - started, 1)}))  # fmt: skip
    return index_dir


def du(path: Path) -> int:
    """Bytes on disk (hard links counted once, as du does)."""
    return int(subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True).stdout.split()[0])


def one_upload(index_dir: Path, report: Path, embedder) -> float:
    """Seconds to index ``report`` and open the new generation while the old one is open (as
    a server's Engine holds it during ``refresh``; opening it is not timed)."""
    from evsearch.indexer.build import build_index
    from evsearch.store import Index

    serving = Index.open(index_dir) if (index_dir / "CURRENT").exists() else None
    started = time.perf_counter()
    result = build_index([report], index_dir, embedder=embedder)
    fresh = Index.open(index_dir)
    seconds = time.perf_counter() - started
    fresh.close()
    if serving is not None:
        serving.close()
    assert result.indexed == 1 and result.paragraphs == 3, result.summary()
    return seconds


def queue_uploads(client, key: str, work: Path, uploads: int, first: int) -> list[str]:
    """POST ``uploads`` small reports at once (numbered from ``first``); their job ids."""
    jobs = []
    for n in range(uploads):
        path = small_report(work, first + n)
        r = client.post("/reports", files={"file": (path.name, path.read_bytes(), "text/plain")},
                        headers={"X-API-Key": key})  # fmt: skip
        r.raise_for_status()
        jobs.append(r.json()["job_id"])
    return jobs


def server_memory(base: Path, work: Path, uploads: int, port: int) -> dict:
    """Peak RSS of `evsearch serve` while ``uploads`` small reports are queued at once, vs idle."""
    from loopback import served

    copy = work / "served"
    shutil.copytree(base, copy, symlinks=True)
    key = "upload-cost-benchmark-key"
    with served(copy, port, key) as (client, server):
        for q in ("care leavers", "social workers visits", "health assessments"):
            client.get("/search", params={"q": q, "k": 10}).raise_for_status()
        time.sleep(1.0)
        idle = status_mb("VmRSS", server.pid)
        e2e = []
        for n in range(3):  # one upload at a time, end to end: request, journal, index, publish, refresh
            path = small_report(work, 4000 + n)
            t0 = time.perf_counter()
            r = client.post("/reports", params={"wait": "true"}, headers={"X-API-Key": key},
                            files={"file": (path.name, path.read_bytes(), "text/plain")})  # fmt: skip
            e2e.append(time.perf_counter() - t0)
            r.raise_for_status()
        time.sleep(1.0)
        idle = status_mb("VmRSS", server.pid)  # idle again, after the single uploads (their merges included)
        jobs = queue_uploads(client, key, work, uploads, first=5000)
        peak, started = idle, time.monotonic()
        while True:
            peak = max(peak, status_mb("VmRSS", server.pid))
            bodies = [client.get(f"/jobs/{j}").json() for j in jobs]
            states = [b["state"] for b in bodies]
            if all(s in ("done", "failed") for s in states):
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        for _ in range(20):  # the merge thread and the delayed close of old generations
            peak = max(peak, status_mb("VmRSS", server.pid))
            time.sleep(0.1)
        after = status_mb("VmRSS", server.pid)
    return {"figure": f"server memory, {uploads} queued uploads", "idle_mb": round(idle), "peak_mb": round(peak),
            "after_mb": round(after), "ratio": round(peak / idle, 2), "states": states,
            "errors": sorted({json.dumps(b.get("error")) for b in bodies if b["state"] == "failed"}),
            "all_jobs_seconds": round(seconds, 2), "one_upload_end_to_end_seconds": [round(t, 3) for t in e2e]}  # fmt: skip


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            children.setdefault(parent, []).append(int(proc.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def milvus_sample(server: int) -> tuple[int, float, float]:
    """(milvus_lite processes under ``server``, RSS MB of the server and all its descendants,
    RSS MB of the milvus processes alone)."""
    servers, rss, lite = 0, 0.0, 0.0
    for pid in process_tree(server):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            mb = status_mb("VmRSS", pid)
        except OSError:
            continue
        rss += mb
        if cmd[0].endswith(b"milvus_lite/lib/milvus"):
            servers, lite = servers + 1, lite + mb
    return servers, rss, lite


def milvus_uploads(work: Path, uploads: int, port: int, settle: float, embedder) -> dict:
    """`evsearch serve` on a small Milvus Lite index with ``uploads`` queued at once: milvus
    processes alive and RSS of the server with its children (peak), and after they settle."""
    from loopback import served

    from evsearch.indexer.build import build_index
    from evsearch.indexer.options import BuildOptions

    index_dir = work / "milvus-index"
    built = build_index([small_report(work, 9000 + n) for n in range(3)], index_dir,
                        BuildOptions.from_settings(backend="milvus"), embedder=embedder)  # fmt: skip
    assert built.indexed == 3, built.summary()
    key = "upload-cost-benchmark-key"
    with served(index_dir, port, key) as (client, server):
        client.get("/search", params={"q": "care leavers", "k": 10}).raise_for_status()
        time.sleep(1.0)
        idle_processes, idle, idle_lite = milvus_sample(server.pid)
        jobs = queue_uploads(client, key, work, uploads, first=6000)
        peak_processes, peak, peak_lite, started = idle_processes, idle, idle_lite, time.monotonic()
        finished: float | None = None
        while finished is None or time.monotonic() < finished + settle:
            processes, rss, lite = milvus_sample(server.pid)
            peak_processes, peak, peak_lite = max(peak_processes, processes), max(peak, rss), max(peak_lite, lite)
            if finished is None:
                bodies = [client.get(f"/jobs/{j}").json() for j in jobs]
                states = [b["state"] for b in bodies]
                if all(s in ("done", "failed") for s in states):
                    finished = time.monotonic()
            time.sleep(0.05)
        after_processes, after, after_lite = milvus_sample(server.pid)
        hits = client.get("/search", params={"q": "personal adviser", "k": 50}).json()["hits"]
    lite_files = sorted(str(p.relative_to(index_dir)) for p in index_dir.rglob("milvus.db"))
    assert finished is not None
    return {"figure": f"evsearch serve on a Milvus Lite index, {uploads} queued uploads",
            "milvus_processes": {"idle": idle_processes, "peak": peak_processes, "after": after_processes},
            "rss_mb_server_and_children": {"idle": round(idle), "peak": round(peak), "after": round(after)},
            "rss_mb_milvus_processes": {"idle": round(idle_lite), "peak": round(peak_lite), "after": round(after_lite)},
            "states": sorted(set(states)), "all_jobs_seconds": round(finished - started, 2),
            "lite_files_after": lite_files, "settle_seconds": settle,
            "reports_found_after": len({h["report_id"] for h in hits})}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/evsearch-segbench"))
    parser.add_argument("--paragraphs", type=int, default=12_000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--server", action="store_true", help="also measure `evsearch serve` memory, 6 uploads queued")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--base", type=Path, default=None,
                        help="an existing index to measure on instead of building one (read only: writes go to copies)")
    parser.add_argument("--copies", type=int, default=0,
                        help="measure instead on a base of this many copies of the --paragraphs base "
                             "(same texts and vectors under new report ids; 3 gives ~34k)")  # fmt: skip
    parser.add_argument("--milvus-uploads", type=int, default=0, metavar="N",
                        help="measure only `evsearch serve` on a Milvus Lite index with N uploads queued: "
                             "milvus processes and RSS of the server and its children")  # fmt: skip
    parser.add_argument("--milvus-settle", type=float, default=35.0,
                        help="seconds to keep sampling after the last Milvus upload is done (default 35: "
                             "retired generations close 30 s after the swap)")  # fmt: skip
    args = parser.parse_args()
    if args.base is not None and args.copies:
        parser.error("--copies builds on its own base; leave out --base")

    from evsearch import config
    from evsearch.models.embedder import load_embedder

    embedder = load_embedder(config.get("model"))
    embedder.encode(["warm up the model"])
    if args.milvus_uploads:
        args.cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=args.cache) as tmp:
            print(json.dumps(milvus_uploads(Path(tmp), args.milvus_uploads, args.port, args.milvus_settle, embedder)))
        return
    if args.base is not None:
        from evsearch.store import Index

        base = args.base.resolve()
        with Index.open(base) as index:
            print(json.dumps({"base": str(base), "base_paragraphs": index.paragraph_count,
                              "base_segments": index.stats()["segments"]}))  # fmt: skip
    else:
        base = build_base(args.cache, args.paragraphs, embedder)
    if args.copies:
        base = build_copies(args.cache, base, args.paragraphs, args.copies, embedder)
        from evsearch.store import Index

        with Index.open(base) as index:
            print(json.dumps({"copies_paragraphs": index.paragraph_count, "segments": index.stats()["segments"]}))
    args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.cache) as tmp:
        work = Path(tmp)
        times: dict[str, list[float]] = {"empty": [], "base": []}
        for trial in range(args.trials):
            one_upload(work / f"empty-{trial}", small_report(work, trial), embedder)  # a first build
            times["empty"].append(one_upload(work / f"empty-{trial}", small_report(work, 100 + trial), embedder))
            copy = work / f"base-{trial}"
            shutil.copytree(base, copy, symlinks=True)
            times["base"].append(one_upload(copy, small_report(work, 200 + trial), embedder))
            shutil.rmtree(copy)
        empty, full = statistics.median(times["empty"]), statistics.median(times["base"])
        print(json.dumps({"figure": "3-paragraph upload, seconds (median)", "into_3_paragraphs": round(empty, 3),
                          "into_base": round(full, 3), "ratio": round(full / empty, 2),
                          "all": {k: [round(t, 3) for t in v] for k, v in times.items()}}))  # fmt: skip
        copy = work / "disk"
        shutil.copytree(base, copy, symlinks=True)
        before = du(copy)
        for n in range(args.uploads):
            one_upload(copy, small_report(work, 1000 + n), embedder)
        after = du(copy)
        from evsearch.store import Index

        with Index.open(copy) as index:
            segments = index.stats()["segments"]
        print(json.dumps({"figure": f"disk after {args.uploads} uploads", "index_bytes": before,
                          "after_bytes": after, "ratio": round(after / before, 3), "segments": segments}))  # fmt: skip
        if args.server:
            print(json.dumps(server_memory(base, work, 6, args.port)))


if __name__ == "__main__":
    main()
