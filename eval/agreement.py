"""Second-assessor check of the added queries' grades (tu73–tu102, te73–te102).

The added 30 queries a half were graded by one grader quickly; as IR collections do, a second
assessor grades a random sample blind and the two are compared.

``sample`` draws 100 rows a half from the added pools, stratified by the first grade (about a
third each of 0, 1 and 2), seeded, and writes them WITHOUT the grade (and without ``rankers``,
which graders must not use) for the second assessor. The first grades are read from the pools as
committed at ``--rev`` (the first grader's final commit), so the sample stays the same after
adjudication corrects grades in the pools.

``score`` compares a second-grade file (``sid``, ``grade``, optional ``note``) with the first
grades at ``--rev`` and, with ``--current``, with the pools as they are now (after
adjudication): raw agreement, Cohen's kappa weighted linearly on 0/1/2, and kappa on
relevant (1, 2) against not relevant (0); then the disagreements. The sample over-draws grades 1
and 2, so the figures are also given reweighted to the pools' grade mix (each row weighted by its
stratum's size over its draw).

    python eval/agreement.py sample                       # eval/agreement/sample.tsv
    python eval/agreement.py score eval/agreement/second-grades.tsv
    python eval/agreement.py score eval/agreement/second-grades.tsv --current
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

EVAL = Path(__file__).resolve().parent
OUT = EVAL / "agreement"
FIRST_REV = "e11070b"  # "eval: second grading pass ..." — the first grader's final grades
SEED = 19
PER_HALF = 100
HALVES = {"tune": "tu", "test": "te"}
ADDED = range(73, 103)
SAMPLE_COLUMNS = ("sid", "half", "qid", "query", "report", "part", "number", "record", "la_year", "kind",
                  "section", "section_grade", "text")  # fmt: skip
GRADES = (0, 1, 2)


def _tsv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None))


def pool_rows(half: str, rev: str | None) -> list[dict]:
    """The added queries' pool rows of one half, at git revision ``rev`` or as on disk (None)."""
    rows = []
    for n in ADDED:
        rel = f"eval/pools/{half}/{HALVES[half]}{n}.tsv"
        if rev is None:
            text = (EVAL.parent / rel).read_text(encoding="utf-8")
        else:
            text = subprocess.run(["git", "show", f"{rev}:{rel}"], cwd=EVAL.parent, capture_output=True, text=True,
                                  check=True, encoding="utf-8").stdout  # fmt: skip
        for line, row in enumerate(_tsv(text), start=2):
            rows.append({**row, "half": half, "line": line})
    return rows


