"""The bots acknowledge inside their windows whatever the store does, and stopping finishes their answers.

Through a real uvicorn server (acknowledgement and shutdown can only be seen on the wire) with
local mocks of the Slack and WeCom APIs:

* another writer holds the store's lock: each callback gets 503 ``store_busy`` for itself alone
  (after the store's 2 s lock wait, inside Slack's 3 s and WeCom's 5 s), while the lock is still
  held; /healthz answers meanwhile; released, the platform's retry is answered once;
* the store is stuck (a gate the test holds inside the dedupe write): other requests are served
  while the callback waits, so nothing of the store runs on the event loop;
* stopping the server waits for answers in progress, within ``server.drain_timeout_s``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.production.conftest import ProductionServices, make_settings, production_app
from tests.support.bot_packets import (
    aibot_packet,
    aibot_text,
    bot_settings,
    slack_headers,
    slack_mention,
    wecom_packet,
    wecom_text,
)
from tests.support.servers import running_server, wait_until
from tests.support.slack_mock import SlackMock
from tests.support.wecom_mock import WeComMock

pytestmark = pytest.mark.enable_socket

HANG_BOUND_S = 30  # a request that takes this long is hung; no assertion depends on speed


class Bots:
    """A production ParkBot with Slack, the WeCom app and the AI bot configured, and their mocks."""

    def __init__(self, base: str, services: ProductionServices, slack: SlackMock, wecom: WeComMock, db: Path) -> None:
        self.base, self.services, self.slack, self.wecom, self.db = base, services, slack, wecom, db
        self.http = httpx.Client(base_url=base, timeout=HANG_BOUND_S)

    def slack_mention(self, ts: str, event_id: str) -> httpx.Response:
        body = slack_mention("外籍专家63岁还能办工作许可吗", ts, event_id)
        return self.http.post("/slack/events", content=body, headers=slack_headers(body))

    def wecom_text(self, msg_id: str) -> httpx.Response:
        query, body = wecom_packet(wecom_text("外籍专家63岁还能办工作许可吗", msg_id))
        return self.http.post("/wecom/callback", params=query, content=body)

    def aibot_text(self, msg_id: str) -> httpx.Response:
        query, body = aibot_packet(aibot_text("外籍专家63岁还能办工作许可吗", msg_id))
        return self.http.post("/wecom/aibot", params=query, content=body)


def _settings(tmp_path: Path, slack_api: str, wecom_api: str, **server: Any) -> Any:
    return make_settings(tmp_path, env="production", server=server or {"drain_timeout_s": 20.0},
                         **bot_settings(slack_api, wecom_api))


@contextmanager
def mocks() -> Iterator[tuple[SlackMock, str, WeComMock, str]]:
    slack, wecom = SlackMock(), WeComMock()
    with running_server(slack.app) as slack_api, running_server(wecom.app) as wecom_api:
        yield slack, slack_api, wecom, wecom_api


@pytest.fixture
def bots(tmp_path: Path) -> Iterator[Bots]:
    with mocks() as (slack, slack_api, wecom, wecom_api):
        settings = _settings(tmp_path, slack_api, wecom_api)
        services = ProductionServices(settings)
        services.dedupe  # noqa: B018  (the tables exist before a test takes the lock)
        with running_server(production_app(settings, services)) as base:
            yield Bots(base, services, slack, wecom, tmp_path / "store.db")


@contextmanager
def write_locked(db: Path) -> Iterator[sqlite3.Connection]:
    """Another writer holds the SQLite write lock until the block ends."""
    holder = sqlite3.connect(db, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_locked_store_fails_each_callback_alone_with_503_while_the_lock_is_held(bots: Bots) -> None:
    with write_locked(bots.db) as holder:
        for resp in (bots.slack_mention("1700000100.000100", "EvLocked"), bots.wecom_text("7001"), bots.aibot_text("m-7")):
            assert resp.status_code == 503, resp.text
            assert resp.json()["error"]["code"] == "store_busy"
            assert resp.headers["Retry-After"] == "2"
            assert holder.in_transaction  # the acknowledgement came while the other writer still held the lock
        assert bots.http.get("/healthz").status_code == 200
    assert bots.services.questions == []  # nothing was recorded, so nothing was answered
    # released: the platforms' retries go through and each question is answered once
    assert bots.slack_mention("1700000100.000100", "EvLocked").status_code == 200
    assert bots.wecom_text("7001").status_code == 200
    assert bots.aibot_text("m-7").status_code == 200
    assert wait_until(lambda: len(bots.slack.answers()) == 1 and len(bots.wecom.sent) == 1
                      and len(bots.services.questions) == 3)


@contextmanager
def stuck_dedupe(services: ProductionServices) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The store hangs inside the next dedupe write until the test opens the gate: (entered, gate)."""
    entered, gate = threading.Event(), threading.Event()

    def hold(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO SEEN_KEYS") and not gate.is_set():
            entered.set()
            gate.wait(HANG_BOUND_S)

    event.listen(services.store_engine, "before_cursor_execute", hold)
    try:
        yield entered, gate
    finally:
        gate.set()
        event.remove(services.store_engine, "before_cursor_execute", hold)


@pytest.mark.parametrize("channel", ["slack", "wecom", "aibot"])
def test_a_stuck_store_never_holds_up_other_requests(bots: Bots, channel: str) -> None:
    post: Callable[[], httpx.Response] = {
        "slack": lambda: bots.slack_mention("1700000200.000200", "EvStuck"),
        "wecom": lambda: bots.wecom_text("7101"),
        "aibot": lambda: bots.aibot_text("m-stuck"),
    }[channel]
    results: list[httpx.Response] = []
    with stuck_dedupe(bots.services) as (entered, gate):
        caller = threading.Thread(target=lambda: results.append(post()))
        caller.start()
        assert entered.wait(HANG_BOUND_S), "the callback never reached the store"
        # the callback is inside the store now; the server still answers everyone else
        assert bots.http.get("/healthz").status_code == 200
        assert bots.http.get("/readyz").status_code in (200, 503)
        assert caller.is_alive() and results == []
        gate.set()
        caller.join(HANG_BOUND_S)
    assert [r.status_code for r in results] == [200]


# -- graceful shutdown ----------------------------------------------------------------------------


@contextmanager
def server(app: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """A running server and a function that stops it (returns when the server has stopped)."""
    context = running_server(app)
    base = context.__enter__()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            context.__exit__(None, None, None)

    try:
        yield base, stop
    finally:
        stop()


def test_stopping_the_server_waits_for_the_answers_in_progress(tmp_path: Path) -> None:
    with mocks() as (slack, slack_api, wecom, wecom_api):
        settings = _settings(tmp_path, slack_api, wecom_api)
        services = ProductionServices(settings)
        app = production_app(settings, services)
        services.gate = threading.Event()  # answers are written only once the test opens this
        with server(app) as (base, stop):
            body = slack_mention("外籍专家63岁还能办工作许可吗", "1700000300.000300", "EvStop")
            assert httpx.post(f"{base}/slack/events", content=body, headers=slack_headers(body)).status_code == 200
            query, packet = wecom_packet(wecom_text("外籍专家63岁还能办工作许可吗", "7201"))
            assert httpx.post(f"{base}/wecom/callback", params=query, content=packet).status_code == 200
            assert wait_until(lambda: len(services.questions) == 2)  # both answers are in progress
            stopping = threading.Thread(target=stop)
            stopping.start()
            stopping.join(0.5)
            assert stopping.is_alive()  # still draining: the answers are not finished
            services.gate.set()
            stopping.join(HANG_BOUND_S)
            assert not stopping.is_alive()
            # what was acknowledged was answered before the server stopped
            assert len(slack.answers()) == 1 and len(wecom.sent) == 1
            assert all(pool.in_flight() == 0 for pool in app.state.answer_pools)


def test_stopping_gives_up_on_an_answer_after_the_drain_timeout(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with mocks() as (slack, slack_api, wecom, wecom_api):
        settings = _settings(tmp_path, slack_api, wecom_api, drain_timeout_s=0.2)
        services = ProductionServices(settings)
        services.gate = threading.Event()
        with server(production_app(settings, services)) as (base, stop):
            body = slack_mention("外籍专家63岁还能办工作许可吗", "1700000400.000400", "EvGiveUp")
            assert httpx.post(f"{base}/slack/events", content=body, headers=slack_headers(body)).status_code == 200
            assert wait_until(lambda: len(services.questions) == 1)
            with caplog.at_level(logging.INFO, logger="bot.workers"):
                stop()  # returns although the answer is still held
            assert "stopped with 1 answer(s) still running after 0.2 s" in caplog.text
            assert slack.answers() == []
        services.gate.set()  # let the abandoned answer end before the Slack mock stops
        assert wait_until(lambda: len(slack.answers()) == 1)
