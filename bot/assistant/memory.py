"""Conversation memory: turns kept per conversation id in SQL (SQLite by default).

SQLAlchemy Core, two tables (``conversations``, ``turns``), one transaction per write, WAL
journal for SQLite so readers never block the writer. The conversation id is whatever the
channel uses (a web session, a Slack thread ``C123:1700000000.1``, a WeCom user id). Each
assistant turn stores the entities it resolved (park, category, rule …) so a follow-up
("那创新型科技园区呢？", "它排第几？") can reuse them. History is trimmed to a budget of turns and
characters when it is read, and old turns beyond ``keep_turns`` are deleted when written.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine

from bot.assistant.types import Turn
from bot.store import make_engine

log = logging.getLogger(__name__)

metadata = MetaData()

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(200), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("intent", String(32), nullable=False, default=""),
    Column("entities", JSON, nullable=False, default=dict),
    Column("created_at", Float, nullable=False),
    Index("ix_turns_conversation", "conversation_id", "id"),
)


def new_conversation_id() -> str:
    return uuid.uuid4().hex


class ConversationStore:
    """Turns by conversation id. Safe to share between threads."""

    def __init__(
        self, store: str | Engine, *, max_turns: int = 12, max_chars: int = 6000, keep_turns: int = 200
    ) -> None:
        """``store`` is the store's engine (shared with feedback and dedupe) or a SQLAlchemy URL."""
        self.max_turns = max_turns
        self.max_chars = max_chars
        self.keep_turns = keep_turns
        self._owns_engine = isinstance(store, str)
        self.engine = make_engine(store) if isinstance(store, str) else store
        self._lock = threading.Lock()
        metadata.create_all(self.engine)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def append(self, conversation_id: str, *new_turns: Turn) -> None:
        """Add turns to a conversation (created on first use), in one transaction."""
        now = time.time()
        with self._lock, self.engine.begin() as conn:
            exists = conn.execute(select(conversations.c.id).where(conversations.c.id == conversation_id)).first()
            if exists:
                conn.execute(update(conversations).where(conversations.c.id == conversation_id).values(updated_at=now))
            else:
                conn.execute(insert(conversations).values(id=conversation_id, created_at=now, updated_at=now))
            conn.execute(
                insert(turns),
                [
                    {
                        "conversation_id": conversation_id,
                        "role": t.role,
                        "content": t.content,
                        "intent": t.intent,
                        "entities": json.loads(json.dumps(t.entities, ensure_ascii=False, default=str)),
                        "created_at": now,
                    }
                    for t in new_turns
                ],
            )
            ids = conn.execute(
                select(turns.c.id).where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.id.desc()).offset(self.keep_turns).limit(1)
            ).first()
            if ids:
                conn.execute(delete(turns).where(turns.c.conversation_id == conversation_id, turns.c.id <= ids[0]))

    def history(self, conversation_id: str, *, max_turns: int | None = None, max_chars: int | None = None) -> list[Turn]:
        """The latest turns, oldest first, trimmed to the turn and character budget."""
        max_turns = self.max_turns if max_turns is None else max_turns
        max_chars = self.max_chars if max_chars is None else max_chars
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(turns.c.role, turns.c.content, turns.c.intent, turns.c.entities)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.id.desc()).limit(max_turns)
            ).all()
        out: list[Turn] = []
        used = 0
        for row in rows:
            content = str(row.content)
            if out and used + len(content) > max_chars:
                break
            used += len(content)
            out.append(Turn.model_validate(
                {"role": row.role, "content": content, "intent": row.intent or "", "entities": row.entities or {}}
            ))
        out.reverse()
        return out

    def last_entities(self, conversation_id: str) -> dict[str, Any]:
        """Entities of the latest assistant turn that resolved any (for follow-ups)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(turns.c.entities).where(turns.c.conversation_id == conversation_id, turns.c.role == "assistant")
                .order_by(turns.c.id.desc()).limit(5)
            ).all()
        for row in rows:
            if isinstance(row.entities, dict) and row.entities:
                return dict(row.entities)
        return {}

    def exists(self, conversation_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(conversations.c.id).where(conversations.c.id == conversation_id)).first() is not None


