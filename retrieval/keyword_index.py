"""The persisted BM25 keyword index of one build (bm25s over `retrieval.tokenize` tokens).

    KeywordIndex.build(chunk_ids, texts, tokenizer) -> KeywordIndex
    KeywordIndex.load(directory) / .save(directory)
    index.search(tokens, k, allowed=None) -> [(chunk_id, score)]   best first, score > 0 only
    index.scores(tokens) -> np.ndarray aligned with index.chunk_ids
    index.tokens: list[list[str]]   each chunk's tokens, aligned with index.chunk_ids

The index remembers a fingerprint of the tokenizer that built it (its module source, its
config and the word lists it reads). A reader whose tokenizer has another fingerprint must
rebuild it (`Index.open` does so in memory), since documents and queries must be cut alike.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np

logger = logging.getLogger(__name__)

Tokenizer = Callable[[str], list[str]]
_IDS_FILE = "chunk_ids.json"


def default_tokenizer() -> Tokenizer:
    """`retrieval.tokenize`'s tokenizer with its default configuration."""
    from retrieval.tokenize import get_tokenizer

    return get_tokenizer()


def tokenizer_fingerprint(tokenizer: Tokenizer) -> str:
    """A hash that changes whenever the tokenizer could cut text differently."""
    owner = tokenizer if not inspect.ismethod(tokenizer) else tokenizer.__self__
    h = hashlib.sha256()
    module = sys.modules.get(getattr(owner, "__module__", "") or type(owner).__module__)
    source = getattr(module, "__file__", None)
    if source and Path(source).is_file():
        h.update(Path(source).read_bytes())
    h.update(getattr(owner, "__qualname__", type(owner).__qualname__).encode())
    config = getattr(owner, "config", None)
    if config is not None and hasattr(config, "model_dump_json"):
        h.update(config.model_dump_json().encode())
        for value in config.model_dump().values():
            if isinstance(value, Path) and value.is_file():
                h.update(value.read_bytes())
    return h.hexdigest()[:16]


class KeywordIndex:
    """BM25 over the chunks of one build; rows are aligned with `chunk_ids`."""

    def __init__(
        self, chunk_ids: list[str], tokens: list[list[str]], bm25: bm25s.BM25, fingerprint: str
    ) -> None:
        self.chunk_ids = chunk_ids
        self.tokens = tokens
        self.fingerprint = fingerprint
        self._bm25 = bm25
        self._vocab: dict[str, int] = getattr(bm25, "vocab_dict", {}) or {}

    @classmethod
    def build(
        cls,
        chunk_ids: Sequence[str],
        texts: Sequence[str],
        tokenizer: Tokenizer,
        fingerprint: str | None = None,
        *,
        k1: float | None = None,
        b: float | None = None,
    ) -> KeywordIndex:
        """Tokenize every text and build the BM25 matrix (`fingerprint` defaults to the tokenizer's).

        k1 and b default to the search configuration's (config/retrieval/search.toml), so the
        searcher can use the persisted matrix as it is instead of rebuilding it at start-up.
        """
        if k1 is None or b is None:
            from retrieval.search_config import SearchConfig

            params = SearchConfig.load().keyword
            k1 = params.k1 if k1 is None else k1
            b = params.b if b is None else b
        bm25 = bm25s.BM25(k1=k1, b=b)
        corpus = [list(tokenizer(text)) for text in texts]
        # bm25s cannot index an empty token list; a placeholder token keeps rows aligned
        bm25.index([t or ["\x00"] for t in corpus], show_progress=False)
        return cls(list(chunk_ids), corpus, bm25, fingerprint or tokenizer_fingerprint(tokenizer))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(directory))
        meta = {"chunk_ids": self.chunk_ids, "fingerprint": self.fingerprint, "tokens": self.tokens}
        (directory / _IDS_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        meta = json.loads((directory / _IDS_FILE).read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(directory))
        return cls(meta["chunk_ids"], meta["tokens"], bm25, meta["fingerprint"])

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk (aligned with `chunk_ids`) for already-tokenized query tokens."""
        known = [t for t in tokens if t in self._vocab and t != "\x00"]
        if not known or not self.chunk_ids:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def search(
        self, tokens: Sequence[str], k: int = 10, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """The k best chunks with a positive score, optionally only among `allowed` chunk ids."""
        scores = self.scores(tokens)
        order = np.argsort(-scores, kind="stable")
        hits: list[tuple[str, float]] = []
        for row in order:
            score = float(scores[row])
            if score <= 0 or len(hits) >= k:
                break
            chunk_id = self.chunk_ids[row]
            if allowed is None or chunk_id in allowed:
                hits.append((chunk_id, score))
        return hits

    def __len__(self) -> int:
        return len(self.chunk_ids)
