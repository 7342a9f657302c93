"""Optional reranker stage (off by default: no Chinese cross-encoder ships in a wheel).

`build_reranker(config)` returns None when `backend = "none"`, else an object with
`score(query, texts) -> list[float]` (higher = more relevant):

- ``sentence_transformers``: a CrossEncoder loaded from a local directory (`model_path`).
  sentence-transformers is imported lazily and is not a dependency of ParkBot: install it
  yourself when you point this setting at a model.
- ``http``: a rerank endpoint in the common Cohere / Jina / TEI / vLLM shape:
  POST {"model", "query", "documents": [...]} → {"results": [{"index", "relevance_score"}]}
  (a bare list of {"index", "score"} as TEI returns is accepted too).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

import httpx

from retrieval.errors import RetrievalError
from retrieval.search_config import RerankConfig

logger = logging.getLogger(__name__)


class RerankerUnavailable(RetrievalError):
    """The configured reranker cannot be loaded or did not answer (a fault of the deployment)."""

    code = "reranker_unavailable"


class Reranker(Protocol):
    def score(self, query: str, texts: list[str]) -> list[float]: ...


class CrossEncoderReranker:
    def __init__(self, model_path: str) -> None:
        try:
            from sentence_transformers import CrossEncoder  # type: ignore[import-not-found]
        except ImportError as exc:  # pragma: no cover - depends on the deployment
            raise RerankerUnavailable(
                "rerank.backend = 'sentence_transformers' needs the sentence-transformers package: "
                "pip install sentence-transformers, or set rerank.backend = 'none'"
            ) from exc
        self._model = CrossEncoder(model_path)

    def score(self, query: str, texts: list[str]) -> list[float]:
        return [float(s) for s in self._model.predict([(query, t) for t in texts])]


class HttpReranker:
    def __init__(self, url: str, model: str = "", timeout_s: float = 10.0,
                 client: httpx.Client | None = None) -> None:
        self.url, self.model = url, model
        self._client = client or httpx.Client(timeout=timeout_s)

    def score(self, query: str, texts: list[str]) -> list[float]:
        if not texts:
            return []
        body: dict[str, Any] = {"query": query, "documents": texts, "texts": texts}
        if self.model:
            body["model"] = self.model
        start = time.perf_counter()
        try:
            response = self._client.post(self.url, json=body)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RerankerUnavailable(f"reranker at {self.url} failed: {exc} (check rerank.url)") from exc
        logger.info("rerank %d passages via %s in %.0f ms", len(texts), self.url,
                    (time.perf_counter() - start) * 1000)
        results = data.get("results", data.get("data")) if isinstance(data, dict) else data
        if not isinstance(results, list):
            raise RerankerUnavailable(f"reranker at {self.url} returned no results list")
        scores = [0.0] * len(texts)
        for item in results:
            index = int(item["index"])
            scores[index] = float(item.get("relevance_score", item.get("score", 0.0)))
        return scores


def build_reranker(config: RerankConfig, client: httpx.Client | None = None) -> Reranker | None:
    if config.backend == "none":
        return None
    if config.backend == "sentence_transformers":
        if config.model_path is None:
            raise RerankerUnavailable("rerank.model_path must name a local CrossEncoder directory")
        return CrossEncoderReranker(str(config.model_path))
    if config.url is None:
        raise RerankerUnavailable("rerank.backend = 'http' needs rerank.url (e.g. http://127.0.0.1:8080/rerank)")
    return HttpReranker(str(config.url), config.model, config.timeout_s, client)
