"""A query-side linear adapter learnt from pairs the reports give for free (no labels).

WHY: MiniLM was trained on web text; inspection reports have their own
vocabulary ("permanence", "step-down", "return home interviews"). The reports
themselves pair short, query-like text with the evidence that develops it:

* ``title``:   a section title  ->  each paragraph under it;
* ``sentence``: a paragraph's first sentence  ->  the rest of the paragraph;
* ``bullet``:  a "What needs to improve" / recommendation bullet  ->  the numbered
  paragraph of the same report closest to it (the one that develops the point).

A d x d matrix W (started at the identity) is trained so that W q lands near
its partner among the batch (InfoNCE, in-batch negatives) with a pull back
toward the identity; documents are untouched, so no re-embedding is needed.
Seeded and single-threaded: the same corpus gives the same W.
"""

from __future__ import annotations

import re

import numpy as np

from evsearch.models.quick_sentences import sentences

from benchmarks.ranking_lab.corpus import LabCorpus

_BULLET_SECTION = re.compile(r"needs? to improve|areas? for (priority )?(action|improvement)|recommendation", re.I)


def pairs(corpus: LabCorpus, kinds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(query-side vectors, document-side vectors) for the chosen kinds of free pairs."""
    queries, docs = [], []
    records, stored = corpus.records, corpus.vectors
    numbered = np.array([r["number"] is not None for r in records])
    if "title" in kinds:
        titles = sorted({r["section"] for r in records if r["section"] and r["number"] is not None})
        tvec = dict(zip(titles, corpus.embed("titles", titles)))
        rows = [i for i, r in enumerate(records) if r["number"] is not None and r["section"] in tvec]
        queries.append(np.stack([tvec[records[i]["section"]] for i in rows]))
        docs.append(stored[rows])
    if "sentence" in kinds:
        firsts, rests = [], []
        for r in records:
            sents = sentences(r["text"])
            if r["number"] is not None and len(sents) >= 3:
                firsts.append(sents[0])
                rest = " ".join(sents[1:])
                rests.append(f"{r['section']}\n{rest}" if r["section"] else rest)
        queries.append(corpus.embed("first-sentences", firsts))
        docs.append(corpus.embed("rest-of-paragraph", rests))
    if "bullet" in kinds:
        reports = np.array([r["report_id"] for r in records])
        rows, partners = [], []
        for i, r in enumerate(records):
            if r["number"] is None and r["section"] and _BULLET_SECTION.search(r["section"]):
                same = np.flatnonzero((reports == r["report_id"]) & numbered)
                if len(same):
                    rows.append(i)
                    partners.append(same[np.argmax(stored[same] @ stored[i])])
        if rows:
            queries.append(stored[rows])
            docs.append(stored[partners])
    return np.concatenate(queries), np.concatenate(docs)


def train(queries: np.ndarray, docs: np.ndarray, *, epochs: int = 3, tau: float = 0.05,
          pull: float = 1.0, lr: float = 1e-3, batch: int = 256, seed: int = 0) -> np.ndarray:
    """W (d x d) minimising InfoNCE(W q_i, d_i) + pull * ||W - I||^2."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    q = torch.from_numpy(queries.astype(np.float32))
    d = torch.nn.functional.normalize(torch.from_numpy(docs.astype(np.float32)), dim=1)
    dim = q.shape[1]
    eye = torch.eye(dim)
    w = torch.nn.Parameter(eye.clone())
    opt = torch.optim.Adam([w], lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(q), generator=gen)
        for start in range(0, len(q), batch):
            idx = order[start : start + batch]
            mapped = torch.nn.functional.normalize(q[idx] @ w, dim=1)
            logits = mapped @ d[idx].T / tau
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(idx)))
            loss = loss + pull * ((w - eye) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return w.detach().numpy()


def apply(w: np.ndarray, query: np.ndarray) -> np.ndarray:
    mapped = query @ w
    return mapped / np.linalg.norm(mapped, axis=-1, keepdims=True)
