#!/bin/bash
# The lab table of docs/search.md ("Evaluation"): every mechanism on the tune and test halves.
# usage: benchmarks/ranking_lab/tables.sh INDEX_PREFIX QRELS_PREFIX OUT_PREFIX
#   reads INDEX_PREFIX-{tune,test} (eval/build_indexes.py) and QRELS_PREFIX-{tune,test}.tsv,
#   writes OUT_PREFIX-{typed,understood}-{tune,test}.json and prints two Markdown tables.
set -e
cd "$(dirname "$0")/../.."
M=("engine" "engine -rocchio" "engine rocchio 5 b0.5" "engine convex a0.5 (old default)" "engine convex a0.8" "engine convex a0.9" "engine rrf" "engine rrf k100" "engine rrf dense 0.7" "engine rrf k100 dense 0.7" "engine minmax a0.7"
   "engine -acronyms" "engine -concept phrases" "engine -topic boosts" "engine -evidence prior" "engine +theme expansion"
   "dense" "bm25" "rrf" "bm25 -stop words" "convex a0.5" "bm25 no stemming" "bm25f title w1" "bm25f title w3" "bm25 + 0.3 title field" "bm25 + 1.0 title field"
   "bm25 k1 0.9 b 0.4" "bm25 k1 1.2 b 0.5" "bm25 rm3 10x10 0.6" "bm25 rm3 5x20 0.5"
   "win 3/2 max(para,win)" "win 2/1 max(para,win)" "win 2/1 0.5para+0.5win" "win 1/1 0.5para+0.5win" "rocchio 5 b0.5" "rocchio 10 b0.3"
   "adapter title" "adapter sentence" "adapter bullet" "adapter all" "adapter title+bullet"
   "convex 0.5 | win 2/1 max(para,win) | bm25 -stop words" "convex 0.5 | dense | bm25 rm3 10x10 0.6" "convex 0.5 | adapter title | bm25 -stop words"
   "convex: pool-rescored win 2/1 + bm25" "convex: pool-rescored win 2/1 + bm25 a0.6"
   "convex 0.7 | dense | bm25 -stop words" "convex 0.7 | rocchio 10 b0.3 | bm25 -stop words" "convex 0.7 | win 1/1 0.5para+0.5win | bm25 -stop words"
   "convex 0.7 | dense | bm25 rm3 10x10 0.6" "convex 0.7 | dense | bm25 + 0.3 title field" "convex 0.7 | adapter title | bm25 -stop words"
   "rrf k10" "rrf k30" "convex a0.3" "convex a0.7" "minmax a0.5" "zscore a0.5")
ARGS=(); for m in "${M[@]}"; do ARGS+=(--only "$m"); done
for h in tune test; do
  nice .venv/bin/python -m benchmarks.ranking_lab.run --index $1-$h --qrels $2-$h.tsv --only engine --only dense --only bm25 --only rrf --json $3-typed-$h.json
  nice .venv/bin/python -m benchmarks.ranking_lab.run --index $1-$h --qrels $2-$h.tsv --understand "${ARGS[@]}" --json $3-understood-$h.json
done
nice .venv/bin/python -m benchmarks.ranking_lab.table $3-typed-tune.json $3-typed-test.json
nice .venv/bin/python -m benchmarks.ranking_lab.table $3-understood-tune.json $3-understood-test.json
