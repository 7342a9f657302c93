"""LLM mode: a tool-calling agent whose text streams to the user sentence by sentence, verified.

A small explicit loop over ``model.bind_tools(...)`` (langchain-core 1.x) rather than
``langchain.agents.create_agent``: the loop is a dozen lines, keeps one :class:`Evidence` per turn
(passage numbers are assigned by us, not by the model), caps the rounds, and needs no graph
runtime. The tools are every tool of ``bot.assistant.tools`` (``tool_binding.bind_tools``), acting
for the caller, so park scope holds here exactly as offline.

The model's tokens stream (``model.stream``) into a :class:`~bot.assistant.llm.verifier.StreamVerifier`;
each sentence or list is checked as soon as it is complete and released at once as a
:class:`~bot.assistant.types.TextDelta`. :meth:`PolicyAgent.stream` yields each tool call as it
returns, the verified text as it is released, then the :class:`~bot.assistant.types.Answer`,
whose ``verification`` lists what was removed and whether the answer fell back. Its outcomes:

* the verified answer (sentences that fail are withheld; ``notices`` and ``verification`` say so);
* the model's own statement that the documents do not cover the question, as a refusal
  (``grounded: false``) naming the closest documents;
* the offline backend's answer with a notice — possible only until the first sentence was sent —
  when the endpoint fails, when too much of the text fails the checks, or when retrieval says
  the corpus does not cover the question and the model's answer does not pass whole. Without an
  offline backend, :class:`LLMFallback` is raised instead;
* if the endpoint fails after sentences were sent, those sentences with a notice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable

from bot.assistant.backend import Question
from bot.assistant.llm.evidence import Evidence
from bot.assistant.llm.guards import strip_markers
from bot.assistant.llm.prompts import Prompts
from bot.assistant.llm.tool_binding import bind_tools
from bot.assistant.llm.verifier import StreamVerifier, Verdict
from bot.assistant.types import (
    Answer,
    Fallback,
    FinalAnswer,
    RemovedSentence,
    StreamEvent,
    TextDelta,
    ToolEvent,
    Turn,
    Verification,
)
from bot.assistant.wording import Wording, load_wording
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
        wording: Wording | None = None,
    ) -> None:
        self.model = model
        self.prompts = prompts
        self.offline = offline
        self.name = backend_name
        self.wording = wording or load_wording()
        self.search_first = backend_name == "local" and prompts.local_search_first
        if backend_name == "local" and prompts.local_search_k:  # at most this many passages, whatever k it asks
            self.prompts = prompts.model_copy(update={"search_k": prompts.local_search_k,
                                                      "search_k_max": prompts.local_search_k})

    def stream(self, question: Question) -> Iterator[StreamEvent]:
        evidence = Evidence(question=question.message, injection_patterns=self.prompts.injection_patterns)
        verifier = StreamVerifier(evidence, self.prompts.guards)
        interrupted = ""
        try:
            yield from self._run(question, evidence, verifier)
        except ENDPOINT_ERRORS as exc:
            log.warning("LLM endpoint failed on %s: %s", question.conversation_id, exc)
            if not verifier.released:
                notice = self.prompts.notices.unavailable.format(reason=type(exc).__name__)
                yield from self._fallback(question, Verification(fallback=Fallback(reason=notice)), notice)
                return
            verifier.interrupt()  # sentences were sent: finish with what is complete and verified
            interrupted = self.prompts.notices.interrupted.format(reason=type(exc).__name__)
        tail, verdict = verifier.finish()
        verification = Verification(removed=[RemovedSentence(sentence=r.sentence, reason=r.reason) for r in verdict.removed])
        self._log(question, verdict)
        notices = [self.prompts.notices.planted] if evidence.planted else []
        falls_back = self._falls_back(verdict, evidence)
        if falls_back:
            reason, notice = falls_back
            verification.fallback = Fallback(reason=reason)
            yield from self._fallback(question, verification, notice, notices)
            return
        text = verdict.text
        if tail:
            yield TextDelta(text=tail)
        if verdict.refusal:
            closest = self._closest(evidence)
            if closest:
                addition = ("\n\n" if text else "") + closest
                text += addition
                yield TextDelta(text=addition)
        if verdict.removed:
            notices.append(self.prompts.notices.removed.format(count=len(verdict.removed)))
            notices.extend(verdict.notices)
        if interrupted:
            notices.append(interrupted)
        yield FinalAnswer(answer=Answer(
            conversation_id=question.conversation_id,
            answer=text,
            citations=verdict.citations,
            tool_calls=evidence.tool_calls,
            grounded=not verdict.refusal,
            mode=question.mode,
            backend=self.name,
            intent="draft" if question.mode == "draft" else "llm",
            notices=notices,
            verification=verification,
        ))

    # -- internals ------------------------------------------------------------------------------

    def _falls_back(self, verdict: Verdict, evidence: Evidence) -> tuple[str, str] | None:
        """(reason, notice) when the offline backend must answer instead; None to deliver the verdict."""
        notices = self.prompts.notices
        if verdict.fallback:
            not_covered = evidence.searched and not evidence.covered and not evidence.tool_texts
            return verdict.fallback, notices.not_covered if not_covered else notices.fallback.format(reason=verdict.fallback)
        if verdict.refusal and not verdict.released and self.name == "local" and self.prompts.local_refusal_falls_back:
            return notices.local_refusal, notices.local_refusal
        return None

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

    def _run(self, question: Question, evidence: Evidence, verifier: StreamVerifier) -> Iterator[StreamEvent]:
        """The tool-calling loop: a ToolEvent per tool call, the verified text as it is released."""
        tools = bind_tools(question.toolbox, evidence, search_k=self.prompts.search_k,
                           search_k_max=self.prompts.search_k_max)
        by_name = {t.name: t for t in tools}
        bound = self.model.bind_tools(tools)
        messages = self._messages(question)
        if self.search_first and "search_policies" in by_name:  # a weak model: the passages are put before it
            first: dict[str, Any] = {"name": "search_policies", "args": {"query": question.message},
                                     "id": "search-first", "type": "tool_call"}
            messages.append(AIMessage(content="", tool_calls=[first]))  # type: ignore[list-item]
            recorded = len(evidence.tool_calls)
            messages.append(by_name["search_policies"].invoke(first))
            for made in evidence.tool_calls[recorded:]:
                yield ToolEvent(call=made)
            if self.prompts.local_reminder:
                messages.append(HumanMessage(self.prompts.local_reminder))
        for step in range(self.prompts.max_steps):
            # retrieval said the corpus does not cover the question: judge the answer whole
            verifier.judge_whole(evidence.searched and not evidence.covered and not evidence.tool_texts)
            reply = yield from self._reply(bound, messages, verifier, step)
            messages.append(reply)
            calls = reply.tool_calls
            if not calls:
                return
            verifier.retract()  # text written before tool calls is not the answer
            for call in calls:
                t = by_name.get(call["name"])
                if t is None:
                    messages.append(ToolMessage(f"没有名为 {call['name']} 的工具。", tool_call_id=call["id"], status="error"))
                    continue
                recorded = len(evidence.tool_calls)
                messages.append(t.invoke({**call, "type": "tool_call"}))
                for made in evidence.tool_calls[recorded:]:
                    yield ToolEvent(call=made)
        verifier.judge_whole(evidence.searched and not evidence.covered and not evidence.tool_texts)
        yield from self._reply(self.model, messages, verifier, self.prompts.max_steps)  # out of rounds

    def _reply(self, model: Runnable[Any, Any], messages: list[BaseMessage], verifier: StreamVerifier,
               step: int) -> Generator[StreamEvent, None, AIMessage]:
        """One model call, streamed: its text goes through the verifier; returns the whole reply."""
        started = time.perf_counter()
        first: float | None = None
        whole: Any = None
        for chunk in model.stream(messages):
            whole = chunk if whole is None else whole + chunk
            text = _text(chunk)
            if not text:
                continue
            first = first if first is not None else time.perf_counter()
            released = verifier.feed(text)
            if released:
                yield TextDelta(text=released)
        calls = list(getattr(whole, "tool_calls", None) or [])
        log.info("LLM step %d took %.0f ms (first token after %s), %d tool calls", step,
                 (time.perf_counter() - started) * 1000,
                 f"{(first - started) * 1000:.0f} ms" if first is not None else "-", len(calls))
        return AIMessage(content=_text(whole) if whole is not None else "", tool_calls=calls)

    def _closest(self, evidence: Evidence) -> str:
        """"最接近的文件是：…" for the documents of this turn's passages (as the offline refusal says it)."""
        w = self.wording.zh
        labels: list[str] = []
        for citation in evidence.passages.values():
            label = w.policy.document_name(citation.title or citation.doc, citation.doc, citation.date, citation.jurisdiction)
            if label not in labels:
                labels.append(label)
        return w.refusal.closest.format(documents=w.refusal.documents_separator.join(labels[:3])) if labels else ""

    def _log(self, question: Question, verdict: Verdict) -> None:
        for r in verdict.removed:
            log.info("verification removed from %s: %r (%s)", question.conversation_id, r.sentence, r.reason)
        log.info("verification of %s: %d clauses checked, %d removed, released=%s, refusal=%s, fallback=%s",
                 question.conversation_id, verdict.checked, len(verdict.removed), verdict.released,
                 verdict.refusal, verdict.fallback)

    def _fallback(self, question: Question, verification: Verification, notice: str,
                  extra: Sequence[str] = ()) -> Iterator[StreamEvent]:
        if self.offline is None:
            raise LLMFallback(verification.fallback.reason if verification.fallback else notice, notice)
        for event in self.offline(question):
            if isinstance(event, FinalAnswer):
                answer = event.answer
                event = FinalAnswer(answer=answer.model_copy(update={
                    "notices": [*answer.notices, *extra, notice], "verification": verification}))
            yield event


def _text(reply: Any) -> str:
    content = getattr(reply, "content", reply)
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)
