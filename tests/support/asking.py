"""Asking ``Services`` a question the way a channel does: an ``AnswerRequest`` from a principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.assistant.types import Answer, AnswerRequest, Channel, Mode, StreamEvent
from bot.principal import Principal

STAFF = Principal(kind="cli", name="tests")  # every park


def request(message: str, conversation_id: str | None = None, mode: Mode = "answer",
            principal: Principal = STAFF, channel: Channel = "cli") -> AnswerRequest:
    return AnswerRequest(principal=principal, message=message, conversation_id=conversation_id, mode=mode,
                         channel=channel)


def ask(services: Any, message: str, conversation_id: str | None = None, mode: Mode = "answer",
        principal: Principal = STAFF) -> Answer:
    """``services.answer`` for one question (``services`` is a ``bot.services.Services``)."""
    answer: Answer = services.answer(request(message, conversation_id, mode, principal))
    return answer


def events(services: Any, message: str, **kwargs: Any) -> list[StreamEvent]:
    stream: Iterator[StreamEvent] = services.stream_answer(request(message, **kwargs))
    return list(stream)
