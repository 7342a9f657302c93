"""The store on a real PostgreSQL server (Debian packages, started here on 127.0.0.1).

Dedupe keys, feedback and conversation memory work on PostgreSQL; a PostgreSQL restart in the
middle of a run costs nothing but a reconnect; two ParkBot replicas sharing one database answer
a Slack event once even when Slack's retry reaches the other replica.
"""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.dedupe import DedupeStore
from bot.feedback import FeedbackIn, FeedbackStore
from bot.store import make_engine
from tests.production.conftest import ProductionServices, make_settings, production_app
from tests.support.bot_packets import SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET
from tests.support.postgres import PostgresServer
from tests.support.servers import running_server, wait_until
from tests.support.slack_mock import SlackMock

pytestmark = [pytest.mark.enable_socket, pytest.mark.slow]

SECRET = SLACK_SIGNING_SECRET


@pytest.fixture(scope="module")
def pg():  # type: ignore[no-untyped-def]
    server = PostgresServer()
    server.init()
    server.start()
    yield server
    server.close()


@pytest.fixture
def pg_url(pg) -> str:  # type: ignore[no-untyped-def]
    return pg.create_database()


def feedback(question: str) -> FeedbackIn:
    return FeedbackIn(question=question, answer="可以，年龄可放宽至65岁[1]。", rating="up", conversation_id="c1")


def test_dedupe_and_feedback_on_postgres(pg_url: str) -> None:
    engine = make_engine(pg_url.replace("postgresql+psycopg://", "postgresql://"))  # plain URLs work too
    assert engine.dialect.name == "postgresql"
    dedupe = DedupeStore(engine)
    results: list[bool] = []
    lock = threading.Lock()

    def claim() -> None:
        ok = dedupe.first_time("slack:event:EvRace")
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]  # eight racing deliveries, one winner

    store = FeedbackStore(engine)
    FeedbackStore(engine)  # a second replica creating the table is harmless
    first = store.add(feedback("外籍专家年龄"))
    second = store.add(feedback("孵化器认定"))
    rows = list(store.records())
    assert [r.id for r in rows] == [first.id, second.id]
    assert rows[0].question == "外籍专家年龄" and rows[1].answer.endswith("65岁[1]。")


def test_conversation_memory_on_postgres(pg_url: str) -> None:
    from bot.assistant.memory import ConversationStore
    from bot.assistant.types import Turn

    memory = ConversationStore(pg_url)
    memory.append("slack:C1:1.1", Turn(role="user", content="SYN-001排第几"),
                  Turn(role="assistant", content="第3名", entities={"park": "SYN-001"}))
    memory.append("slack:C1:1.1", Turn(role="user", content="那创新型科技园区呢"))
    other = ConversationStore(pg_url)  # another replica reads the same conversation
    assert [t.content for t in other.history("slack:C1:1.1")] == ["SYN-001排第几", "第3名", "那创新型科技园区呢"]
    assert other.last_entities("slack:C1:1.1") == {"park": "SYN-001"}
    memory.close()
    other.close()


