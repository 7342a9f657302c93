"""A locked, full or hostile-text store degrades one request at a time, and /healthz never waits.

The lock is real: another SQLite connection holds the write lock (``BEGIN IMMEDIATE``), as a
long-running job in another process would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event

from bot.assistant.memory import ConversationStore
from bot.assistant.types import Turn
from bot.dedupe import DedupeStore
from bot.feedback import FeedbackIn, FeedbackStore
from bot.store import make_engine
from tests.production.conftest import OPS_TOKEN, ProductionServices, make_settings, production_app

AUTH = {"Authorization": f"Bearer {OPS_TOKEN}"}
RATING = {"question": "外籍专家年龄上限？", "answer": "可放宽至65岁[1]。", "rating": "up"}


@contextmanager
def write_locked(db: Path) -> Iterator[None]:
    """Hold the SQLite write lock from another connection until the block ends."""
    holder = sqlite3.connect(db, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _app(tmp_path: Path) -> tuple[TestClient, ProductionServices, Path]:
    settings = make_settings(tmp_path, env="production", limits={"rate_per_minute": 0})
    services = ProductionServices(settings)
    services.feedback  # noqa: B018  (the tables exist before the lock is taken)
    return TestClient(production_app(settings, services)), services, tmp_path / "store.db"


def test_a_locked_store_fails_only_the_requests_that_write_with_a_clear_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client, _, db = _app(tmp_path)
    with client, write_locked(db):
        refused = client.post("/api/feedback", json=RATING, headers=AUTH)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "store_busy"
        assert "busy" in refused.json()["error"]["message"] and "Retry" in refused.json()["error"]["message"]
        assert refused.headers["retry-after"] == "2"
        assert client.get("/api/parks", headers=AUTH).status_code == 200  # what needs no write still works
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["store"] == {"ok": False, "detail": "store locked by another writer"}
    assert client.post("/api/feedback", json=RATING, headers=AUTH).status_code == 201
    assert client.get("/readyz").status_code == 200


def test_readyz_reports_a_full_store_as_not_ready(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client, services, _ = _app(tmp_path)

    @event.listens_for(services.store_engine, "connect")
    def _limit(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA max_page_count=60")  # SQLite runs out of room, as on a full disk

    services.store_engine.dispose()  # new connections get the limit
    with client:
        for _ in range(2000):
            if client.post("/api/feedback", json={**RATING, "comment": "很好" * 500}, headers=AUTH).status_code != 201:
                break
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["store"] == {"ok": False, "detail": "store full: no space left"}


def test_nul_and_lone_surrogates_are_stored_as_text_every_store_can_hold(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path}/store.db")
    record = FeedbackStore(engine).add(FeedbackIn(question="年龄\x00上限？", answer="可以\x00[1]", rating="up",
                                                  conversation_id="web\x00:1", comment="好\x00"))
    stored = next(FeedbackStore(engine).records())
    assert (stored.question, stored.answer, stored.conversation_id, stored.comment) == (
        "年龄上限？", "可以[1]", "web:1", "好")
    assert record.id == stored.id

    memory = ConversationStore(engine)
    memory.append("slack\x00:C1", Turn(role="user", content="问\x00题", entities={"park": "SYN\x00-001"}))
    assert [(t.content, t.entities) for t in memory.history("slack:C1")] == [("问题", {"park": "SYN-001"})]
    assert memory.history("slack\x00:C1") == memory.history("slack:C1")  # one id, however it is written

    dedupe = DedupeStore(engine)
    assert dedupe.first_time("slack:event:Ev\x001") is True
    assert dedupe.first_time("slack:event:Ev1") is False
    assert dedupe.first_time("wecom:\ud800") is True  # not encodable as UTF-8: stored as U+FFFD
    assert dedupe.first_time("wecom:\ufffd") is False


def test_feedback_with_nul_over_http_is_stored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client, services, _ = _app(tmp_path)
    with client:
        resp = client.post("/api/feedback", json={**RATING, "comment": "a\u0000b"}, headers=AUTH)
    assert resp.status_code == 201, resp.text
    assert [r.comment for r in services.feedback.records()] == ["ab"]
