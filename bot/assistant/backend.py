"""What an answer backend is given and what it gives back.

A backend (the offline router and composer, or the LLM agent) answers one :class:`Question` — the
message, the caller's conversation id and history, the mode, and the tools acting for the caller —
with a stream of events: each tool call when it returns (:class:`~bot.assistant.types.ToolEvent`),
the answer text as it is ready (:class:`~bot.assistant.types.TextDelta`), and last the whole
:class:`~bot.assistant.types.Answer` (:class:`~bot.assistant.types.FinalAnswer`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.assistant.tools import Toolbox
from bot.assistant.types import Answer, FinalAnswer, Mode, StreamEvent, Turn


@dataclass(frozen=True)
class Question:
    message: str
    conversation_id: str
    toolbox: Toolbox
    mode: Mode = "answer"
    history: Sequence[Turn] = field(default_factory=tuple)


class Backend(Protocol):
    name: str

    def stream(self, question: Question) -> Iterator[StreamEvent]: ...


class NoAnswer(RuntimeError):
    """A stream ended without its final answer (a bug in a backend)."""


def final_answer(events: Iterable[StreamEvent]) -> Answer:
    """Run a stream to its end and return the answer it ends with."""
    answer = None
    for event in events:
        if isinstance(event, FinalAnswer):
            answer = event.answer
    if answer is None:
        raise NoAnswer("the answer stream ended without an answer")
    return answer
