"""What the offline composer produces: the answer text, its citations, the grounded flag, notices."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.assistant.types import Citation


@dataclass
class Composed:
    text: str
    citations: list[Citation] = field(default_factory=list)
    grounded: bool = True
    notices: list[str] = field(default_factory=list)
