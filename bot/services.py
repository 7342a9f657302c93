"""The clients ParkBot builds once per process and hands to every route and channel.

``Services`` is created in the FastAPI lifespan (or by a CLI command) from the settings.
Each component is built on first use and then kept, so a CLI command that only scores parks
never loads the embedding model, and the server builds everything once at start-up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from bot.settings import Settings

log = logging.getLogger(__name__)


class Services:
    """Lazily built, process-wide clients (index, searcher, cohort, assistant, store)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()

    def warm_up(self) -> None:
        """Build what the server needs before it takes requests (index, cohort, assistant, tokenizer)."""
        for name in ("searcher", "cohort", "assistant"):
            try:
                getattr(self, name)
            except Exception as exc:  # the server still starts; /healthz and /readyz show what is missing
                log.warning("could not build %s at start-up: %s", name, exc)
        try:
            searcher = self.current_searcher()
            if searcher is not None:
                searcher.run("国家高新区", 1)  # loads the tokenizer dictionary and the query path once
        except Exception as exc:
            log.warning("search warm-up failed: %s", exc)

    def index_stats(self) -> dict[str, int]:
        index = self.current_index()
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
    def cohort(self) -> Any:
        """The assistant's view of the loaded cohort, or None without park data."""
        from bot.assistant.adapters import ScoringParkData

        kit = self.scoring
        return ScoringParkData.from_kit(kit) if kit.cohort is not None else None

    # -- assistant -------------------------------------------------------------------------
    @cached_property
    def toolbox(self) -> Any:
        from bot.assistant.tools import Toolbox

        return Toolbox(_LiveSearch(self), self.cohort)

    @cached_property
    def conversations(self) -> Any:
        from bot.assistant.memory import ConversationStore

        return ConversationStore(self.store_engine)

    @cached_property
    def assistant(self) -> Any:
        from bot.assistant.service import build_answer_service

        return build_answer_service(self.settings, self.toolbox, memory=self.conversations)

    def answer(self, message: str, conversation_id: str | None = None, mode: str = "answer") -> Any:
        """The one answer service every channel calls."""
        answer = self.assistant.answer(message, conversation_id, mode)
        _count(answer)
        return answer

    def stream_answer(self, message: str, conversation_id: str | None = None, mode: str = "answer") -> Iterator[Any]:
        """Text pieces of the answer as they are ready, then the final Answer."""
        for item in self.assistant.stream(message, conversation_id, mode):
            if not isinstance(item, str):
                _count(item)
            yield item

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
    def feedback(self) -> Any:
        from bot.feedback import FeedbackStore

        return FeedbackStore(self.store_engine)

    def record_feedback(self, item: dict[str, Any]) -> None:
        """Store a rating from any channel (web, Slack, WeCom) in the one feedback table."""
        from bot.feedback import FeedbackIn

        self.feedback.add(FeedbackIn(**item))



def _count(answer: Any) -> None:
    """Answers by mode/backend/grounded, refusals and tool calls (bot/metrics.py)."""
    from bot import metrics

    metrics.record_answer(answer.mode, answer.backend, answer.grounded)
    if not answer.grounded:
        metrics.record_refusal("not_covered")
    for call in answer.tool_calls:
        metrics.record_tool_call(call.name, not (isinstance(call.result, dict) and "error" in call.result))


class _LiveSearch:
    """Searches whatever index is current, so a new ingest reaches the assistant without a restart."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def run(self, query: str, k: int | None = None, filters: Any = None) -> Any:
        searcher = self._services.current_searcher()
        if searcher is None:
            from retrieval.errors import IndexMissing

            raise IndexMissing(self._services.settings.paths.index)
        return searcher.run(query, k, filters)
