"""Settings: every documented key reaches get_settings(), and a key nobody knows is refused at start."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from bot.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = ROOT / "config" / "default.toml"


def _leaves(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out |= _leaves(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def _model_leaves(model: type[BaseModel], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, field in model.model_fields.items():
        inner = field.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out |= _model_leaves(inner, f"{prefix}{name}.")
        else:
            out.add(f"{prefix}{name}")
    return out


def _value(settings: Settings, dotted: str) -> Any:
    value: Any = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump()
    return value


def test_every_key_of_default_toml_reaches_get_settings() -> None:
    defaults = _leaves(tomllib.loads(DEFAULTS.read_text(encoding="utf-8")))
    settings = get_settings()
    for dotted, expected in defaults.items():
        env = "PARKBOT_" + dotted.upper().replace(".", "__")
        if env in os.environ:  # the test session points paths.index_dir and store.url elsewhere
            continue
        assert _value(settings, dotted) == expected, f"{dotted} in default.toml does not reach get_settings()"
    assert set(defaults) == _model_leaves(Settings), "default.toml and the Settings model list different keys"


def test_the_retrieval_groups_are_the_library_s_own_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKBOT_EMBEDDING__QUERY_PREFIX", "query: ")
    monkeypatch.setenv("PARKBOT_EMBEDDING__TIMEOUT_S", "12.5")
    monkeypatch.setenv("PARKBOT_INDEX__KEEP_BUILDS", "3")
    config = get_settings().retrieval_config()
    assert config.embedding.query_prefix == "query: " and config.embedding.timeout_s == 12.5
    assert config.keep_builds == 3


def test_an_unknown_key_in_the_settings_file_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[llm]\nbakend = "openai"\n[embedding]\nquery_prefx = "q: "\n', encoding="utf-8")
    monkeypatch.setenv("PARKBOT_CONFIG_FILE", str(settings_file))
    with pytest.raises(ValueError, match="Unknown key") as refused:
        get_settings()
    message = str(refused.value)
    assert "llm.bakend (did you mean backend?)" in message and "embedding.query_prefx" in message
    assert str(settings_file) in message


def test_a_token_entry_with_a_misspelt_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`park` instead of `parks` would otherwise give the token every park."""
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[auth]\ntokens = [{{name = "p", sha256 = "{"a" * 64}", park = ["SYN-001"]}}]\n',
                             encoding="utf-8")
    monkeypatch.setenv("PARKBOT_CONFIG_FILE", str(settings_file))
    with pytest.raises(ValueError, match=r"auth\.tokens\[0\]\.park \(did you mean parks\?\)"):
        get_settings()


def test_a_mistyped_parkbot_variable_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKBOT_LLM__BASEURL", "https://api.example.org/v1")
    with pytest.raises(ValueError, match="PARKBOT_LLM__BASEURL") as refused:
        get_settings()
    assert "did you mean PARKBOT_LLM__BASE_URL" in str(refused.value)
    monkeypatch.delenv("PARKBOT_LLM__BASEURL")
    monkeypatch.setenv("PARKBOT_LIMITS__MAX_MESSAGE_CHARS__X", "1")
    with pytest.raises(ValueError, match="has no sub-keys"):
        get_settings()
