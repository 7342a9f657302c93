"""Scripted answer services for the channel tests: the channel, not the assistant, is under test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from bot.assistant.models import Answer, Citation
from bot.services import Services

CITATION = Citation(
    n=1,
    chunk_id="c1",
    doc="国发〔2020〕7号",
    title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
    section="三、（五）",
    text="申请工作许可的年龄可放宽至65岁",
)


class FakeAnswerServices(Services):
    """Real Services (store, dedupe, feedback) whose answers are scripted and recorded."""

    def __init__(self, settings, reply: str = "可以，年龄可放宽至65岁[1]。", delay_s: float = 0.0) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.reply = reply
        self.delay_s = delay_s
        self.questions: list[tuple[str, str]] = []
        self.modes: list[str] = []
        self.lock = threading.Lock()
        self.gate: threading.Event | None = None  # when set by a test, answers wait until it opens

    def _wait_for_gate(self) -> None:
        if self.gate is not None:
            self.gate.wait(timeout=60)

    def _record(self, message: str, conversation_id: str | None, mode: str) -> None:
        with self.lock:
            self.questions.append((message, conversation_id or ""))
            self.modes.append(mode)

    def answer(self, message: str, conversation_id: str | None = None, mode: str = "answer") -> Answer:
        self._record(message, conversation_id, mode)
        self._wait_for_gate()
        time.sleep(self.delay_s)
        return Answer(conversation_id=conversation_id or "x", answer=self.reply, citations=[CITATION], mode=mode)  # type: ignore[arg-type]

    def stream_answer(self, message: str, conversation_id: str | None = None, mode: str = "answer") -> Iterator[str | Answer]:
        self._record(message, conversation_id, mode)
        self._wait_for_gate()
        step = max(1, len(self.reply) // 3)
        for i in range(0, len(self.reply), step):
            time.sleep(self.delay_s / 3)
            yield self.reply[i : i + step]
        yield Answer(conversation_id=conversation_id or "x", answer=self.reply, citations=[CITATION], mode=mode)  # type: ignore[arg-type]
