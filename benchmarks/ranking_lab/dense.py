"""Dense variants for the lab: whole-paragraph vectors, sentence windows with max-sim,
their mixtures, and Rocchio feedback.

WHY: the model reads 256 word pieces, so the tail of a long paragraph never
reaches its vector, and a one-sentence answer inside a long paragraph is
diluted by the rest. Windows of a few sentences, each embedded with the
section title (as the index embeds paragraphs), score a paragraph by its
best window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evsearch.models.quick_sentences import sentences

from benchmarks.ranking_lab.corpus import LabCorpus


@dataclass
class Windows:
    vectors: np.ndarray  # one row per window
    owner: np.ndarray  # row of the paragraph each window belongs to (non-decreasing)
    starts: np.ndarray  # first window of each paragraph (for np.maximum.reduceat)


def windows(corpus: LabCorpus, size: int, stride: int, *, title: bool = True) -> Windows:
    texts, owner = [], []
    for row, record in enumerate(corpus.records):
        sents = sentences(record["text"]) or [record["text"]]
        last = max(len(sents) - size, 0)
        starts = list(range(0, last + 1, stride))
        if starts[-1] != last:
            starts.append(last)  # the tail is always covered
        for s in starts:
            chunk = " ".join(sents[s : s + size])
            texts.append(f"{record['section']}\n{chunk}" if title and record["section"] else chunk)
            owner.append(row)
    owner_arr = np.asarray(owner)
    vectors = corpus.embed(f"win{size}-{stride}{'t' if title else ''}", texts)
    starts_arr = np.flatnonzero(np.r_[True, owner_arr[1:] != owner_arr[:-1]])
    return Windows(vectors, owner_arr, starts_arr)


def maxsim(win: Windows, query: np.ndarray) -> np.ndarray:
    return np.maximum.reduceat(win.vectors @ query, win.starts)


def rocchio(vectors: np.ndarray, query: np.ndarray, first: np.ndarray, *, docs: int = 5, beta: float = 0.5) -> np.ndarray:
    """Move the query toward the mean of its top documents, then score again."""
    top = np.argsort(-first)[:docs]
    moved = query + beta * vectors[top].mean(axis=0)
    moved /= np.linalg.norm(moved)
    return vectors @ moved
