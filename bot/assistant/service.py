"""The one answer service every channel calls.

    AnswerService.answer(message, conversation_id=None, mode="answer") -> Answer
    AnswerService.stream(message, conversation_id=None, mode="answer") -> Iterator[str | Answer]

It loads the conversation's history from memory, asks a :class:`Backend` for the answer, stores
both turns (with the entities the router resolved, for follow-ups) and returns the
:class:`~bot.assistant.models.Answer` of CONTRACT.md. The backend is chosen by
``settings.llm.backend``: "offline" (the embedded default: router → tools → composer, no model)
or "openai"/"local" (the LLM helper's :class:`bot.assistant.agent.PolicyAgent`). If the LLM
backend cannot be built or fails on a message, the offline backend answers and the answer's
``notices`` say so.

Streaming yields text pieces and then the final Answer; the pieces concatenate to
``answer.answer``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from bot.assistant.composer import AnswerType, Composed, Composer, SentencePicker, VintageRule
from bot.assistant.drafting import draft_letter, enquiry_topic
from bot.assistant.memory import ConversationStore, new_conversation_id
from bot.assistant.models import Answer, Mode, ToolCall, Turn
from bot.assistant.router import Route, Router, RouterConfig
from bot.assistant.tools import Toolbox, ToolResult

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
FOLLOWUP_MAX_CHARS = 16  # a longer message is a question of its own, even when it starts with 那


def fmt_weight(weight: float | None) -> str:
    return "" if weight is None else f"{weight:g}"


class Backend(Protocol):
    """Answers one message given the conversation's history (PolicyAgent has the same method)."""

    def answer(self, message: str, conversation_id: str, history: Sequence[Turn] = (), mode: Mode = "answer") -> Answer: ...


# -- offline backend -----------------------------------------------------------------------------


