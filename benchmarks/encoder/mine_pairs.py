"""Mine (anchor, positive, hard negative) triples for fine-tuning the encoder, without labels.

WHY: all-MiniLM-L6-v2 never saw inspection-report prose. The reports themselves say which
texts belong together: a summary bullet and the paragraph that develops it, a section title
and its paragraphs, a sentence and the rest of its paragraph. Those pairs, plus the tune
half's graded queries, teach the encoder the domain; BM25 hits that are not the positive
make hard negatives. Nothing here reads the test half: every report of a local authority
that has a report in eval/reports-test.txt is left out (the test report itself and the
LA's other inspections), so test figures stay on unseen text and unseen LAs.

Output (a scratch folder, never the repository): ``pairs.tsv`` (type, anchor, positive,
negative, report) and ``recipe.json`` (counts, seed, exclusions, this recipe's settings).

    nice -n 10 python benchmarks/encoder/mine_pairs.py --out /work/encoder-data

Kinds of pairs (``type`` column):

- ``dup``: two records of one report stating the same point (``duplicate_group``), e.g. a
  "what needs to improve" bullet and the paragraph that develops it; anchor = the shorter;
- ``within``: an unnumbered record and the numbered paragraph it sits inside (``within``);
- ``title``: a section or judgement title and one of its paragraphs (text alone, so the
  title cannot be matched by copying); at most ``--per-section`` paragraphs a section;
- ``ict``: inverse cloze, one sentence of a paragraph and the rest of that paragraph;
- ``tune``: a tune query and a record graded 1 or 2 (eval/qrels-tune.tsv); its negative is a
  record graded 0 for that query when there is one, else a BM25 hit.

Positives and negatives are embedded as the index embeds them (``--recipe``, default
section+text) except for ``title`` pairs, whose positive is the paragraph text alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from evsearch.errors import ReportReadError
from evsearch.models.quick_sentences import sentences
from evsearch.models.words import STOP_WORDS
from evsearch.parser.pipeline import parse_paths
from evsearch.records import Paragraph
from evsearch.search.evaluate import record_hash
from evsearch.search.keywords import keyword_query
from evsearch.store.recipes import embedding_text

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "eval"
CORPUS = ROOT.parent / "shared" / "corpus"
SEED = 20261206
MIN_WORDS = 6  # anchors and positives shorter than this say too little to learn from
NEG_DEPTH = 30  # hard negatives are drawn from BM25 ranks NEG_SKIP..NEG_DEPTH
NEG_SKIP = 2
MAX_QUERY_TERMS = 8  # FTS5 OR-queries of whole sentences are slow (0.2 s); the rarest words suffice
MAX_TERM_SHARE = 0.05  # words in more records than this weigh little in bm25 and cost the most
_GRADE_TAIL = re.compile(r"\s*[:\-–]\s*(outstanding|good|adequate|inadequate|requires improvement.*)$", re.I)


def la_folder(rel: str) -> str:
    """The local-authority folder of a corpus path (``ilacs/<URN>_<LA>``), or the path itself."""
    parts = Path(rel).parts
    return "/".join(parts[:2]) if len(parts) > 2 else rel


def training_files(corpus: Path, test_list: Path) -> tuple[list[Path], list[str]]:
    """Corpus report files minus every LA folder that holds a test report."""
    test = [line.strip() for line in test_list.read_text(encoding="utf-8").splitlines() if line.strip()]
    banned = {la_folder(rel) for rel in test}
    keep = []
    for file in sorted(corpus.rglob("*")):
        if not file.is_file() or file.suffix.lower() not in {".pdf", ".txt", ".md"} or file.name == "README.md":
            continue
        rel = file.relative_to(corpus).as_posix()
        if la_folder(rel) in banned or rel in test:
            continue
        keep.append(file)
    return keep, sorted(banned)


def link_tree(files: list[Path], corpus: Path, tree: Path) -> None:
    """Symlinks laid out as the corpus, so report ids match an index of the whole corpus."""
    if tree.exists():
        shutil.rmtree(tree)
    for file in files:
        link = tree / file.relative_to(corpus)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(file)


def parse(tree: Path, cache: Path, workers: int) -> tuple[list[list[Paragraph]], dict]:
    """Paragraphs of every report (cached as JSON lines: parsing 300 PDFs takes minutes)."""
    if cache.is_file():
        reports: dict[str, list[Paragraph]] = defaultdict(list)
        titles: dict[str, list[tuple[str, str]]] = {}
        for line in cache.open(encoding="utf-8"):
            row = json.loads(line)
            if "judgements" in row:
                titles[row["report_id"]] = [tuple(t) for t in row["judgements"]]
            else:
                reports[row["report_id"]].append(Paragraph(**row))
        return [reports[r] for r in sorted(reports)], titles
    reports_out, titles = [], {}
    with cache.with_suffix(".tmp").open("w", encoding="utf-8") as fh:
        for parsed in parse_paths([tree], workers=workers):
            if isinstance(parsed, ReportReadError):
                print(f"skipped {parsed.path}: {parsed.reason}", file=sys.stderr)
                continue
            rid = parsed.report.report_id
            pairs = [(j.title, j.section) for j in parsed.judgements if j.section and j.title]
            titles[rid] = pairs
            fh.write(json.dumps({"report_id": rid, "judgements": pairs}) + "\n")
            for p in parsed.paragraphs:
                fh.write(json.dumps(p.to_dict()) + "\n")
            reports_out.append(parsed.paragraphs)
    cache.with_suffix(".tmp").rename(cache)
    return sorted(reports_out, key=lambda ps: ps[0].report_id if ps else ""), titles


def words(text: str) -> int:
    return len(text.split())


class Bm25:
    """SQLite FTS5 over every mined record: the same bm25 the index uses, in memory."""

    def __init__(self, records: list[Paragraph]) -> None:
        self.records = records
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
        self.db.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)", ((i, r.text) for i, r in enumerate(records)))
        self.df: Counter[str] = Counter()
        for r in records:
            self.df.update(set(re.findall(r"[a-z0-9]+", r.text.lower())))

    def search(self, text: str, k: int = NEG_DEPTH) -> list[int]:
        terms = [w for w in dict.fromkeys(re.findall(r"[a-z0-9]+", text.lower())) if w not in STOP_WORDS and len(w) > 1]
        common = MAX_TERM_SHARE * len(self.records)
        terms = sorted(terms, key=lambda w: self.df.get(w, 0))
        rare = [w for w in terms if self.df.get(w, 0) <= common]
        terms = rare[:MAX_QUERY_TERMS] if rare else terms[:3]  # a title of common words keeps its rarest
        match = keyword_query(" ".join(terms), STOP_WORDS)
        if not match:
            return []
        rows = self.db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT ?", (match, k)).fetchall()
        return [row[0] for row in rows]


def mine(reports: list[list[Paragraph]], titles: dict, recipe: str, per_section: int, rng: random.Random):
    """Unlabelled pairs: (type, anchor, positive Paragraph, positive text)."""
    out: list[tuple[str, str, Paragraph, str]] = []
    for paragraphs in reports:
        numbered = {(p.part, p.number): p for p in paragraphs if p.number is not None}
        groups: dict[int, list[Paragraph]] = defaultdict(list)
        for p in paragraphs:
            if p.duplicate_group is not None:
                groups[p.duplicate_group].append(p)
        for members in groups.values():
            if len(members) < 2:
                continue
            members = sorted(members, key=lambda p: (len(p.text), p.seq))
            anchor, positive = members[0], members[-1]
            if anchor.text.strip().lower() != positive.text.strip().lower() and words(anchor.text) >= MIN_WORDS:
                out.append(("dup", anchor.text, positive, embedding_text(recipe, positive)))
        for p in paragraphs:
            if p.number is None and p.within is not None and words(p.text) >= MIN_WORDS:
                host = numbered.get((p.part, p.within))
                if host is not None and p.duplicate_group is None:
                    out.append(("within", p.text, host, embedding_text(recipe, host)))
        by_section: dict[str, list[Paragraph]] = defaultdict(list)
        for p in paragraphs:
            if p.section and words(p.text) >= 25:
                by_section[p.section].append(p)
        judged = defaultdict(list)
        for title, section in titles.get(paragraphs[0].report_id if paragraphs else "", []):
            judged[section].append(title)
        for section, members in sorted(by_section.items()):
            heads = [_GRADE_TAIL.sub("", section).strip()] + [t for t in judged.get(section, []) if t != section]
            for p in rng.sample(members, min(per_section, len(members))):
                out.append(("title", rng.choice(heads), p, p.text))
        for p in paragraphs:
            if p.number is None or words(p.text) < 40:
                continue
            sents = [s for s in sentences(p.text) if words(s) >= 8]
            if len(sents) < 3:
                continue
            pick = rng.choice(sents)
            rest = p.text.replace(pick, " ").strip()
            rest_p = Paragraph(**{**p.to_dict(), "text": " ".join(rest.split())})
            out.append(("ict", pick, p, embedding_text(recipe, rest_p)))
    return out


def tune_pairs(reports: list[list[Paragraph]], queries_file: Path, qrels_file: Path):
    """(qid, query, positive, negatives) from the tune qrels, matched to records by text hash."""
    queries = {r["qid"]: r["query"] for r in csv.DictReader(queries_file.open(encoding="utf-8"), delimiter="\t")}
    by_hash: dict[tuple[str, str], Paragraph] = {}
    by_number: dict[tuple[str, int], Paragraph] = {}
    for paragraphs in reports:
        for p in paragraphs:
            by_hash.setdefault((p.report_id, record_hash(p.text)), p)
            if p.number is not None:
                by_number.setdefault((p.report_id, p.number), p)
    pos: dict[str, list[Paragraph]] = defaultdict(list)
    neg: dict[str, list[Paragraph]] = defaultdict(list)
    missed = 0
    for row in csv.DictReader(qrels_file.open(encoding="utf-8"), delimiter="\t"):
        p = by_hash.get((row["report"], row.get("record") or ""))
        if p is None and row["number"]:
            p = by_number.get((row["report"], int(row["number"])))
        if p is None:
            missed += 1
            continue
        (pos if int(row["rel"]) >= 1 else neg)[row["qid"]].append(p)
    return queries, pos, neg, missed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/work/encoder-data"))
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--recipe", default="section+text")
    ap.add_argument("--queries", type=Path, default=EVAL / "queries-tune.tsv", help="tune queries (never test)")
    ap.add_argument("--qrels", type=Path, default=EVAL / "qrels-tune.tsv", help="tune qrels (never test)")
    ap.add_argument("--per-section", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    files, banned = training_files(args.corpus, EVAL / "reports-test.txt")
    link_tree(files, args.corpus, args.out / "src")
    reports, titles = parse(args.out / "src", args.out / "parsed.jsonl", args.workers)
    reports = [ps for ps in reports if ps]
    print(f"{len(reports)} reports parsed, {sum(map(len, reports))} records ({time.time() - started:.0f} s)", flush=True)

    records = [p for ps in reports for p in ps if words(p.text) >= MIN_WORDS]
    bm25 = Bm25(records)
    pairs = mine(reports, titles, args.recipe, args.per_section, rng)
    if "test" in args.queries.name or "test" in args.qrels.name:
        raise SystemExit("the test half's queries and qrels never go into training")
    queries, pos, neg, missed = tune_pairs(reports, args.queries, args.qrels)
    rows: list[tuple[str, str, str, str, str]] = []
    for done, (kind, anchor, positive, positive_text) in enumerate(pairs):
        if done % 5000 == 0:
            print(f"negatives: {done}/{len(pairs)} ({time.time() - started:.0f} s)", flush=True)
        hits = [records[i] for i in bm25.search(anchor)[NEG_SKIP:]]
        hits = [h for h in hits if h.report_id != positive.report_id]
        if kind == "title":  # another report's paragraph under the same title is no negative
            hits = [h for h in hits if (h.section or "") != (positive.section or "")]
        if not hits:
            continue
        negative = rng.choice(hits)
        neg_text = negative.text if kind == "title" else embedding_text(args.recipe, negative)
        rows.append((kind, anchor, positive_text, neg_text, positive.report_id))
    for qid in sorted(pos):
        relevant = {id(p) for p in pos[qid]}
        for p in pos[qid]:
            hard = [n for n in neg[qid] if id(n) not in relevant]
            if not hard:
                hard = [records[i] for i in bm25.search(queries[qid])[NEG_SKIP:]]
                keys = {(q.report_id, q.number) for q in pos[qid]}
                hard = [h for h in hard if id(h) not in relevant and (h.report_id, h.number) not in keys]
            if hard:
                n = rng.choice(hard)
                rows.append(("tune", queries[qid], embedding_text(args.recipe, p), embedding_text(args.recipe, n), p.report_id))
    clean = lambda s: " ".join(s.split())  # noqa: E731  (one line per row: no tabs or newlines)
    with (args.out / "pairs.tsv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        out.writerow(["type", "anchor", "positive", "negative", "report"])
        for row in rows:
            out.writerow([row[0], clean(row[1]), clean(row[2]), clean(row[3]), row[4]])
    counts = Counter(r[0] for r in rows)
    recipe = {
        "seed": args.seed, "recipe": args.recipe, "per_section": args.per_section, "min_words": MIN_WORDS,
        "negatives": f"BM25 (SQLite FTS5, porter) ranks {NEG_SKIP + 1}-{NEG_DEPTH}, other reports only; "
                     "title pairs: other sections only; tune: a record graded 0 for the query when there is one",
        "reports": len(reports), "records": sum(map(len, reports)), "excluded_la_folders": banned,
        "tune_queries": len(pos), "tune_qrels_unmatched": missed, "pairs": dict(sorted(counts.items())), "total": len(rows),
        "seconds": round(time.time() - started),
    }
    (args.out / "recipe.json").write_text(json.dumps(recipe, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in recipe.items() if k != "excluded_la_folders"}))


if __name__ == "__main__":
    main()
