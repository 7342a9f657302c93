"""The assistant's data files in ``config/assistant/`` (intents, wording, prompts), read as typed models."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def assistant_config(name: str) -> Path:
    """``config/assistant/<name>`` of this checkout."""
    from bot.paths import project_root

    return project_root() / "config" / "assistant" / name


def load_yaml_model(model: type[M], path: Path, what: str) -> M:
    """``path`` validated as ``model`` (cached per file); refused naming the file and what is wrong."""
    return _load(model, str(path), what)  # type: ignore[return-value]


@lru_cache(maxsize=16)
def _load(model: type[BaseModel], path: str, what: str) -> BaseModel:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path}: {what}: {exc}") from exc
