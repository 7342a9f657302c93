"""The clients ParkBot builds once per process and hands to every route and channel.

``Services`` is created in the FastAPI lifespan (or by a CLI command) from the settings.
Each component is built on first use and then kept, so a CLI command that only scores parks
never loads the embedding model, and the server builds everything once at start-up.
"""

from __future__ import annotations

import logging
import threading
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
        """Build what the server needs before it takes requests."""
        for name in ("index",):
            try:
                getattr(self, name)
            except Exception as exc:  # the server still starts; /healthz shows what is missing
                log.warning("could not build %s at start-up: %s", name, exc)

    def index_stats(self) -> dict[str, int]:
        try:
            index = self.index
        except Exception:
            return {"documents": 0, "chunks": 0}
        if index is None:
            return {"documents": 0, "chunks": 0}
        return dict(index.stats())

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

    @cached_property
    def index(self) -> Any:
        """The current policy index, or None when it has not been built yet."""
        return None
