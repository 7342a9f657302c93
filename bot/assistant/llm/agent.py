"""LLM mode: a tool-calling agent whose every answer passes the guards.

A small explicit loop over ``model.bind_tools(...)`` (langchain-core 1.x) rather than
``langchain.agents.create_agent``: the loop is a dozen lines, keeps one :class:`Evidence` per turn
(passage numbers are assigned by us, not by the model), caps the rounds, and needs no graph
runtime. The tools are every tool of ``bot.assistant.tools`` (``tool_binding.bind_tools``), acting
for the caller, so park scope holds here exactly as offline.

:meth:`PolicyAgent.stream` yields each tool call as it returns, then the verified answer text,
then the :class:`~bot.assistant.types.Answer`. Its outcomes:

* the guarded answer (sentences that fail are removed and ``notices`` says so);
* the offline backend's answer with a notice, when the endpoint fails, when too much of the draft
  fails the guards, or when retrieval says the corpus does not cover the question (the same
  refusal as offline mode). Without an offline backend, :class:`LLMFallback` is raised instead.

The model's text is checked as a whole before any of it is sent, so the text arrives in one piece
for now; checking it sentence by sentence as the tokens arrive is the next step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from bot.assistant.backend import Question
from bot.assistant.llm.guards import Evidence, guard, strip_markers
from bot.assistant.llm.prompts import Prompts
from bot.assistant.llm.tool_binding import bind_tools
from bot.assistant.types import Answer, FinalAnswer, StreamEvent, TextDelta, ToolEvent, Turn
from bot.errors import Unavailable

log = logging.getLogger(__name__)


class LLMFallback(Unavailable):
    """The LLM answer cannot be used; ``reason`` says why (the caller answers offline)."""

    code = "llm_fallback"

    def __init__(self, reason: str, notice: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.notice = notice


OfflineStream = Callable[[Question], Iterator[StreamEvent]]
ENDPOINT_ERRORS: tuple[type[BaseException], ...] = (httpx.HTTPError, ConnectionError, TimeoutError)
try:  # the openai package is a dependency of langchain-openai
    import openai

    ENDPOINT_ERRORS = (*ENDPOINT_ERRORS, openai.APIError)
except ImportError:  # pragma: no cover
    pass


class PolicyAgent:
    """Answers one question with a chat model and the tools; never trusts the model's text."""

    def __init__(
        self,
        model: BaseChatModel,
        prompts: Prompts,
        *,
        offline: OfflineStream | None = None,
        backend_name: str = "openai",
    ) -> None:
        self.model = model
        self.prompts = prompts
        self.offline = offline
        self.name = backend_name
        if backend_name == "local" and prompts.local_search_k:
            self.prompts = prompts.model_copy(update={"search_k": prompts.local_search_k})

    def stream(self, question: Question) -> Iterator[StreamEvent]:
        evidence = Evidence(question=question.message, injection_patterns=self.prompts.injection_patterns)
        try:
            draft = yield from self._run(question, evidence)
        except ENDPOINT_ERRORS as exc:
            log.warning("LLM endpoint failed: %s", exc)
            notice = self.prompts.notices.unavailable.format(reason=type(exc).__name__)
            yield from self._fallback(question, str(exc), notice)
            return
        notices = [self.prompts.notices.planted] if evidence.planted else []
        if evidence.searched and not evidence.covered and not evidence.tool_texts:
            yield from self._fallback(question, "not covered", self.prompts.notices.not_covered, notices)
            return
        verdict = guard(draft, evidence, self.prompts.guards)
        for r in verdict.removed:
            log.info("guard removed %r: %s", r.sentence, r.reason)
        if verdict.fallback:
            notice = self.prompts.notices.fallback.format(reason=verdict.fallback)
            yield from self._fallback(question, verdict.fallback, notice, notices)
            return
        if verdict.removed:
            notices.append(self.prompts.notices.removed.format(count=len(verdict.removed)))
            notices.extend(verdict.notices)
        yield TextDelta(text=verdict.text)
        yield FinalAnswer(answer=Answer(
            conversation_id=question.conversation_id,
            answer=verdict.text,
            citations=verdict.citations,
            tool_calls=evidence.tool_calls,
            grounded=True,
            mode=question.mode,
            backend=self.name,
            intent="draft" if question.mode == "draft" else "llm",
            notices=notices,
        ))

    # -- internals ------------------------------------------------------------------------------

    def _messages(self, question: Question) -> list[BaseMessage]:
        system = self.prompts.system + (
            "\n" + self.prompts.draft if question.mode == "draft" and self.prompts.draft else ""
        )
        out: list[BaseMessage] = [SystemMessage(system)]
        history: Sequence[Turn] = question.history
        keep = list(history)[-self.prompts.history_turns :] if self.prompts.history_turns else []
        for turn in keep:
            text = strip_markers(turn.content)
            out.append(HumanMessage(text) if turn.role == "user" else AIMessage(text))
        out.append(HumanMessage(question.message))
        return out

    def _run(self, question: Question, evidence: Evidence) -> Generator[StreamEvent, None, str]:
        """The tool-calling loop; yields a ToolEvent per tool call, returns the model's final text."""
        tools = bind_tools(question.toolbox, evidence, search_k=self.prompts.search_k,
                           search_k_max=self.prompts.search_k_max)
        by_name = {t.name: t for t in tools}
        bound = self.model.bind_tools(tools)
        messages = self._messages(question)
        for step in range(self.prompts.max_steps):
            started = time.perf_counter()
            reply = bound.invoke(messages)
            log.info("LLM step %d took %.0f ms, %d tool calls", step, (time.perf_counter() - started) * 1000,
                     len(getattr(reply, "tool_calls", []) or []))
            messages.append(reply)
            calls = getattr(reply, "tool_calls", None) or []
            if not calls:
                return _text(reply)
            for call in calls:
                t = by_name.get(call["name"])
                if t is None:
                    messages.append(ToolMessage(f"没有名为 {call['name']} 的工具。", tool_call_id=call["id"], status="error"))
                    continue
                recorded = len(evidence.tool_calls)
                messages.append(t.invoke({**call, "type": "tool_call"}))
                for made in evidence.tool_calls[recorded:]:
                    yield ToolEvent(call=made)
        reply = self.model.invoke(messages)  # out of rounds: answer from what was gathered
        return _text(reply)

    def _fallback(self, question: Question, reason: str, notice: str, extra: Sequence[str] = ()) -> Iterator[StreamEvent]:
        if self.offline is None:
            raise LLMFallback(reason, notice)
        for event in self.offline(question):
            if isinstance(event, FinalAnswer):
                answer = event.answer
                event = FinalAnswer(answer=answer.model_copy(update={"notices": [*answer.notices, *extra, notice]}))
            yield event


def _text(reply: Any) -> str:
    content = getattr(reply, "content", reply)
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)
