"""The clients ParkBot builds once per process, and the one path every answer takes.

``Services`` is created in the FastAPI lifespan (or by a CLI command) from the settings.
Each component is built on first use and then kept, so a CLI command that only scores parks
never loads the embedding model, and the server builds everything once at start-up.

Every channel — the JSON API and its event stream, the OpenAI-compatible endpoint, Slack, the
WeCom app and AI bot, the CLI — turns what it received into an
:class:`~bot.assistant.types.AnswerRequest` (who asks, what, in which conversation) and calls
:meth:`Services.answer` or :meth:`Services.stream_answer`. The message limit, counting and
logging happen there, once; park scope is enforced inside the tools the assistant calls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.assistant.types import Answer, AnswerRequest, StreamEvent

log = logging.getLogger(__name__)


class Services:
    """Lazily built, process-wide clients (index, searcher, cohort, assistant, store)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()

    def warm_up(self) -> None:
        """Build what the server needs before it takes requests (index, cohort, assistant, tokenizer,
        document management, which clears what a killed upload left behind)."""
        for name in ("searcher", "park_data", "assistant", "documents"):
            try:
                getattr(self, name)
            except Exception as exc:  # the server still starts; /healthz and /readyz show what is missing
                log.warning("could not build %s at start-up: %s", name, exc)
        try:
            searcher = self.current_searcher()
            if searcher is not None:
                # loads the tokenizer dictionary, the query path and (an English word) the pinyin names once,
                # then (an English question) the dictionary of the English bridge
                searcher.run("国家高新区 high-tech zones", 1)
                searcher.run("subsidies for high-tech zones", 1)
        except Exception as exc:
            log.warning("search warm-up failed: %s", exc)

    def index_stats(self, *, refresh: bool = True) -> dict[str, int]:
        """Documents and chunks of the current index; ``refresh=False`` reports the index this
        process has loaded without reopening it or waiting for the lock (for /healthz)."""
        index = self.current_index() if refresh else self.__dict__.get("_index")
        return dict(index.stats()) if index is not None else {"documents": 0, "chunks": 0}

    # -- retrieval -------------------------------------------------------------------------
    @cached_property
    def retrieval_config(self) -> Any:
        return self.settings.retrieval_config()

    @cached_property
    def embedder(self) -> Any:
        from retrieval.embedding import make_embedder

        return make_embedder(self.retrieval_config.embedding)

    def current_index(self) -> Any:
        """The published index, reopened when a newer build was published; None before any ingest."""
        from retrieval.errors import IndexMissing
        from retrieval.index import Index

        with self._lock:
            index = self.__dict__.get("_index")
            if index is not None and index.is_current():
                return index
            try:
                fresh = Index.open(self.retrieval_config, self.embedder)
            except IndexMissing:
                return None
            if index is not None:
                index.close()
            self.__dict__["_index"] = fresh
            self.__dict__.pop("_searcher", None)
            return fresh

    def current_searcher(self) -> Any:
        """The hybrid searcher over the current index (rebuilt after a new ingest), or None."""
        from retrieval.search import Searcher

        with self._lock:
            index = self.current_index()
            if index is None:
                return None
            searcher = self.__dict__.get("_searcher")
            if searcher is None:
                searcher = Searcher.from_index(index)
                self.__dict__["_searcher"] = searcher
            return searcher

    @property
    def searcher(self) -> Any:
        return self.current_searcher()

    @cached_property
    def documents(self) -> Any:
        """Document management (uploads, status, audit log) over the same index and store."""
        from bot.documents import DocumentService

        return DocumentService.from_settings(self.settings, embedder=self.embedder, engine=self.store_engine)

    # -- scoring ---------------------------------------------------------------------------
    @cached_property
    def scoring(self) -> Any:
        """Registry, method profile, rule packs and the loaded cohort (the SYNTHETIC sample by default)."""
        import scoring

        path = self.settings.paths.parks
        if not path.exists():
            log.warning("no park data at %s: score lookups need parks sent with the request", path)
        return scoring.ScoringKit.load(
            self.settings.paths.config / "scoring", path if path.exists() else None, with_cohort=path.exists()
        )

    @cached_property
    def park_data(self) -> Any:
        """The tools' view of the loaded cohort (``bot.assistant.parks.CohortParks``), or None without park data."""
        from bot.assistant.parks import CohortParks

        kit = self.scoring
        return CohortParks(kit) if kit.cohort is not None else None

    # -- assistant -------------------------------------------------------------------------
    @cached_property
    def conversations(self) -> Any:
        from bot.assistant.memory import ConversationStore

        return ConversationStore(self.store_engine)

    @cached_property
    def assistant(self) -> Any:
        """The answer service (``bot.assistant.answering.AnswerService``): memory, tools, backend, fallback."""
        from bot.assistant.answering import build_answer_service

        return build_answer_service(self.settings, _LiveSearch(self), self.park_data, memory=self.conversations)

    # -- the one answer path ---------------------------------------------------------------
    def answer(self, request: AnswerRequest) -> Answer:
        """The complete answer to ``request`` (every channel's answer comes through here or stream_answer)."""
        from bot.assistant.backend import final_answer

        return final_answer(self.stream_answer(request))

    def stream_answer(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        """Events of the answer as they are ready: tool results, text pieces, then the final Answer.

        The request is checked at once (an empty or too long message raises before the stream
        starts, so an HTTP channel still answers with a status code); answers are counted and logged
        when they complete.
        """
        self.check(request)
        return self._stream(request)

    def check(self, request: AnswerRequest) -> None:
        """Refuse what no channel may send: an empty message, or one longer than ``limits.max_message_chars``."""
        from bot import metrics
        from bot.errors import BadRequest, MessageTooLong

        message = request.message.strip()
        if not message:
            metrics.record_rejection("empty_message")
            raise BadRequest("message: must not be empty; send the question as text.", code="empty_message")
        limit = self.settings.limits.max_message_chars
        if len(message) > limit:
            metrics.record_rejection("message_too_long")
            raise MessageTooLong(len(message), limit)

    def _stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        from bot.assistant.types import FinalAnswer

        started = time.perf_counter()
        for event in self.assistant.stream(request):
            if isinstance(event, FinalAnswer):
                answer = event.answer
                _count(answer, request.channel)
                check = answer.verification
                log.info("answer for %s via %s (conversation %s): %s/%s in %.0f ms, %d citations, grounded=%s, "
                         "verification removed %d, fallback=%s",
                         request.principal.key, request.channel, answer.conversation_id, answer.backend, answer.intent,
                         (time.perf_counter() - started) * 1000, len(answer.citations), answer.grounded,
                         len(check.removed), check.fallback.reason if check.fallback else None)
            yield event

    def close(self) -> None:
        index = self.__dict__.get("_index")
        if index is not None:
            index.close()

    @cached_property
    def store_engine(self) -> Any:
        """SQLAlchemy engine of the store (conversations, feedback, dedupe keys)."""
        from bot.store import make_engine

        return make_engine(self.settings.store.resolved_url())

    @cached_property
    def dedupe(self) -> Any:
        from bot.dedupe import DedupeStore

        return DedupeStore(self.store_engine)

    @cached_property
    def sessions(self) -> Any:
        """Web sign-in sessions (the login cookie's server side)."""
        from bot.sessions import SessionStore

        return SessionStore(self.store_engine)

    @cached_property
    def feedback(self) -> Any:
        from bot.feedback import FeedbackStore

        return FeedbackStore(self.store_engine)

    def record_feedback(self, item: dict[str, Any]) -> None:
        """Store a rating from any channel (web, Slack, WeCom) in the one feedback table."""
        from bot.feedback import FeedbackIn

        self.feedback.add(FeedbackIn(**item))



def _count(answer: Answer, channel: str) -> None:
    """Answers by channel/mode/backend/grounded, refusals and tool calls (bot/metrics.py)."""
    from bot import metrics

    metrics.record_answer(answer.mode, answer.backend, answer.grounded, channel)
    if not answer.grounded:
        metrics.record_refusal("not_covered")
    for call in answer.tool_calls:
        metrics.record_tool_call(call.name, call.ok)


class _LiveSearch:
    """Searches whatever index is current, so a new ingest reaches the assistant without a restart."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def _searcher(self) -> Any:
        searcher = self._services.current_searcher()
        if searcher is None:
            from retrieval.errors import IndexMissing

            raise IndexMissing(self._services.settings.paths.index)
        return searcher

    def run(self, query: str, k: int | None = None, filters: Any = None) -> Any:
        return self._searcher().run(query, k, filters)

    def section(self, doc: str, section: str) -> Any:
        return self._searcher().section(doc, section)
