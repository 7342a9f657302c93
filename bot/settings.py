"""ParkBot's one settings object.

Defaults live in ``config/default.toml``; environment variables override them with the prefix
``PARKBOT_`` and ``__`` between nested groups (``PARKBOT_LLM__BASE_URL``). Call
:func:`get_settings` where settings are needed; nothing else in ParkBot reads ``os.environ``.

The groups ``[chroma]``, ``[embedding]`` and ``[index]`` are the retrieval library's own config
models, so every documented key reaches the library. A key the settings do not know — in the
settings file, or as a ``PARKBOT_…`` variable — is refused at start with its name and the
closest known names, never silently ignored.
"""

from __future__ import annotations

import difflib
import os
import re
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.documents.config import DocumentSettings
from bot.paths import project_root, resolve
from bot.principal import ALL_PARKS
from retrieval.config import ChromaConfig, EmbeddingConfig, IndexConfig, RetrievalConfig

ENV_PREFIX = "PARKBOT_"
NOT_SETTINGS = {"PARKBOT_CONFIG_FILE"}  # names the settings file itself
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = ""
    drain_timeout_s: float = Field(default=20.0, ge=0, description="How long stopping waits for bot answers in progress")


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


class AssistantSettings(BaseModel):
    jurisdiction: str = Field(default="", description="The deployment's own province or city (广东省, 深圳市): "
                              "questions that name no place keep to its rules and national ones")


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
        from bot.store import normalize_url

        prefix = "sqlite:///"
        if self.url.startswith(prefix) and not self.url.startswith(prefix + "/"):
            path = resolve(self.url[len(prefix):])
            path.parent.mkdir(parents=True, exist_ok=True)
            return prefix + str(path)
        return normalize_url(self.url)


class SlackSettings(BaseModel):
    bot_token: SecretStr = SecretStr("")
    signing_secret: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")
    api_base_url: str = "https://slack.com/api/"
    native_stream: bool = True
    parks: list[str] = Field(default_factory=lambda: [ALL_PARKS], description='Parks everyone asking in Slack may see')


class WeComSettings(BaseModel):
    corp_id: str = ""
    agent_id: str = ""
    secret: SecretStr = SecretStr("")
    token: SecretStr = SecretStr("")
    aes_key: SecretStr = SecretStr("")
    api_base: str = "https://qyapi.weixin.qq.com"
    aibot_token: SecretStr = SecretStr("")
    aibot_aes_key: SecretStr = SecretStr("")
    parks: list[str] = Field(default_factory=lambda: [ALL_PARKS], description='Parks everyone asking in WeCom may see')


class TokenSpec(BaseModel):
    """One API token, as configured: ``{name, sha256, parks, manage_documents}``."""

    name: str = Field(min_length=1, max_length=64, description="Who holds the token (shown in logs, never the token)")
    sha256: str = Field(description="sha256 hex digest of the token; `parkbot token create NAME` prints it")
    parks: list[str] = Field(default_factory=lambda: [ALL_PARKS], description='Park ids this token may read; ["*"] = all')
    manage_documents: bool = Field(default=False, description="May add or remove policy documents")

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        value = value.strip().lower()
        if not _SHA256_HEX.match(value):
            raise ValueError(
                "auth.tokens[].sha256 must be the 64-character sha256 hex digest of the token, not the token "
                "itself; `parkbot token create NAME` prints the line to use"
            )
        return value


class AuthSettings(BaseModel):
    """Settings group ``[auth]``."""

    tokens: list[TokenSpec] = Field(default_factory=list)
    cookie_name: str = "parkbot_session"
    cookie_max_age_s: int = 12 * 3600
    cookie_secure: bool = False  # set true behind HTTPS so the browser sends the cookie over TLS only


class LimitSettings(BaseModel):
    """Settings group ``[limits]``."""

    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body (bytes)")
    max_upload_bytes: int = Field(default=26_214_400, ge=1024, description="Largest body on upload_paths")
    upload_paths: list[str] = Field(default_factory=lambda: ["/api/score", "/api/documents"])
    max_message_chars: int = Field(default=4000, ge=1, description="Longest chat message (characters)")
    rate_per_minute: float = Field(default=60.0, ge=0, description="Sustained requests per minute per caller; 0 = off")
    rate_burst: int = Field(default=20, ge=1, description="Requests a caller may send at once before the rate applies")
    rate_limited_prefixes: list[str] = Field(default_factory=lambda: ["/api/", "/v1/", "/session"])


