"""Ranking knobs shared by the stages, set by measuring nDCG@10 (docs/search.md).

One object so an experiment (benchmarks, the ranking lab) changes a knob in
one place and every stage sees it; the Engine hands it to each plan.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tuning:
    ranker: str = "learned"  # rank.py: 'learned' (learned.py's model), 'boosts' (the hand-set rules below), 'fusion' (fused order)
    ranker_model: str | None = None  # a model file other than the committed one (training, experiments)
    relaxed_grade_word: bool = False  # a relaxed grade word ranks as a word (plan.py): off, so the topic leads
    preferred_first: bool = True  # paragraphs passing every filter read from the query lead (when one was relaxed)
    fusion: str = "convex"  # fusion.py: convex, rrf, minmax, dense, bm25
    alpha: float = 0.7  # dense weight in fusion (bm25 gets 1 - alpha); 0.7 from the eval tune half (docs/search.md, Evaluation)
    rrf_k: int = 60
    feedback_docs: int = 10  # dense Rocchio feedback from this many first hits (feedback.py); 0 disables it
    feedback_beta: float = 0.3  # how far the query moves toward their mean vector
    pool: int = 200  # candidates taken from each retriever
    boost_depth: int = 60  # fused candidates that boosts may reorder (their facets are fetched)
    sql_filter_max: int = 256  # SQLite FTS5: larger filter sets are applied after an unfiltered search
    post_filter_depth: int = 3000  # deepest unfiltered BM25 list read for post-filtering
    phrase_bigrams: bool = False  # add "w1 w2" phrase clauses for adjacent query words
    expand: bool = False  # add the theme taxonomy's expansion terms to the keyword query
    concept_phrases: bool = True  # add recognised multi-word concepts ("children in care council") as phrases
    dense_acronyms: bool = True  # also append found acronyms to the text the dense model embeds
    acronyms: bool = True  # add acronyms of long forms (and long forms of acronyms) the corpus defines
    # the hand-set rules of ranker='boosts' (the learned model replaced them; docs/search.md)
    section_boost: float = 0.1  # added when a paragraph's section matches a query topic
    title_boost: float = 0.15  # added when it matches a section title named in the query
    evidence_prior: float = 0.05  # added to graded paragraphs and recommendations (findings, not context)
    rerank_depth: int = 30  # head reordered by the cross-encoder, when one is set