def draw(rows: list[dict], k: int, rng: random.Random) -> list[dict]:
    """k rows stratified by first grade: equal shares, the remainder to the lowest grades."""
    strata = defaultdict(list)
    for row in rows:
        strata[row["grade"]].append(row)
    shares = {g: k // 3 + (i < k % 3) for i, g in enumerate(("0", "1", "2"))}
    picked = []
    for g in ("0", "1", "2"):
        picked += rng.sample(strata[g], min(shares[g], len(strata[g])))
    return picked


def sample(rev: str, out: Path) -> list[dict]:
    rng = random.Random(SEED)
    picked = []
    for half in HALVES:
        picked += draw(pool_rows(half, rev), PER_HALF, rng)
    picked.sort(key=lambda r: (r["half"] != "tune", int(r["qid"][2:]), r["report"], r["line"]))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n")
        writer.writerow(SAMPLE_COLUMNS)
        for i, row in enumerate(picked, start=1):
            writer.writerow([f"s{i:03d}"] + [row[c] for c in SAMPLE_COLUMNS[1:]])
    return picked


def key(row: dict) -> tuple:
    return (row["qid"], row["report"], row["part"], row["number"], row["record"])


def kappa(a: list[int], b: list[int], w: list[float], linear: bool) -> float:
    """Cohen's kappa with row weights ``w``; ``linear`` penalises a 0/2 split twice a 0/1 one."""
    cats = sorted(set(a) | set(b))
    span = (max(cats) - min(cats)) or 1
    total = sum(w)
    obs, pa, pb = Counter(), Counter(), Counter()
    for x, y, wt in zip(a, b, w):
        obs[x, y] += wt / total
        pa[x] += wt / total
        pb[y] += wt / total

    def cost(x: int, y: int) -> float:
        return abs(x - y) / span if linear else float(x != y)

    observed = sum(cost(x, y) * p for (x, y), p in obs.items())
    expected = sum(cost(x, y) * pa[x] * pb[y] for x in cats for y in cats)
    return 1 - observed / expected if expected else 1.0


def figures(first: list[int], second: list[int], w: list[float]) -> dict:
    total = sum(w)
    return {
        "agreement": sum(wt for x, y, wt in zip(first, second, w) if x == y) / total,
        "kappa_linear": kappa(first, second, w, linear=True),
        "kappa_binary": kappa([int(x > 0) for x in first], [int(y > 0) for y in second], w, linear=False),
    }


def score(second_path: Path, rev: str | None, label: str) -> None:
    sampled = {r["sid"]: r for r in _tsv((OUT / "sample.tsv").read_text(encoding="utf-8"))}
    second = {r["sid"]: r for r in _tsv(second_path.read_text(encoding="utf-8"))}
    missing = sorted(set(sampled) - set(second))
    if missing:
        sys.exit(f"error: {second_path}: no grade for {len(missing)} sampled rows ({', '.join(missing[:5])} ...)")
    pools = {half: pool_rows(half, rev) for half in HALVES}
    by_key = {key(r): r for rows in pools.values() for r in rows}
    # reweighting uses the strata of the original draw (the first grades at FIRST_REV)
    drawn_from = {half: Counter(r["grade"] for r in pool_rows(half, FIRST_REV)) for half in HALVES}
    originals = {key(r): r["grade"] for half in HALVES for r in pool_rows(half, FIRST_REV)}
    drawn = Counter((s["half"], originals[key(s)]) for s in sampled.values())
    a, b, w, rows = [], [], [], []
    for sid, s in sampled.items():
        g1, g2 = int(by_key[key(s)]["grade"]), int(second[sid]["grade"])
        stratum = (s["half"], originals[key(s)])
        a.append(g1), b.append(g2), w.append(drawn_from[s["half"]][stratum[1]] / drawn[stratum])
        rows.append((sid, s, g1, g2, second[sid].get("note") or ""))
    print(f"# first grades: {label}; second grades: {second_path.name}; n={len(a)}")
    print("confusion (rows first 0/1/2, columns second 0/1/2):")
    conf = Counter(zip(a, b))
    for x in GRADES:
        print(f"  {x}: " + " ".join(f"{conf[x, y]:4d}" for y in GRADES))
    for name, weights in (("sample", [1.0] * len(a)), ("reweighted to pool mix", w)):
        f = figures(a, b, weights)
        print(f"{name}: agreement={f['agreement']:.3f} kappa_linear={f['kappa_linear']:.3f} "
              f"kappa_binary={f['kappa_binary']:.3f}")  # fmt: skip
    for half in HALVES:
        idx = [i for i, r in enumerate(rows) if r[1]["half"] == half]
        f = figures([a[i] for i in idx], [b[i] for i in idx], [1.0] * len(idx))
        print(f"  {half} (n={len(idx)}): agreement={f['agreement']:.3f} kappa_linear={f['kappa_linear']:.3f} "
              f"kappa_binary={f['kappa_binary']:.3f}")  # fmt: skip
    print("disagreements (sid qid first second record-key note):")
    for sid, s, g1, g2, note in rows:
        if g1 != g2:
            print(f"  {sid} {s['qid']} {g1} {g2} {s['report'][:48]} #{s['number'] or s['record']} {note}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="draw the blind sample")
    s.add_argument("--rev", default=FIRST_REV, help="git revision whose first grades stratify the draw")
    s.add_argument("--out", type=Path, default=OUT / "sample.tsv")
    c = sub.add_parser("score", help="agreement of a second-grade file with the first grades")
    c.add_argument("second", type=Path)
    c.add_argument("--rev", default=FIRST_REV, help="git revision of the first grades")
    c.add_argument("--current", action="store_true", help="also against the pools as they are now")
    args = ap.parse_args()
    if args.cmd == "sample":
        picked = sample(args.rev, args.out)
        print(f"{len(picked)} rows -> {args.out}; first grades drawn:",
              dict(sorted(Counter((r['half'], r['grade']) for r in picked).items())))  # fmt: skip
        return 0
    score(args.second, args.rev, f"pools at {args.rev}")
    if args.current:
        score(args.second, None, "pools now (after adjudication)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