class OfflineBackend:
    """Router → deterministic tools → composer. No model, no network; the embedded default."""

    name = "offline"

    def __init__(self, toolbox: Toolbox, composer: Composer, router_config: RouterConfig | None = None,
                 *, search_k: int = 5) -> None:
        self.toolbox = toolbox
        self.composer = composer
        self.router_config = router_config or RouterConfig.load()
        self.search_k = search_k
        self._router: Router | None = None

    @property
    def router(self) -> Router:
        """Built on first use: it needs the cohort's parks and the registry's indicators."""
        if self._router is None:
            parks, indicators = [], []
            if self.toolbox.park_data is not None:
                try:
                    parks = self.toolbox.park_data.parks()
                    indicators = self.toolbox.park_data.indicators()
                except Exception as exc:  # the assistant still answers policy questions
                    log.warning("cohort not available to the router: %s", exc)
            self._router = Router(self.router_config, parks, indicators)
        return self._router

    def answer(self, message: str, conversation_id: str, history: Sequence[Turn] = (), mode: Mode = "answer") -> Answer:
        previous = _previous_entities(history)
        route = self.router.route(message, previous, mode=mode)
        calls: list[ToolResult] = []
        composed = self._dispatch(route, message, previous, calls)
        return Answer(
            conversation_id=conversation_id,
            answer=composed.text,
            citations=composed.citations,
            tool_calls=[ToolCall(**c.as_tool_call()) for c in calls],
            grounded=composed.grounded,
            mode=mode,
            backend=self.name,
            intent=route.intent,
            notices=composed.notices,
        )

    # -- dispatch -----------------------------------------------------------------------------

    def _dispatch(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        handler: Callable[..., Composed] = getattr(self, f"_on_{route.intent}", self._on_policy)
        return handler(route, message, previous, calls)

    def _search(self, query: str, calls: list[ToolResult], doc: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
        result = self.toolbox.search_policies(query, self.search_k, doc)
        calls.append(result)
        hits = result.artifact.get("hits", [])
        coverage = result.artifact.get("coverage") or {}
        expanded = result.artifact.get("query_expanded") or query
        return hits, coverage, expanded

    def _failed(self, result: ToolResult, route: Route) -> Composed:
        return Composed(result.text, [], False)

    def _on_policy(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        query = message
        if (route.followup and previous.get("intent") == "policy" and previous.get("query")
                and len(message) <= FOLLOWUP_MAX_CHARS):
            # "那居留许可呢？" continues the previous question: search with both
            query = f"{message} {previous['query']}"
        hits, coverage, expanded = self._search(query, calls)
        if not calls[-1].ok and not hits:
            return self._failed(calls[-1], route)
        return self.composer.policy_answer(expanded, hits, coverage, english=route.language == "en", question=message)

    def _on_draft(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        topic = enquiry_topic(message)
        hits, coverage, expanded = self._search(topic, calls)
        if not calls[-1].ok and not hits:
            return self._failed(calls[-1], route)
        composed = draft_letter(self.composer, expanded if expanded != topic else topic, hits, coverage,
                                english=route.language == "en")
        return composed

    def _on_list_parks(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        result = self.toolbox.list_parks()
        calls.append(result)
        if not result.ok:
            return self._failed(result, route)
        return self.composer.parks_answer(result.artifact, english=route.language == "en")

    def _on_indicator_system(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        result = self.toolbox.indicator_system()
        if not result.ok:  # no registry loaded: answer from the documents instead
            return self._on_policy(route, message, previous, calls)
        calls.append(result)
        outline = result.artifact
        clauses = [
            self._clause(outline["doc"], outline["section"], f"一级指标 {p['name']}{fmt_weight(p['weight'])}%")
            for p in outline["primaries"]
        ]
        return self.composer.indicator_system_answer(outline, clauses, message, english=route.language == "en")

    def _clause(self, doc: str, section: str, hint: str) -> dict[str, Any] | None:
        return self.toolbox.find_clause(doc, section, hint)

    def _on_score(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        assert route.park is not None
        result = self.toolbox.score_park(route.park.park_id)
        calls.append(result)
        if not result.ok:
            return self._failed(result, route)
        clause = self._clause("国科发火〔2013〕388号", "附2", "国家高新区评价指标体系 一级指标 二级指标 赋权")
        return self.composer.score_answer(result.artifact["card"], clause, english=route.language == "en")

    def _on_explain(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        assert route.park is not None
        result = self.toolbox.explain_score(route.park.park_id)
        calls.append(result)
        if not result.ok:
            return self._failed(result, route)
        clause = self._clause("国科发火〔2013〕388号", "附2", "国家高新区评价指标体系 一级指标 二级指标 赋权")
        return self.composer.explain_answer(result.artifact, clause, english=route.language == "en")

    def _on_eligibility(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        assert route.park is not None and route.category is not None
        result = self.toolbox.check_eligibility(route.park.park_id, route.category)
        calls.append(result)
        if not result.ok:
            return self._failed(result, route)
        verdict = result.artifact["eligibility"]
        citation = verdict.get("citation") or {}
        category_name = self.router.category_name(route.category)
        clause = self._clause(citation.get("doc", ""), citation.get("section", ""), f"{category_name} 目标要求 序号 指标 要求")
        return self.composer.eligibility_answer(verdict, route.park.name, clause, synthetic=route.park.synthetic,
                                                english=route.language == "en")

    def _on_what_if(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        assert route.park is not None
        result = self.toolbox.what_if(route.park.park_id, {c.code: c.value for c in route.changes})
        calls.append(result)
        if not result.ok:
            return self._failed(result, route)
        return self.composer.what_if_answer(result.artifact, english=route.language == "en")

    def _on_rule_check(self, route: Route, message: str, previous: dict[str, Any], calls: list[ToolResult]) -> Composed:
        assert route.rule is not None
        result = self.toolbox.check_rule(route.rule, {k: v for k, v in route.facts.items() if k != "subject"})
        calls.append(result)
        if not result.ok:
            calls.pop()  # the rule pack cannot decide: answer from the documents
            return self._on_policy(route, message, previous, calls)
        rule = result.artifact["rule"]
        citation = rule.get("citation") or {}
        hits, coverage, expanded = self._search(message, calls)
        targets = rule.get("targets") or []
        hint = next((t.get("requirement") for t in targets if t.get("threshold") is not None), None) or message
        clause = self._clause(citation.get("doc", ""), citation.get("section", ""), hint)
        return self.composer.rule_answer(rule, expanded, hits, clause, english=route.language == "en")


def _previous_entities(history: Sequence[Turn]) -> dict[str, Any]:
    for turn in reversed(history):
        if turn.role == "assistant" and turn.entities:
            return dict(turn.entities)
    return {}


# -- the service ---------------------------------------------------------------------------------


class AnswerService:
    """Memory + backend choice + fallback. One instance per process, shared by every channel."""

    def __init__(
        self,
        offline: OfflineBackend,
        memory: ConversationStore | None = None,
        *,
        llm: Backend | None = None,
        llm_factory: Callable[[], Backend] | None = None,
        backend: str = "offline",
    ) -> None:
        self.offline = offline
        self.memory = memory
        self.backend = backend
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

    def answer(self, message: str, conversation_id: str | None = None, mode: Mode = "answer") -> Answer:
        from bot.errors import BadRequest

        message = (message or "").strip()
        if not message:
            raise BadRequest("message: must not be empty; send the question as text.", code="empty_message")
        if len(message) > MAX_MESSAGE_CHARS:
            raise BadRequest(f"message: {len(message)} characters is too long (at most {MAX_MESSAGE_CHARS}).",
                             code="message_too_long")
        if mode not in ("answer", "draft"):
            raise BadRequest(f"mode: {mode!r} is not a mode; use 'answer' or 'draft'.", code="bad_mode")
        conversation_id = conversation_id or new_conversation_id()
        history = self.memory.history(conversation_id) if self.memory else []
        started = time.perf_counter()
        answer = self._answer(message, conversation_id, history, mode)
        log.info("answer %s via %s (%s) in %.0f ms, %d citations, grounded=%s", conversation_id, answer.backend,
                 answer.intent, (time.perf_counter() - started) * 1000, len(answer.citations), answer.grounded)
        if self.memory:
            entities = self._entities(message, history, mode, answer)
            self.memory.append(
                conversation_id,
                Turn(role="user", content=message),
                Turn(role="assistant", content=answer.answer, intent=answer.intent, entities=entities),
            )
        return answer

    def _answer(self, message: str, conversation_id: str, history: Sequence[Turn], mode: Mode) -> Answer:
        llm = self._llm_backend()
        if llm is None:
            answer = self.offline.answer(message, conversation_id, history, mode)
            if self.backend != "offline":
                notice = f"大模型后端“{self.backend}”不可用（{self._llm_error or '未配置'}），已改用离线模式作答。"
                answer = answer.model_copy(update={"notices": [*answer.notices, notice]})
            return answer
        try:
            return llm.answer(message, conversation_id, history, mode)
        except Exception as exc:
            log.warning("LLM backend failed on %s: %s", conversation_id, exc)
            answer = self.offline.answer(message, conversation_id, history, mode)
            notice = getattr(exc, "notice", None) or f"大模型服务出错（{type(exc).__name__}），已改用离线模式作答。"
            return answer.model_copy(update={"notices": [*answer.notices, notice]})

    def _entities(self, message: str, history: Sequence[Turn], mode: Mode, answer: Answer) -> dict[str, Any]:
        """The entities to remember: the offline router's reading of the message, whatever answered."""
        try:
            route = self.offline.router.route(message, _previous_entities(history), mode=mode)
        except Exception:  # memory must not break an answer
            return {}
        entities = route.entities()
        entities["intent"] = answer.intent if answer.backend == "offline" else route.intent
        return entities

    def stream(self, message: str, conversation_id: str | None = None, mode: Mode = "answer") -> Iterator[str | Answer]:
        """Text pieces, then the final Answer (the pieces concatenate to ``answer.answer``)."""
        answer = self.answer(message, conversation_id, mode)
        yield from split_for_stream(answer.answer)
        yield answer


def split_for_stream(text: str, size: int = 24) -> Iterator[str]:
    """Pieces of about ``size`` characters, never splitting a ``[n]`` marker or a table row."""
    for line in re.split(r"(?<=\n)", text):
        if line.startswith("|") or len(line) <= size:
            if line:
                yield line
            continue
        piece = ""
        for token in re.findall(r"\[\d+\]|.", line, flags=re.S):
            piece += token
            if len(piece) >= size:
                yield piece
                piece = ""
        if piece:
            yield piece


# -- construction --------------------------------------------------------------------------------


def build_offline_backend(toolbox: Toolbox, router_config: RouterConfig | None = None) -> OfflineBackend:
    """The offline backend with the tokenizer retrieval uses (so the composer cuts words the same way)."""
    from retrieval.tokenize import tokenize

    config = router_config or RouterConfig.load()
    answer_types = [AnswerType(name=name, **rule.model_dump()) for name, rule in config.answer_types.items()]
    picker = SentencePicker(tokenize, quantity_cues=config.quantity_cues, answer_types=answer_types)
    composer = Composer(picker, vintage_rules=[VintageRule(**v) for v in config.vintage], lookup=toolbox.find_clause)
    return OfflineBackend(toolbox, composer, config)


def build_answer_service(
    settings: Any,
    toolbox: Toolbox,
    *,
    memory: ConversationStore | None = None,
    llm: Backend | None = None,
) -> AnswerService:
    """The answer service for ``settings`` (``bot.settings.Settings``).

    ``memory`` defaults to the SQL store at ``settings.store.resolved_url()``. For the "openai"
    and "local" backends the LLM agent is built on the first message (a broken endpoint
    configuration then answers offline with a notice instead of failing the server's start).
    """
    offline = build_offline_backend(toolbox)
    if memory is None:
        memory = ConversationStore(settings.store.resolved_url())
    backend = settings.llm.backend

    def llm_factory() -> Backend:
        from bot.assistant.agent import PolicyAgent, load_prompts
        from bot.assistant.llm import build_chat_model

        return PolicyAgent(build_chat_model(settings.llm), toolbox, load_prompts(), offline=offline.answer,
                           backend_name=backend)

    return AnswerService(offline, memory, llm=llm, llm_factory=None if llm else llm_factory, backend=backend)
