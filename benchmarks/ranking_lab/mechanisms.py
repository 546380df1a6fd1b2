"""The named mechanisms the lab measures: each maps (lab, query) to one score per paragraph.

Components (BM25 variants, window vectors, the adapter) are built once per
lab on first use. A mechanism's name is its row in docs/search.md's
"Evaluation" table; ``python -m benchmarks.ranking_lab.run --only NAME``
prints that row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from benchmarks.ranking_lab import adapter, dense, lexical
from benchmarks.ranking_lab.corpus import LabCorpus
from benchmarks.ranking_lab.fuse import fuse


@dataclass
class Query:
    text: str  # what is ranked on (the typed query, or the engine's parsed text)
    vector: np.ndarray  # the index model's embedding of ``text``
    mask: np.ndarray | None = None  # rows passing the filters the engine's plan applied (None: all)
    prefer: np.ndarray | None = None  # rows passing every inferred filter when some were relaxed (ranked first)


@dataclass
class Lab:
    corpus: LabCorpus
    _bm25: dict = field(default_factory=dict)
    _windows: dict = field(default_factory=dict)
    _adapters: dict = field(default_factory=dict)

    def bm25(self, tokenizer: str = lexical.PORTER, title_weight: float = 0.0, k1: float = 1.2, b: float = 0.75) -> lexical.Bm25:
        key = (tokenizer, title_weight, k1, b)
        if key not in self._bm25:
            recs = self.corpus.records
            self._bm25[key] = lexical.Bm25(
                [r["text"] for r in recs], [r["section"] or "" for r in recs], self.tokenizer(tokenizer),
                title_weight=title_weight, k1=k1, b=b,
            )  # fmt: skip
        return self._bm25[key]

    def tokenizer(self, spec: str) -> lexical.Tokenizer:
        key = ("tok", spec)
        if key not in self._bm25:
            self._bm25[key] = lexical.Tokenizer(spec)
        return self._bm25[key]

    def windows(self, size: int, stride: int) -> dense.Windows:
        if (size, stride) not in self._windows:
            self._windows[(size, stride)] = dense.windows(self.corpus, size, stride)
        return self._windows[(size, stride)]

    def adapter(self, kinds: tuple[str, ...], **options) -> np.ndarray:
        key = (kinds, tuple(sorted(options.items())))
        if key not in self._adapters:
            q, d = adapter.pairs(self.corpus, kinds)
            self._adapters[key] = adapter.train(q, d, **options)
        return self._adapters[key]

    # -- the two plain retrievers
    def cosine(self, q: Query) -> np.ndarray:
        return self.corpus.vectors @ q.vector

    def bm25_scores(self, q: Query, *, stop: bool = True, **variant) -> np.ndarray:
        return self.bm25(**variant).search(q.text, stop=stop)

    def title_scores(self, q: Query) -> np.ndarray:
        """BM25 of the query against each paragraph's section title alone (a second field)."""
        key = ("titles",)
        if key not in self._bm25:
            titles = [r["section"] or "" for r in self.corpus.records]
            self._bm25[key] = lexical.Bm25(titles, titles, self.tokenizer(lexical.PORTER))
        return self._bm25[key].search(q.text)


Mechanism = Callable[[Lab, Query], np.ndarray]


def _win(size: int, stride: int, mix: float | None) -> Mechanism:
    """Max-sim over windows; ``mix`` blends in the whole-paragraph cosine (None: max of both)."""

    def run(lab: Lab, q: Query) -> np.ndarray:
        best = dense.maxsim(lab.windows(size, stride), q.vector)
        whole = lab.cosine(q)
        return np.maximum(best, whole) if mix is None else mix * whole + (1 - mix) * best

    return run


def _hybrid(dense_fn: Mechanism, kw_fn: Mechanism, method: str = "convex", alpha: float = 0.5, rrf_k: int = 60,
            pool: int = 200) -> Mechanism:
    def run(lab: Lab, q: Query) -> np.ndarray:
        return fuse(dense_fn(lab, q), kw_fn(lab, q), method, alpha=alpha, rrf_k=rrf_k, mask=q.mask, pool=pool)

    return run


def _pooled_windows(size: int, stride: int, alpha: float = 0.5, pool: int = 200) -> Mechanism:
    """As the engine could run windows cheaply: paragraph cosine and BM25 pick their pools as
    today; every paragraph in either pool is then scored densely by max(paragraph, best window)
    (a keyword-only hit gets its real dense score instead of 0), and the two are fused convexly."""

    def run(lab: Lab, q: Query) -> np.ndarray:
        whole = lab.cosine(q)
        keyword = lab.bm25_scores(q)
        if q.mask is not None:
            whole = np.where(q.mask, whole, -np.inf)
            keyword = np.where(q.mask, keyword, 0.0)
        d_pool = np.argsort(-whole, kind="stable")[:pool]
        d_pool = d_pool[np.isfinite(whole[d_pool])]
        k_pool = np.argsort(-keyword, kind="stable")[:pool]
        k_pool = k_pool[keyword[k_pool] > 0]
        rows = np.union1d(d_pool, k_pool)
        dense_score = np.maximum(dense.maxsim(lab.windows(size, stride), q.vector)[rows], whole[rows])
        top = keyword[k_pool].max() if len(k_pool) else 0.0
        kw = np.zeros(len(whole))
        if top > 0:
            kw[k_pool] = keyword[k_pool] / top
        out = np.full(len(whole), -np.inf)
        out[rows] = alpha * dense_score + (1 - alpha) * kw[rows]
        return out

    return run


