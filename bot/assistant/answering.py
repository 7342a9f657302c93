"""The assistant: conversation memory, the caller's tools, the backend, and the offline fallback.

:meth:`AnswerService.stream` takes an :class:`~bot.assistant.types.AnswerRequest` (``Services``
has checked it), loads the caller's conversation (stored per principal, so another caller sending
the same id starts a conversation of its own), gives the backend a toolbox acting for the caller,
and passes the backend's events on. The backend is chosen by ``settings.llm.backend``: "offline"
(router → tools → composer, no model) or "openai"/"local" (:class:`bot.assistant.llm.agent.PolicyAgent`).
If the LLM backend cannot be built, or fails before it has sent any text, the offline backend
answers and the answer's ``notices`` say so. When the answer is complete both turns are stored,
with the entities the router resolved (for follow-ups such as "它排第几？").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bot.assistant.backend import Backend, Question
from bot.assistant.memory import ConversationStore, new_conversation_id
from bot.assistant.offline.backend import OfflineBackend, previous_entities
from bot.assistant.parks import ParkData
from bot.assistant.tools import PolicySearch, Toolbox
from bot.assistant.types import (
    Answer,
    AnswerRequest,
    Fallback,
    FinalAnswer,
    StreamEvent,
    TextDelta,
    Turn,
)
from bot.assistant.wording import Wording, load_wording

log = logging.getLogger(__name__)


class AnswerService:
    """One per process, shared by every channel (through ``Services``)."""

    def __init__(
        self,
        offline: OfflineBackend,
        search: PolicySearch | None,
        parks: ParkData | None,
        memory: ConversationStore | None = None,
        *,
        llm: Backend | None = None,
        llm_factory: Callable[[], Backend] | None = None,
        backend: str = "offline",
        wording: Wording | None = None,
    ) -> None:
        self.offline = offline
        self.search = search
        self.parks = parks
        self.memory = memory
        self.backend = backend
        self.wording = wording or load_wording()
        self._llm = llm
        self._llm_factory = llm_factory
        self._llm_error: str | None = None

    def _llm_backend(self) -> Backend | None:
        if self.backend == "offline":
            return None
        if self._llm is None and self._llm_factory is not None and self._llm_error is None:
            try:
                self._llm = self._llm_factory()
            except Exception as exc:  # configuration or start-up fault: answer offline, say why
                self._llm_error = f"{type(exc).__name__}: {exc}"
                log.error("LLM backend %r unavailable: %s", self.backend, self._llm_error)
        return self._llm

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        conversation_id = request.conversation_id or new_conversation_id()
        key = request.principal.conversation_key(conversation_id)
        history = self.memory.history(key) if self.memory else []
        question = Question(
            message=request.message.strip(), conversation_id=conversation_id, mode=request.mode, history=history,
            toolbox=Toolbox(self.search, self.parks, request.principal),
        )
        for event in self._events(question):
            if isinstance(event, FinalAnswer) and self.memory:
                answer = event.answer
                self.memory.append(
                    key,
                    Turn(role="user", content=question.message),
                    Turn(role="assistant", content=answer.answer, intent=answer.intent,
                         entities=self._entities(question, answer)),
                )
            yield event

    def _events(self, question: Question) -> Iterator[StreamEvent]:
        notices = self.wording.zh.notices
        llm = self._llm_backend()
        if llm is None:
            extra = [] if self.backend == "offline" else [notices.llm_unavailable.format(
                backend=self.backend, reason=self._llm_error or notices.llm_not_configured)]
            yield from _with_notices(self.offline.stream(question), extra, fallback=extra[0] if extra else None)
            return
        sent_text = False
        try:
            for event in llm.stream(question):
                sent_text = sent_text or isinstance(event, TextDelta)
                yield event
        except Exception as exc:
            if sent_text:  # a sentence cannot be taken back: the channel reports the error
                raise
            log.warning("LLM backend failed on %s: %s", question.conversation_id, exc)
            notice = getattr(exc, "notice", None) or notices.llm_failed.format(error=type(exc).__name__)
            yield from _with_notices(self.offline.stream(question), [notice],
                                     fallback=str(getattr(exc, "reason", None) or notice))

    def _entities(self, question: Question, answer: Answer) -> dict[str, Any]:
        """The entities to remember: the offline router's reading of the message, whatever answered."""
        try:
            route = self.offline.router.route(question.message, previous_entities(question.history),
                                              mode=question.mode, may_read=question.toolbox.principal.may_read_park)
        except Exception:  # memory must not break an answer
            return {}
        entities = route.entities()
        entities["intent"] = answer.intent if answer.backend == "offline" else route.intent
        return entities


def _with_notices(events: Iterator[StreamEvent], notices: Sequence[str], *, fallback: str | None = None
                  ) -> Iterator[StreamEvent]:
    """The offline answer's events, its final answer with ``notices`` added and, when it stands in
    for the LLM's, ``verification.fallback`` saying why."""
    for event in events:
        if (notices or fallback) and isinstance(event, FinalAnswer):
            answer = event.answer
            update: dict[str, Any] = {"notices": [*answer.notices, *notices]}
            if fallback:
                update["verification"] = answer.verification.model_copy(update={"fallback": Fallback(reason=fallback)})
            event = FinalAnswer(answer=answer.model_copy(update=update))
        yield event


def build_answer_service(
    settings: Any,
    search: PolicySearch | None,
    parks: ParkData | None,
    *,
    memory: ConversationStore | None = None,
    llm: Backend | None = None,
) -> AnswerService:
    """The answer service for ``settings`` (``bot.settings.Settings``).

    ``memory`` defaults to the SQL store at ``settings.store.resolved_url()``. For the "openai"
    and "local" backends the LLM agent is built on the first message (a broken endpoint
    configuration then answers offline with a notice instead of failing the server's start).
    """
    from bot.assistant.offline.backend import build_offline_backend

    offline = build_offline_backend(search, parks, home=settings.assistant.jurisdiction or None)
    if memory is None:
        memory = ConversationStore(settings.store.resolved_url())
    backend = settings.llm.backend

    def llm_factory() -> Backend:
        from bot.assistant.llm.agent import PolicyAgent
        from bot.assistant.llm.chat_models import build_chat_model
        from bot.assistant.llm.prompts import load_prompts

        return PolicyAgent(build_chat_model(settings.llm), load_prompts(), offline=offline.stream, backend_name=backend)

    return AnswerService(offline, search, parks, memory, llm=llm, llm_factory=None if llm else llm_factory,
                         backend=backend)
