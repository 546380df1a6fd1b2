"""Search latency while an upload is indexed and while a generation swaps (issue 9: reads never wait).

    nice .venv/bin/python benchmarks/write_stall.py --work /tmp/evsearch-stall

Builds a base index (the seed report and ``--base`` ILACS PDFs), starts
`evsearch serve` on it with an API key, and keeps searching from this process
(one request at a time, new query text each time) through three phases:

* idle: nothing else happens;
* upload: ``POST /reports`` of ``--uploads`` more PDFs, one job after the other,
  searching until every job is done (indexing and the swap run on the server's
  write thread);
* swap: `evsearch index` in another process adds one more PDF; the server
  notices the new generation and opens it on its write thread.

``--from-index DIR`` serves a copy of an existing index instead (e.g. the whole corpus,
benchmarks/index_corpus.py --index DIR; DIR itself is untouched). That index already holds
every corpus PDF, so the uploaded and added PDFs get a PDF comment after their end (new bytes,
new file name: new reports, the same text) and are indexed in full.

Prints one JSON line per phase: searches, p50_ms, p99_ms, max_ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from loopback import wait_healthy

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
EVSEARCH = str(Path(sys.executable).with_name("evsearch"))
KEY = "stall-benchmark-key"
WORDS = ("care leavers accommodation", "social workers visits", "health assessments", "leadership audits",
         "domestic abuse", "missing children", "foster carers support", "child protection plans",
         "early help", "caseloads workforce", "independent reviewing officers", "education of children in care")  # fmt: skip


def pdfs(count: int, skip: int = 0) -> list[Path]:
    """Real inspection PDFs of ordinary size (the corpus also holds web pages saved as .pdf)."""
    found = sorted(CORPUS.glob("ilacs/*/*.pdf"), key=lambda p: (p.stat().st_size, p.name))
    real = [p for p in found if p.stat().st_size > 300_000 and p.read_bytes()[:5] == b"%PDF-"]
    return real[skip : skip + count]


def fresh(path: Path, salt: str) -> tuple[str, bytes]:
    """A file name and bytes for ``path`` that no index holds yet: the same PDF with a comment after its end."""
    return f"{salt}-{path.name}", path.read_bytes() + f"\n% {salt}\n".encode()


def query(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]} {i}"  # the number makes each query new to every cache


def phase(client: httpx.Client, name: str, until, start: int) -> tuple[dict, int]:
    times, i = [], start
    while not until():
        t0 = time.perf_counter()
        r = client.get("/search", params={"q": query(i), "k": 10})
        times.append(time.perf_counter() - t0)
        r.raise_for_status()
        i += 1
    ms = np.asarray(times) * 1000
    out = {"phase": name, "searches": len(ms), "p50_ms": round(float(np.percentile(ms, 50)), 1),
           "p99_ms": round(float(np.percentile(ms, 99)), 1), "max_ms": round(float(ms.max()), 1)}  # fmt: skip
    return out, i


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/evsearch-stall"))
    parser.add_argument("--base", type=int, default=4, help="ILACS PDFs in the base index besides the seed")
    parser.add_argument("--uploads", type=int, default=2)
    parser.add_argument("--idle", type=int, default=200, help="searches in the idle phase")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--from-index", type=Path, default=None,
                        help="serve a copy of this index instead of building one (uploads get new bytes)")
    args = parser.parse_args()

    index_dir, src = args.work / "index", args.work / "src"
    shutil.rmtree(args.work, ignore_errors=True)
    src.mkdir(parents=True)
    salted = args.from_index is not None
    if salted:
        shutil.copytree(args.from_index, index_dir, symlinks=True)
    else:
        for path in [*sorted((CORPUS / "seed").glob("*.txt")), *pdfs(args.base)]:
            shutil.copy(path, src / path.name)
        subprocess.run([EVSEARCH, "index", str(src), "--index", str(index_dir)], check=False)  # lists unreadable files
    env = {**os.environ, "EVSEARCH_API_KEY": KEY}
    server = subprocess.Popen([EVSEARCH, "serve", "--index", str(index_dir), "--port", str(args.port)], env=env)
    url = f"http://127.0.0.1:{args.port}"
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            wait_healthy(url, server)
            results = []
            done = {"n": 0}

            def idle_until() -> bool:
                done["n"] += 1
                return done["n"] > args.idle

            out, i = phase(client, "idle", idle_until, 0)
            results.append(out)

            jobs = []
            for n, path in enumerate(pdfs(args.uploads, skip=args.base)):
                name, data = fresh(path, f"stall{n}") if salted else (path.name, path.read_bytes())
                r = client.post("/reports", files={"file": (name, data, "application/pdf")},
                                headers={"X-API-Key": KEY})  # fmt: skip
                r.raise_for_status()
                jobs.append(r.json()["job_id"])
            states: dict[str, str] = {}

            def uploads_until() -> bool:
                for job in jobs:
                    if states.get(job) not in ("done", "failed"):
                        states[job] = client.get(f"/jobs/{job}").json()["state"]
                return all(states.get(j) in ("done", "failed") for j in jobs)

            out, i = phase(client, "upload", uploads_until, i)
            out["jobs"] = [client.get(f"/jobs/{j}").json().get("result", {}).get("indexed") for j in jobs]
            results.append(out)

            extra = args.work / "extra"
            extra.mkdir()
            for path in pdfs(1, skip=args.base + args.uploads):
                name, data = fresh(path, "stall-extra") if salted else (path.name, path.read_bytes())
                (extra / name).write_bytes(data)
            before = client.get("/healthz").json()["stats"]["generation"]
            writer = subprocess.Popen([EVSEARCH, "index", str(extra), "--index", str(index_dir)])

            def swap_until() -> bool:
                return writer.poll() is not None and client.get("/healthz").json()["stats"]["generation"] != before

            out, i = phase(client, "swap", swap_until, i)
            results.append(out)
    finally:
        server.terminate()
        server.wait(timeout=60)
    for out in results:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
