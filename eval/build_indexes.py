"""Build the two evaluation indexes from eval/reports-{tune,test}.txt.

Each half is indexed as ONE index. The files are linked into a scratch tree
that mirrors ../shared/corpus (``<tmp>/src-<half>/ilacs/<LA>/<file>.pdf``,
``<tmp>/src-<half>/seed/<file>.txt``) and that tree is indexed, so the
indexer gives every report the same id it gets in an index of the whole
corpus (``ilacs--80418-norfolk--childrens-services-...``); naming the files one
by one would give them their bare file stems, which repeat across LAs.

    python eval/build_indexes.py                 # both halves into /tmp/eval-tune, /tmp/eval-test
    python eval/build_indexes.py --half tune --out /tmp/mine
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

EVAL = Path(__file__).resolve().parent
CORPUS = EVAL.parent.parent / "shared" / "corpus"
EVSEARCH = Path(sys.executable).parent / "evsearch"


def report_paths(half: str) -> list[str]:
    lines = (EVAL / f"reports-{half}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def link_tree(half: str, src: Path) -> None:
    """A fresh tree of symlinks to the half's reports, laid out as in the corpus."""
    if src.exists():
        shutil.rmtree(src)
    for rel in report_paths(half):
        target = CORPUS / rel
        if not target.is_file():
            raise SystemExit(f"eval/reports-{half}.txt: {rel}: no such file under {CORPUS}")
        link = src / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("tune", "test", "both"), default="both")
    parser.add_argument("--out", type=Path, default=Path("/tmp"), help="indexes go to OUT/eval-<half>")
    parser.add_argument("--rebuild", action="store_true", help="start each index from empty")
    args = parser.parse_args()
    for half in ("tune", "test") if args.half == "both" else (args.half,):
        src = args.out / f"eval-src-{half}"
        link_tree(half, src)
        cmd = [str(EVSEARCH), "index", str(src), "--index", str(args.out / f"eval-{half}"), "--prune"]
        if args.rebuild:
            cmd.append("--rebuild")
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
