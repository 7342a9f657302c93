"""Web sign-in sessions: the login cookie holds a random session id, never the bearer token.

Signing in at ``/login`` creates a session: a random id (256 bits) goes into the HttpOnly cookie;
the store keeps only its sha256, which token it stands for (that token's configured sha256) and
when it expires (``auth.cookie_max_age_s``). Signing out deletes the row, so the old cookie stops
working at once, on every replica that shares the store. A token removed from ``auth.tokens``
ends its sessions too: the principal is looked up in the configured tokens on every request.

The ``sessions`` table lives in ParkBot's store; the methods are plain blocking calls, safe from
any thread (async code calls them through ``bot.store.off_loop``).
"""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, delete, insert, select

from bot.store import create_tables

SESSION_PREFIX = "pbs_"

_metadata = MetaData()
sessions = Table(
    "sessions",
    _metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("token_sha256", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SessionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, _metadata, [sessions])

    def create(self, token_sha256: str, max_age_s: float) -> str:
        """A new session for the token with this sha256; returns the id for the cookie (shown once)."""
        session_id = SESSION_PREFIX + secrets.token_urlsafe(32)
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(insert(sessions).values(id_sha256=_digest(session_id), token_sha256=token_sha256,
                                                 created_at=now, expires_at=now + max_age_s))
        return session_id

    def token_of(self, session_id: str) -> str | None:
        """The token sha256 a live session stands for, or None (unknown, signed out or expired)."""
        if not session_id.startswith(SESSION_PREFIX) or len(session_id) > 128:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions.c.token_sha256, sessions.c.expires_at)
                               .where(sessions.c.id_sha256 == _digest(session_id))).first()
        if row is None or row.expires_at < time.time():
            return None
        return str(row.token_sha256)

    def end(self, session_id: str) -> bool:
        """Sign out: delete the session; True if it existed."""
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(sessions).where(sessions.c.id_sha256 == _digest(session_id))).rowcount)
