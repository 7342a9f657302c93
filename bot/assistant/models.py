"""Types of the answer service (CONTRACT.md, POST /api/chat)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Mode = Literal["answer", "draft"]


class Citation(BaseModel):
    """A passage an answer cites; ``n`` is the number used in the ``[n]`` marker."""

    n: int
    chunk_id: str
    doc: str
    title: str
    section: str
    text: str
    date: str | None = None
    status: str = "in_force"


class ToolCall(BaseModel):
    """A call of a deterministic tool and its result (numbers come from here, never from a model)."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    result: Any = None


class Answer(BaseModel):
    conversation_id: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    grounded: bool = True
    mode: Mode = "answer"
    backend: str = "offline"
    intent: str = ""
    notices: list[str] = Field(default_factory=list, description="e.g. guard removals, fallbacks")


class Turn(BaseModel):
    """One exchange kept in conversation memory."""

    role: Literal["user", "assistant"]
    content: str
    intent: str = ""
    entities: dict[str, Any] = Field(default_factory=dict, description="park ids, category, indicator… for follow-ups")