def _adapted(kinds: tuple[str, ...], base: Mechanism | None = None, **options) -> Mechanism:
    def run(lab: Lab, q: Query) -> np.ndarray:
        w = lab.adapter(kinds, **options)
        moved = Query(q.text, adapter.apply(w, q.vector), q.mask)
        return (base or Lab.cosine)(lab, moved)

    return run


def _bm(**variant) -> Mechanism:
    return lambda lab, q: lab.bm25_scores(q, **variant)


def _bm_title(weight: float) -> Mechanism:
    """BM25 of the text plus ``weight`` x BM25 of the section title (fields scored apart, summed)."""
    return lambda lab, q: lab.bm25_scores(q) + weight * lab.title_scores(q)


def _rm3(**options) -> Mechanism:
    return lambda lab, q: lab.bm25().rm3(q.text, **options)


def _rocchio(**options) -> Mechanism:
    def run(lab: Lab, q: Query) -> np.ndarray:
        first = lab.cosine(q)
        return dense.rocchio(lab.corpus.vectors, q.vector, first, **options)

    return run


dense_plain: Mechanism = Lab.cosine
bm25_typed: Mechanism = _bm(stop=False)  # the eval baseline: every query token
bm25_plain: Mechanism = _bm()  # stop words dropped, as the engine's keyword query does


def registry() -> dict[str, Mechanism]:
    """Every mechanism, by name, in table order."""
    m: dict[str, Mechanism] = {
        # the eval baselines (benchmarks/eval_baselines.py), rebuilt here
        "dense": dense_plain,
        "bm25": bm25_typed,
        "rrf": _hybrid(dense_plain, bm25_typed, "rrf", pool=100),
        # lexical (stop words dropped from here on, as the engine does)
        "bm25 -stop words": bm25_plain,
        "rrf -stop words": _hybrid(dense_plain, bm25_plain, "rrf"),
        "convex a0.5": _hybrid(dense_plain, bm25_plain, "convex", 0.5),
        "bm25 no stemming": _bm(tokenizer=lexical.PLAIN),
        "bm25f title w1": _bm(title_weight=1.0),
        "bm25f title w3": _bm(title_weight=3.0),
        "bm25 + 0.3 title field": _bm_title(0.3),
        "bm25 + 1.0 title field": _bm_title(1.0),
        "bm25 k1 0.9 b 0.4": _bm(k1=0.9, b=0.4),
        "bm25 k1 1.2 b 0.5": _bm(b=0.5),
        "bm25 k1 1.2 b 0.9": _bm(b=0.9),
        "bm25 k1 2.0 b 0.75": _bm(k1=2.0),
        "bm25 rm3 10x10 0.6": _rm3(docs=10, terms=10, keep=0.6),
        "bm25 rm3 5x20 0.5": _rm3(docs=5, terms=20, keep=0.5),
        # dense
        "win 3/2 max(para,win)": _win(3, 2, None),
        "win 3/2 0.5para+0.5win": _win(3, 2, 0.5),
        "win 2/1 max(para,win)": _win(2, 1, None),
        "win 2/1 0.5para+0.5win": _win(2, 1, 0.5),
        "win 1/1 0.5para+0.5win": _win(1, 1, 0.5),
        "rocchio 5 b0.5": _rocchio(docs=5, beta=0.5),
        "rocchio 10 b0.3": _rocchio(docs=10, beta=0.3),
        "adapter title": _adapted(("title",), pull=0.1),
        "adapter sentence": _adapted(("sentence",), pull=0.1),
        "adapter bullet": _adapted(("bullet",), pull=0.1),
        "adapter all": _adapted(("title", "sentence", "bullet"), pull=0.1),
        "adapter sentence+bullet": _adapted(("sentence", "bullet"), pull=0.1),
        "adapter title+bullet": _adapted(("title", "bullet"), pull=0.1),
        "adapter all p0.01 e10": _adapted(("title", "sentence", "bullet"), pull=0.01, epochs=10),
    }
    m["convex: pool-rescored win 2/1 + bm25"] = _pooled_windows(2, 1)
    m["convex: pool-rescored win 3/2 + bm25"] = _pooled_windows(3, 2)
    m["convex: pool-rescored win 2/1 + bm25 a0.6"] = _pooled_windows(2, 1, 0.6)
    # fusion
    for k in (10, 30, 100):
        m[f"rrf k{k}"] = _hybrid(dense_plain, bm25_plain, "rrf", 0.5, k)
    for a in (0.3, 0.4, 0.6, 0.7):
        m[f"convex a{a}"] = _hybrid(dense_plain, bm25_plain, "convex", a)
    for a in (0.5, 0.6):
        m[f"minmax a{a}"] = _hybrid(dense_plain, bm25_plain, "minmax", a)
        m[f"zscore a{a}"] = _hybrid(dense_plain, bm25_plain, "zscore", a)
    return m


def combo(spec: str, known: dict[str, Mechanism]) -> Mechanism:
    """'METHOD ALPHA | DENSE NAME | KEYWORD NAME', e.g. 'convex 0.6 | win 1/1 0.5para+0.5win | bm25f title w1'
    (RRF reads ALPHA as its k): any two registered mechanisms fused."""
    head, dense_name, kw_name = (part.strip() for part in spec.split("|"))
    method, value = head.split()
    if method == "rrf":
        return _hybrid(known[dense_name], known[kw_name], "rrf", 0.5, int(value))
    return _hybrid(known[dense_name], known[kw_name], method, float(value))
