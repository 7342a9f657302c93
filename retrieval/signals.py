"""The two raw signals the searcher fuses, over rows 0..n-1 of a chunk list.

`KeywordSignal` is BM25 (bm25s) over `retrieval.tokenize` tokens; `DenseSignal` is exact cosine
over a row-aligned float32 matrix of unit vectors. Both answer `search(query, k, allowed)` with
`[(row, score), …]` best first, `allowed` being an optional boolean row mask (a filter).
The searcher can also be given other objects with the same `search` method (e.g. the
persisted index's own keyword index or a vector store).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

Ranked = list[tuple[int, float]]


class Signal(Protocol):
    def search(self, query: object, k: int, allowed: np.ndarray | None = None) -> Ranked: ...


def top_k(scores: np.ndarray, k: int, allowed: np.ndarray | None = None, positive: bool = False) -> Ranked:
    """Rows of the k highest scores (ties by row), optionally only rows in `allowed`, only > 0."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    k = min(k, scores.shape[0])
    if k <= 0:
        return []
    idx = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(scores.shape[0])
    idx = idx[np.lexsort((idx, -scores[idx]))]
    floor = 0.0 if positive else -np.inf
    return [(int(i), float(scores[i])) for i in idx if scores[i] > floor]


class KeywordSignal:
    """BM25 scores over rows; built from token lists or wrapped around the index's `KeywordIndex`."""

    def __init__(self, bm25: object, size: int, order: np.ndarray | None = None) -> None:
        self.size = size
        self._bm25 = bm25
        self._order = order  # row -> column of the wrapped index's score vector
        vocab: dict[str, int] = getattr(bm25, "vocab_dict", {}) or {}
        self._vocab = set(vocab)
        self.idf, self.unknown_idf = _idf(bm25, vocab)

    @classmethod
    def from_tokens(cls, corpus_tokens: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75
                    ) -> KeywordSignal:
        import bm25s

        bm25 = bm25s.BM25(k1=k1, b=b)
        # bm25s cannot index an empty token list; a placeholder token keeps rows aligned
        bm25.index([list(t) or ["\x00"] for t in corpus_tokens], show_progress=False)
        return cls(bm25, len(corpus_tokens))

    @classmethod
    def from_keyword_index(cls, keyword_index: object, chunk_ids: Sequence[str]) -> KeywordSignal:
        """Wrap `retrieval.keyword_index.KeywordIndex`, re-ordering its rows to `chunk_ids`."""
        position = {cid: i for i, cid in enumerate(keyword_index.chunk_ids)}  # type: ignore[attr-defined]
        order = np.asarray([position[cid] for cid in chunk_ids], dtype=np.int64)
        return cls(keyword_index._bm25, len(chunk_ids), order)  # type: ignore[attr-defined]

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        known = [t for t in tokens if t in self._vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        scores = np.asarray(self._bm25.get_scores(known), dtype=np.float32)  # type: ignore[attr-defined]
        return scores if self._order is None else scores[self._order]

    def search(self, query: object, k: int, allowed: np.ndarray | None = None) -> Ranked:
        return top_k(self.scores(list(query)), k, allowed, positive=True)  # type: ignore[call-overload]


def _idf(bm25: object, vocab: dict[str, int]) -> tuple[dict[str, float], float]:
    """BM25 idf of every indexed token, from the document frequencies in bm25s's CSC matrix."""
    matrix = getattr(bm25, "scores", {}) or {}
    n = int(matrix.get("num_docs", 0)) or 1
    indptr = np.asarray(matrix.get("indptr", [0]))
    df = np.diff(indptr)
    idf = {t: float(np.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5))) for t, i in vocab.items() if i < len(df)}
    return idf, float(np.log(1 + (n - 0.5) / 1.5))


class DenseSignal:
    """Exact inner-product search over unit vectors (cosine)."""

    def __init__(self, vectors: np.ndarray) -> None:
        v = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        self.vectors = v / np.maximum(norms, 1e-12)

    def scores(self, vector: np.ndarray) -> np.ndarray:
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        return self.vectors @ (q / max(float(np.linalg.norm(q)), 1e-12))

    def search(self, query: object, k: int, allowed: np.ndarray | None = None) -> Ranked:
        return top_k(self.scores(query), k, allowed)  # type: ignore[arg-type]


class IndexDenseSignal:
    """Dense search through the index's vector store (`Index.dense_search`, Chroma), by row.

    A row mask becomes a Chroma `where` on the documents it allows; rows outside the mask are
    dropped afterwards (so a finer mask, e.g. in-force only, still holds).
    """

    def __init__(self, index: object, chunk_ids: Sequence[str], docs: Sequence[str]) -> None:
        self.index = index
        self.row_of = {cid: i for i, cid in enumerate(chunk_ids)}
        self.docs = list(docs)

    def search(self, query: object, k: int, allowed: np.ndarray | None = None) -> Ranked:
        where = None
        if allowed is not None:
            wanted = sorted({self.docs[i] for i in np.flatnonzero(allowed)})
            if not wanted:
                return []
            where = {"doc": wanted[0]} if len(wanted) == 1 else {"doc": {"$in": wanted}}
        found = self.index.dense_search(query, k, where)  # type: ignore[attr-defined]
        rows = [(self.row_of[cid], score) for cid, score in found if cid in self.row_of]
        return [(r, s) for r, s in rows if allowed is None or allowed[r]]
