"""Settings group ``[documents]`` (read with :func:`document_settings` until bot/settings.py has it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from bot.paths import resolve


class DocumentSettings(BaseModel):
    uploads_dir: str = Field(default="var/uploads", description="Uploaded documents and their .meta.toml sidecars")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, description="Largest document accepted")

    @property
    def uploads(self) -> Path:
        return resolve(self.uploads_dir)


def document_settings(settings: Any) -> DocumentSettings:
    value = getattr(settings, "documents", None)
    if value is None:
        return DocumentSettings()
    if isinstance(value, DocumentSettings):
        return value
    return DocumentSettings.model_validate(value.model_dump() if isinstance(value, BaseModel) else value)
