"""Scripted answer services for the channel tests: the channel, not the assistant, is under test.

``FakeAnswerServices`` is the real ``Services`` — the one answer path with its message limit,
counting and logging — whose assistant is scripted: it records every request (who asked, what, in
which conversation) and streams ``reply`` back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from bot.assistant.types import Answer, AnswerRequest, Citation, FinalAnswer, StreamEvent, TextDelta, ToolCall
from bot.principal import Principal
from bot.services import Services

CITATION = Citation(
    n=1,
    chunk_id="c1",
    doc="国发〔2020〕7号",
    title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
    section="三、（五）",
    text="申请工作许可的年龄可放宽至65岁",
)


class ScriptedAssistant:
    """Stands in for the AnswerService behind ``Services``."""

    def __init__(self, owner: FakeAnswerServices) -> None:
        self.owner = owner

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        owner = self.owner
        owner.record(request)
        if owner.gate is not None:  # a test holds the answer until it has seen what comes before
            owner.gate.wait(timeout=60)
        reply = owner.reply
        pieces = owner.pieces or [reply[i : i + max(1, len(reply) // 3)] for i in range(0, len(reply), max(1, len(reply) // 3))]
        for piece in pieces:
            time.sleep(owner.delay_s / len(pieces))
            yield TextDelta(text=piece)
        yield FinalAnswer(answer=Answer(conversation_id=request.conversation_id or "x", answer="".join(pieces),
                                        citations=[CITATION], tool_calls=list(owner.tool_calls), mode=request.mode))


class FakeAnswerServices(Services):
    """Real Services (store, dedupe, feedback, the answer path) whose answers are scripted and recorded."""

    def __init__(self, settings, reply: str = "可以，年龄可放宽至65岁[1]。", delay_s: float = 0.0) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.reply = reply
        self.delay_s = delay_s
        self.pieces: list[str] | None = None  # how the reply streams; default: three pieces
        self.tool_calls: list[ToolCall] = []
        self.questions: list[tuple[str, str]] = []
        self.modes: list[str] = []
        self.principals: list[Principal] = []
        self.lock = threading.Lock()
        self.gate: threading.Event | None = None  # when set by a test, answers wait until it opens
        self.__dict__["assistant"] = ScriptedAssistant(self)

    def record(self, request: AnswerRequest) -> None:
        with self.lock:
            self.questions.append((request.message, request.conversation_id or ""))
            self.modes.append(request.mode)
            self.principals.append(request.principal)
