"""BM25 variants for the lab: tokenizer (FTS5 porter or plain unicode61), a section-title
field (BM25F), and RM3 pseudo-relevance feedback.

WHY: the engine's BM25 is FTS5's (porter-stemmed, one column). Here the same
formula (k1, b, FTS5's idf floor) is computed as a documents x terms matrix,
so a query is a weighted sum of columns and a variant is a parameter: a
plain tokenizer measures what stemming buys, BM25F with the section title
as a second field measures the title, and RM3 re-weights the query by the
terms of its top documents.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import numpy as np
from scipy import sparse
from spacy.lang.en.stop_words import STOP_WORDS

PORTER = "porter unicode61 remove_diacritics 2"
PLAIN = "unicode61 remove_diacritics 2"


class Tokenizer:
    """FTS5's own tokenizer, through a private in-memory FTS5 table (same tokens as the index)."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute(f"CREATE VIRTUAL TABLE t USING fts5 (text, tokenize='{spec}')")
        self.conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        self.stop = {self.one(w) for w in STOP_WORDS} - {""}

    def many(self, texts: list[str]) -> list[list[str]]:
        self.conn.executemany("INSERT INTO t (rowid, text) VALUES (?, ?)", list(enumerate(texts)))
        rows = self.conn.execute("SELECT doc, term FROM v ORDER BY doc, offset").fetchall()
        self.conn.execute("DELETE FROM t")
        out: list[list[str]] = [[] for _ in texts]
        for doc, term in rows:
            out[doc].append(term)
        return out

    def one(self, text: str) -> str:
        found = self.many([text])[0]
        return found[0] if found else ""

    def query(self, text: str, *, stop: bool = True) -> list[str]:
        """Query terms, each once: tokens less stop words (as the engine's keyword query drops them),
        or every token (``stop=False``: the eval baseline's ``fts_escape``)."""
        tokens = dict.fromkeys(self.many([text])[0])
        if not stop:
            return list(tokens)
        return [t for t in tokens if t not in self.stop and (len(t) > 1 or t.isdigit())]


class Bm25:
    """BM25F over text and (optionally) section title: tf = tf_text + w * tf_title."""

    def __init__(self, texts: list[str], titles: list[str], tokenizer: Tokenizer, *,
                 title_weight: float = 0.0, k1: float = 1.2, b: float = 0.75) -> None:
        self.tok = tokenizer
        docs = tokenizer.many(texts)
        heads = tokenizer.many([t or "" for t in titles]) if title_weight else [[] for _ in texts]
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float64)
        for i, (doc, head) in enumerate(zip(docs, heads)):
            tf = Counter(doc)
            for term, n in Counter(head).items():
                tf[term] = tf.get(term, 0) + title_weight * n
            lengths[i] = len(doc) + title_weight * len(head)
            for term, n in tf.items():
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(n)
        n_docs = len(texts)
        tf = sparse.csc_matrix((vals, (rows, cols)), shape=(n_docs, len(vocab)), dtype=np.float64)
        df = np.diff(tf.indptr)
        idf = np.maximum(np.log((n_docs - df + 0.5) / (df + 0.5)), 1e-6)
        norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1e-9))
        tf = tf.tocoo()
        weights = tf.data * (k1 + 1) / (tf.data + norm[tf.row]) * idf[tf.col]
        self.matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        self.tf = sparse.csr_matrix((tf.data, (tf.row, tf.col)), shape=tf.shape)
        self.vocab = vocab
        self.terms = np.array(list(vocab))
        self.idf = idf
        self.lengths = lengths

    def weights(self, terms: list[str]) -> dict[int, float]:
        out: dict[int, float] = {}
        for t in terms:
            j = self.vocab.get(t)
            if j is not None:
                out[j] = out.get(j, 0.0) + 1.0
        return out

    def score(self, query_weights: dict[int, float]) -> np.ndarray:
        if not query_weights:
            return np.zeros(self.matrix.shape[0])
        cols = list(query_weights)
        w = np.array([query_weights[j] for j in cols])
        return np.asarray(self.matrix[:, cols] @ w).ravel()

    def search(self, text: str, *, stop: bool = True) -> np.ndarray:
        return self.score(self.weights(self.tok.query(text, stop=stop)))

    def rm3(self, text: str, *, docs: int = 10, terms: int = 10, keep: float = 0.6) -> np.ndarray:
        """RM3: the query's terms mixed with the top documents' score-weighted term distribution."""
        original = self.weights(self.tok.query(text))
        first = self.score(original)
        if not original or first.max() <= 0:
            return first
        top = np.argsort(-first)[:docs]
        doc_w = np.exp(first[top] - first[top].max())
        doc_w /= doc_w.sum()
        tf = self.tf[top]
        rel = np.asarray((sparse.diags(doc_w / np.maximum(self.lengths[top], 1)) @ tf).sum(axis=0)).ravel()
        rel *= self.idf > 1.0  # terms in over ~a quarter of paragraphs carry no topic
        for stop in self.tok.stop:
            j = self.vocab.get(stop)
            if j is not None:
                rel[j] = 0.0
        best = np.argsort(-rel)[:terms]
        best = best[rel[best] > 0]
        expansion = {int(j): float(rel[j] / rel[best].sum()) for j in best}
        total = sum(original.values())
        mixed = {j: keep * w / total for j, w in original.items()}
        for j, w in expansion.items():
            mixed[j] = mixed.get(j, 0.0) + (1 - keep) * w
        return self.score(mixed)
