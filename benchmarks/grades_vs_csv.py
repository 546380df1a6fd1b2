"""How often `evsearch grades --format json` agrees with judgements.csv (its verified errors corrected).

    evsearch index ../shared/corpus/ilacs --index DIR
    evsearch grades --index DIR --format json > /tmp/grades.json
    python benchmarks/grades_vs_csv.py /tmp/grades.json

Each CSV row is one report and five grade columns; the grade rows are matched to
it by report id (the slug of the PDF's path; any indexing root works) and to a
column by judgement family (the first printed judgement of the family, as the
pages do). A CSV cell that holds no grade (``data_unreadable``, empty) is not
compared unless tests/parser/data/judgement_expectations.csv corrects it; a
cell saying the judgement did not exist must find no grade. Prints the figures
and every disagreement.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from evsearch.vocab.grades import lookup_label  # noqa: E402
from evsearch.vocab.slugs import slugify  # noqa: E402

FAMILY_COLUMN = {
    "overall": "overall_effectiveness",
    "leadership": "impact_of_leaders",
    "help_and_protection": "help_and_protection",
    "children_in_care": "in_care",
    "care_leavers": "care_leavers",
}
ABSENT = {"inspection_pre_dates_judgement", "not_reported_post_reform"}
NO_GRADE = {"", "data_unreadable"}


def path_slug(path: str) -> str:
    return "--".join(slugify(part) for part in Path(path).with_suffix("").parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("grades_json", type=Path, help="output of `evsearch grades --format json`")
    parser.add_argument("--csv", type=Path, default=REPO / ".." / "shared" / "corpus" / "ilacs" / "judgements.csv")
    parser.add_argument("--fixes", type=Path, default=REPO / "tests" / "indexer" / "data" / "judgement_expectations.csv")
    args = parser.parse_args()

    rows = json.loads(args.grades_json.read_text(encoding="utf-8"))
    cells: dict[str, dict[str, int | None]] = {}
    for row in rows:
        column = FAMILY_COLUMN.get(row["family"])
        if column:
            cells.setdefault(row["report_id"], {}).setdefault(column, row["grade"])
    with open(args.fixes, newline="", encoding="utf-8") as fh:
        fixes = {(r["path"], r["column"]): r["true_value"] for r in csv.DictReader(fh)}
    with open(args.csv, newline="", encoding="utf-8") as fh:
        oracle = list(csv.DictReader(fh))

    compared = agreed = reports_found = 0
    disagreements = []
    for entry in oracle:
        slug = path_slug(entry["path"])
        report_id = next((rid for rid in cells if rid == slug or rid.endswith("--" + slug)), None)
        if report_id is None:
            continue
        reports_found += 1
        for column in FAMILY_COLUMN.values():
            want = fixes.get((entry["path"], column), entry[f"{column}_grade"])
            got = cells[report_id].get(column)
            if want in ABSENT or (want == "" and (entry["path"], column) in fixes):
                want_grade = None
            elif want in NO_GRADE:
                continue
            else:
                word = lookup_label(want)
                if word is None:
                    disagreements.append((entry["path"], column, want, got, "CSV value is not a grade"))
                    continue
                want_grade = word.grade
            compared += 1
            if got == want_grade:
                agreed += 1
            else:
                disagreements.append((entry["path"], column, want, got, ""))
    for item in disagreements:
        print("disagree:", *item)
    share = agreed / compared if compared else 0.0
    print(f"reports matched {reports_found} of {len(oracle)}; cells compared {compared}; agree {agreed} ({share:.2%})")


if __name__ == "__main__":
    main()
