"""Choose the evaluation reports and split them into a TUNE and a TEST half.

The rule is fixed so anyone can re-derive the two lists from ../shared/corpus:

1. Framework of each ILACS-folder PDF from ``judgements.csv``: published before
   November 2013 -> SLAC (2012-13 safeguarding and looked after children);
   overall grade ``not_reported_post_reform`` -> post-reform (2026); a blank
   ``inspection_framework`` otherwise -> SIF (2013-17); else ILACS (2018-26).
   Files that are saved web pages rather than PDFs are left out.
2. Take frameworks rarest first (SLAC, post-reform, SIF, ILACS); within one,
   order reports by sha1 of their report id and take them while their local
   authority is not yet taken (one report per LA, East Sussex excluded because
   the seed is East Sussex): all SLAC and post-reform reports, 27 SIF, 27 ILACS.
3. Walk that list in the same order and deal reports alternately to TEST, TUNE,
   TEST, ... ; the seed report joins TUNE (seed-dev already tuned on it).

Because each LA appears once, a split by report is also a split by LA.
Writes eval/reports-tune.txt and eval/reports-test.txt (paths relative to
../shared/corpus, one a line) and prints a table of what each half holds.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from datetime import date
from pathlib import Path

EVAL = Path(__file__).resolve().parent
CORPUS = EVAL.parent.parent / "shared" / "corpus"
SEED = "seed/east-sussex-2010-safeguarding-and-looked-after-children.txt"
ORDER = ("slac", "post-reform", "sif", "ilacs")
TAKE = {"slac": 99, "post-reform": 99, "sif": 27, "ilacs": 27}

sys.path.insert(0, str(EVAL.parent / "src"))
from evsearch.parser.pipeline import report_id_for  # noqa: E402


def framework(row: dict) -> str:
    day, month, year = (int(x) for x in row["publication_date"].split("/"))
    if date(2000 + year, month, day) < date(2013, 11, 1):
        return "slac"
    if row["overall_effectiveness_grade"] == "not_reported_post_reform":
        return "post-reform"
    return "ilacs" if row["inspection_framework"] else "sif"


def is_pdf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"%PDF-"


def report_id(relative: str) -> str:
    return report_id_for(CORPUS / relative, CORPUS)


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def choose() -> list[tuple[str, str, str]]:
    """(framework, path relative to corpus, LA) in dealing order."""
    rows = list(csv.DictReader((CORPUS / "ilacs" / "judgements.csv").open(encoding="utf-8")))
    taken_las = {"east sussex"}
    chosen = []
    for fw in ORDER:
        pool = [r for r in rows if framework(r) == fw and is_pdf(CORPUS / "ilacs" / r["path"])]
        pool.sort(key=lambda r: sha(report_id("ilacs/" + r["path"])))
        n = 0
        for r in pool:
            if n < TAKE[fw] and r["local_authority"] not in taken_las:
                taken_las.add(r["local_authority"])
                chosen.append((fw, "ilacs/" + r["path"], r["local_authority"]))
                n += 1
    return chosen


def main() -> None:
    halves: dict[str, list[str]] = {"tune": [SEED], "test": []}
    table = [("tune", "seed", SEED, "east sussex")]
    for i, (fw, rel, la) in enumerate(choose()):
        half = "test" if i % 2 == 0 else "tune"
        halves[half].append(rel)
        table.append((half, fw, rel, la))
    for half, paths in halves.items():
        (EVAL / f"reports-{half}.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
    for half, fw, rel, la in sorted(table):
        print(f"{half}\t{fw}\t{la}\t{report_id(rel)}")
    for half, paths in halves.items():
        print(f"{half}: {len(paths)} reports", file=sys.stderr)


if __name__ == "__main__":
    main()