class Settings(BaseSettings):
    """All of ParkBot's settings; see config/default.toml for what each one does."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
    )

    env: Literal["development", "production"] = "development"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    server: ServerSettings = ServerSettings()
    paths: PathSettings = PathSettings()
    chroma: ChromaConfig = ChromaConfig()
    embedding: EmbeddingConfig = EmbeddingConfig()
    index: IndexConfig = IndexConfig()
    llm: LLMSettings = LLMSettings()
    assistant: AssistantSettings = AssistantSettings()
    store: StoreSettings = StoreSettings()
    slack: SlackSettings = SlackSettings()
    wecom: WeComSettings = WeComSettings()
    documents: DocumentSettings = DocumentSettings()
    auth: AuthSettings = AuthSettings()
    limits: LimitSettings = LimitSettings()

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
        refuse_unknown_env(settings_cls, os.environ)
        return (
            init_settings,
            env_settings,
            _CheckedToml(settings_cls, toml_file=toml_file),
        )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        """Outside development, refuse secrets that are placeholders or not of their platform's shape
        (bot/secret_shapes.py), naming each setting and its rule."""
        from bot.secret_shapes import secret_problems

        if self.env != "production":
            return self
        problems = secret_problems(self)
        if problems:
            raise ValueError(
                "Refusing to start with env=production and secrets that cannot be right:\n  - "
                + "\n  - ".join(problems)
                + "\n(or set PARKBOT_ENV=development for local use)."
            )
        return self

    def retrieval_config(self) -> RetrievalConfig:
        """The retrieval library's storage/embedding config: these settings' own groups, as they are."""
        return RetrievalConfig(index_dir=self.paths.index, chroma=self.chroma, embedding=self.embedding,
                               **self.index.model_dump())


# -- unknown keys are refused ---------------------------------------------------------------------


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models a field holds, directly or in a list/optional (``list[TokenSpec]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def unknown_keys(model: type[BaseModel], data: Any, where: str = "") -> list[tuple[str, list[str]]]:
    """Dotted names in ``data`` that ``model`` has no field for, each with the names it does have there."""
    if not isinstance(data, dict):
        return []
    found: list[tuple[str, list[str]]] = []
    for key, value in data.items():
        field = model.model_fields.get(str(key))
        name = f"{where}{key}"
        if field is None:
            found.append((name, sorted(model.model_fields)))
            continue
        for inner in _models_in(field.annotation):
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                found += unknown_keys(inner, item, f"{name}[{i}]." if isinstance(value, list) else f"{name}.")
            break
    return found


def _closest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name.rsplit(".", 1)[-1], known, n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else f" (known here: {', '.join(known)})"


def refuse_unknown_env(settings_cls: type[BaseModel], environ: typing.Mapping[str, str]) -> None:
    """Refuse a ``PARKBOT_…`` variable that names no setting (a typo would otherwise be ignored)."""
    bad = []
    for var in environ:
        if not var.upper().startswith(ENV_PREFIX) or var.upper() in NOT_SETTINGS:
            continue
        model: type[BaseModel] | None = settings_cls
        path = var[len(ENV_PREFIX):].lower().split("__")
        for i, part in enumerate(path):
            field = model.model_fields.get(part) if model is not None else None
            if field is None:
                known = sorted(model.model_fields) if model is not None else []
                names = [ENV_PREFIX + "__".join([*path[:i], k]).upper() for k in known]
                close = difflib.get_close_matches(var.upper(), names, n=2, cutoff=0.6)
                hint = f" (did you mean {' or '.join(close)}?)" if close else \
                    f" (known here: {', '.join(known)})" if known else " (this setting has no sub-keys)"
                bad.append(var + hint)
                break
            inner = _models_in(field.annotation)
            model = inner[0] if inner and i < len(path) - 1 and not _is_list(field.annotation) else None
    if bad:
        raise ValueError("Unknown ParkBot setting in the environment: " + "; ".join(bad)
                         + ". Variables are PARKBOT_<KEY> or PARKBOT_<GROUP>__<KEY> as listed in config/default.toml.")


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


class _CheckedToml(TomlConfigSettingsSource):
    """The settings file, refused when it has a key the settings do not know."""

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        bad = unknown_keys(self.settings_cls, data)
        if bad:
            raise ValueError(f"Unknown key in the settings file {self.toml_file_path}: "
                             + "; ".join(f"{name}{_closest(name, known)}" for name, known in bad)
                             + ". Remove it or correct its name (config/default.toml lists every setting).")
        return data


def get_settings(**overrides: object) -> Settings:
    """Build the settings from config/default.toml, the environment and explicit overrides."""
    return Settings(**overrides)  # type: ignore[arg-type]
