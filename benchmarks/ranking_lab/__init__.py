"""Ranking lab: candidate ranking mechanisms measured on one index and one qrels file.

Run ``python -m benchmarks.ranking_lab.run --help`` from the repository root.
Nothing here is imported by ``evsearch``; winners are ported into
``src/evsearch/search`` and the indexer once measured (docs/search.md, "Evaluation").
"""
