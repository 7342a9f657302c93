"""Seen-once keys for bot deliveries (Slack event ids, WeCom MsgIds).

``DedupeStore.first_time(key)`` inserts the key and answers True only for the first caller, across
threads, processes and replicas that share the store (the primary key decides). Keys expire after
``ttl_s`` so the table stays small.
"""

from __future__ import annotations

import time

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError

from bot.store import create_tables

metadata = MetaData()
seen_keys = Table(
    "seen_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)


class DedupeStore:
    def __init__(self, engine: Engine, ttl_s: float = 24 * 3600) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        create_tables(engine, metadata)
        self.purge()

    def first_time(self, key: str) -> bool:
        """Record ``key``; True if nobody recorded it before (within the TTL)."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(seen_keys).values(key=key[:200], seen_at=now))
            return True
        except IntegrityError:
            return False

    def purge(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(seen_keys).where(seen_keys.c.seen_at < time.time() - self.ttl_s)).rowcount