def test_text_postgres_cannot_hold_is_stored_not_a_500(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from bot.assistant.memory import ConversationStore
    from bot.assistant.types import Turn

    settings = make_settings(tmp_path, env="development", store={"url": pg_url})
    services = ProductionServices(settings)
    with TestClient(production_app(settings, services)) as client:
        resp = client.post("/api/feedback", json={"question": "年龄\u0000上限", "answer": "可以\u0000[1]",
                                                  "rating": "up", "conversation_id": "web\u0000:1", "comment": "\u0000"})
    assert resp.status_code == 201, resp.text
    stored = next(services.feedback.records())
    assert (stored.question, stored.answer, stored.conversation_id, stored.comment) == ("年龄上限", "可以[1]", "web:1", "")

    memory = ConversationStore(pg_url)
    memory.append("wecom:\x00u1", Turn(role="user", content="问\x00题", entities={"park": "SYN\x00-001"}))
    assert [(t.content, t.entities) for t in memory.history("wecom:u1")] == [("问题", {"park": "SYN-001"})]
    memory.close()
    dedupe = DedupeStore(make_engine(pg_url))
    assert dedupe.first_time("wecom:msg\x00\ud800") is True
    assert dedupe.first_time("wecom:msg\ufffd") is False


def test_a_row_locked_by_another_transaction_gives_store_busy_after_a_short_wait(pg_url: str) -> None:
    from sqlalchemy import text

    from bot.assistant.memory import ConversationStore
    from bot.assistant.types import Turn
    from bot.errors import StoreUnavailable

    engine = make_engine(pg_url, lock_wait_s=0.5)
    memory = ConversationStore(engine)
    memory.append("web:1", Turn(role="user", content="第一问"))
    other = make_engine(pg_url)
    with other.begin() as conn:  # another replica holds the conversation's row
        conn.execute(text("SELECT id FROM conversations WHERE id = 'web:1' FOR UPDATE"))
        with pytest.raises(StoreUnavailable) as err:
            memory.append("web:1", Turn(role="user", content="第二问"))
    assert err.value.code == "store_busy" and "busy" in str(err.value)
    memory.append("web:1", Turn(role="user", content="第二问"))  # the lock is gone: it works again
    assert [t.content for t in memory.history("web:1")] == ["第一问", "第二问"]


def test_postgres_restart_mid_run_recovers(pg, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(pg_url)
    store = FeedbackStore(engine)
    dedupe = DedupeStore(engine)
    for i in range(5):
        store.add(feedback(f"before {i}"))
    pg.restart()  # every pooled connection is now dead
    for i in range(5):  # the first use after the restart reconnects (pool_pre_ping)
        store.add(feedback(f"after {i}"))
    assert dedupe.first_time("after-restart") is True
    questions = [r.question for r in store.records()]
    assert questions == [f"before {i}" for i in range(5)] + [f"after {i}" for i in range(5)]


def test_api_answers_503_while_postgres_is_down_and_recovers(pg, pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="development", store={"url": pg_url})
    services = ProductionServices(settings)
    body = {"question": "外籍专家年龄", "answer": "可以[1]", "rating": "up"}
    from fastapi.testclient import TestClient

    with TestClient(production_app(settings, services)) as client:
        assert client.post("/api/feedback", json=body).status_code == 201
        pg.stop()
        try:
            down = client.post("/api/feedback", json=body)
            ready = client.get("/readyz")
        finally:
            pg.start()
        assert down.status_code == 503 and down.json()["error"]["code"] == "store_unavailable"
        assert down.headers["retry-after"] == "5"
        assert ready.status_code == 503 and ready.json()["checks"]["store"]["ok"] is False
        assert client.post("/api/feedback", json=body).status_code == 201
        assert client.get("/readyz").status_code == 200
    assert len(list(services.feedback.records())) == 2  # the refused one was not half-written


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
    }


def test_two_replicas_answer_a_slack_retry_once(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    mock = SlackMock()
    with running_server(mock.app) as api:
        settings = make_settings(
            tmp_path, env="production", store={"url": pg_url},
            slack={"bot_token": SLACK_BOT_TOKEN, "signing_secret": SECRET, "api_base_url": f"{api}/api/"},
        )
        replica_a = ProductionServices(settings, delay_s=0.3)
        replica_b = ProductionServices(settings, delay_s=0.3)
        with running_server(production_app(settings, replica_a)) as url_a, \
                running_server(production_app(settings, replica_b)) as url_b:
            event = {"type": "app_mention", "user": "U1", "team": "T1", "text": "<@UBOT> 外籍专家63岁还能办工作许可吗",
                     "ts": "1700000900.000900", "channel": "C9", "event_ts": "1700000900.000900"}
            body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                               "event_id": "EvReplica", "event_time": 1, "event": event})
            first = httpx.post(f"{url_a}/slack/events", content=body, headers=_signed(body))
            retry = httpx.post(f"{url_b}/slack/events", content=body,
                               headers={**_signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
            assert first.status_code == 200 and retry.status_code == 200
            assert wait_until(lambda: len(mock.answers()) >= 1, timeout=15)
            time.sleep(1.0)  # room for a wrong second answer to show up
    assert len(mock.answers()) == 1
    assert len(replica_a.questions) + len(replica_b.questions) == 1
    assert replica_a.questions == [("外籍专家63岁还能办工作许可吗", "slack:C9:1700000900.000900")]
