"""Settings of the search stage (fusion weights, boosts, result shaping, coverage, reranker).

Defaults live in `config/retrieval/search.toml`; `SearchConfig.load()` reads that file and
`SearchConfig.load(path, **overrides)` lets bot code apply its own settings on top. The values
in the file were chosen by measurement with `benchmarks/retrieval_quality.py`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, HttpUrl

from retrieval.tokenize import CONFIG_DIR, TokenizerConfig

DEFAULT_SEARCH_CONFIG = CONFIG_DIR / "search.toml"


class FusionConfig(BaseModel):
    """Normalised score fusion of the dense and keyword signals."""

    candidates: int = Field(
        default=50, ge=1, le=1000,
        description="Hits taken from each signal before fusion",
    )
    dense_weight: float = Field(default=0.4, ge=0)
    keyword_weight: float = Field(default=0.6, ge=0)
    dense_floor_rank: int = Field(
        default=20, ge=2,
        description="Dense scores are scaled so the hit at this rank is 0 and the top hit is 1",
    )
    protect_rank: int = Field(
        default=2, ge=0,
        description="A signal's strong first hit is kept at this rank or better (0 = off)",
    )
    protect_margin: float = Field(
        default=0.2, ge=0,
        description="A first hit is 'strong' when its scaled score leads the second by this much",
    )
    doc_number_boost: float = Field(
        default=0.3, ge=0,
        description="Added to chunks of a document whose 文号 is asked",
    )
    title_boost: float = Field(
        default=0.15, ge=0,
        description="Added to chunks of a document whose title is quoted",
    )
    phrase_boost: float = Field(
        default=0.15, ge=0,
        description="Added to chunks that contain a domain phrase (indicator name…) of the query",
    )
    phrase_min_chars: int = Field(
        default=5, ge=2,
        description="Shortest dictionary entry counted as a phrase",
    )


class KeywordConfig(BaseModel):
    """BM25 parameters. b = 0.3 (length normalisation weaker than the usual 0.75) measured best:
    table rows and one-line clauses are short, long passages should not be punished as much."""

    k1: float = Field(default=1.5, gt=0)
    b: float = Field(default=0.3, ge=0, le=1)


class ShapingConfig(BaseModel):
    """How hits are presented."""

    near_duplicate: float = Field(
        default=0.9, gt=0, le=1,
        description="Hits whose texts are at least this similar are shown once",
    )
    short_chunk_chars: int = Field(
        default=80, ge=0,
        description="Chunks shorter than this carry their section context",
    )
    context_chars: int = Field(
        default=300, ge=0,
        description="Longest section context attached to a short chunk",
    )


class CoverageConfig(BaseModel):
    """Whether the corpus covers a question (retrieval/coverage.py):
    coverage = keyword_weight·keyword_match + lead_weight·keyword_lead + dense_weight·dense_top + bias.

    With ``dense_floor`` set, a Chinese question is covered when its closest passage is at least
    that close (cosine), whatever the score; an English one needs the score and ``dense_floor_english``.
    Both floors belong to the embedding model: recalibrate them when it changes."""

    keyword_weight: float = 1.0
    lead_weight: float = 0.111
    dense_weight: float = 2.153
    bias: float = 0.0
    threshold: float = Field(
        default=2.112,
        description="Questions scoring below this are treated as not covered",
    )
    dense_floor: float = Field(
        default=0.0, ge=0.0, le=1.0,
        description="Chinese questions: covered from this cosine of the closest passage on; 0 = judged by the score",
    )
    dense_floor_english: float = Field(
        default=0.0, ge=0.0, le=1.0,
        description="English questions: below this cosine of the closest passage not covered, whatever the score",
    )
    floor_embedder: str = Field(
        default="",
        description="The embedding model the floors were calibrated for (its name in the index manifest); "
                    "over an index embedded with another model the floors are off and the score decides. "
                    "Empty: any model",
    )

    def for_embedder(self, name: str | None) -> CoverageConfig:
        """These settings for an index embedded with ``name``: without the dense floors when they were
        calibrated for another model (cosines of another model have another scale: 0.865 may be more
        than any passage of OpenAI's models ever reaches, and every question would be refused)."""
        if not self.floor_embedder or not name or name == self.floor_embedder or not (
                self.dense_floor or self.dense_floor_english):
            return self
        return self.model_copy(update={"dense_floor": 0.0, "dense_floor_english": 0.0})


class RerankConfig(BaseModel):
    """Optional cross-encoder stage after fusion. Off by default: no Chinese reranker ships offline."""

    backend: Literal["none", "sentence_transformers", "http"] = "none"
    model_path: Path | None = Field(
        default=None,
        description="Local sentence-transformers CrossEncoder directory",
    )
    url: HttpUrl | None = Field(
        default=None,
        description="HTTP reranker (Cohere/Jina/TEI-style /rerank endpoint)",
    )
    model: str = Field(default="", description="Model name sent to the HTTP endpoint")
    top_n: int = Field(default=20, ge=1, le=200, description="Fused hits passed to the reranker")
    weight: float = Field(
        default=1.0, ge=0, le=1,
        description="Share of the reranker score in the final score",
    )
    timeout_s: float = Field(default=10.0, gt=0)


class SearchConfig(BaseModel):
    k_default: int = Field(default=5, ge=1)
    k_max: int = Field(default=50, ge=1)
    tokenizer: TokenizerConfig = TokenizerConfig()
    synonyms: Path | None = CONFIG_DIR / "synonyms.yaml"
    dense_in_memory: bool = Field(default=True, description="Hold the index's vectors in memory for exact search (1.5 KB per chunk) when the "
        "index offers them (`Index.vectors()`); else query the vector store")
    romanized_names: bool = Field(default=True, description="Read place and zone names an English question spells in "
        "pinyin (Xiongan, Caohejing) back to the corpus's characters (retrieval/romanized.py)")
    english_bridge: int = Field(default=2, ge=0, description="Chinese words of the corpus added per English word "
        "of an English question, read through CC-CEDICT (retrieval/bridge.py); 0 turns the bridge off")
    keyword: KeywordConfig = KeywordConfig()
    fusion: FusionConfig = FusionConfig()
    shaping: ShapingConfig = ShapingConfig()
    coverage: CoverageConfig = CoverageConfig()
    rerank: RerankConfig = RerankConfig()

    @classmethod
    def load(cls, path: Path | None = DEFAULT_SEARCH_CONFIG, **overrides: Any) -> SearchConfig:
        """Defaults from a TOML file (relative paths resolve against config/retrieval/), then overrides."""
        data: dict[str, Any] = {}
        if path is not None and Path(path).exists():
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            base = Path(path).resolve().parent
            for key in ("synonyms",):
                if isinstance(data.get(key), str):
                    data[key] = base / data[key]
            tok = data.get("tokenizer", {})
            for key in ("dictionary", "stopwords"):
                if isinstance(tok.get(key), str):
                    tok[key] = base / tok[key]
        _merge(data, overrides)
        return cls.model_validate(data)


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, BaseModel):
            value = value.model_dump(exclude_unset=True)
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
