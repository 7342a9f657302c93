"""Socket Mode against a local WebSocket server standing in for Slack's (S14)."""

from __future__ import annotations

import json
import threading

import pytest
from websockets.sync.server import serve

from bot.channels.slack.socket import socket_mode_handler
from bot.settings import get_settings
from tests.support.fakes import FakeAnswerServices
from tests.support.servers import free_port, running_server, wait_until
from tests.support.slack_mock import SlackMock

pytestmark = pytest.mark.enable_socket


def test_socket_mode_acks_by_envelope_id_and_answers_in_thread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    acks: list[dict] = []
    envelope = {
        "envelope_id": "env-1",
        "type": "events_api",
        "accepts_response_payload": False,
        "payload": {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": "EvS1",
            "event": {"type": "app_mention", "user": "U1", "team": "T1", "text": "<@UBOT> 孵化器是什么",
                      "ts": "1700000900.000900", "channel": "C9"},
        },
    }

    def session(ws) -> None:  # type: ignore[no-untyped-def]
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        ws.send(json.dumps(envelope))
        for raw in ws:
            acks.append(json.loads(raw))

    port = free_port()
    server = serve(session, "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mock = SlackMock()
    mock.socket_url = f"ws://127.0.0.1:{port}/link"
    try:
        with running_server(mock.app) as api:
            settings = get_settings(
                store={"url": f"sqlite:///{tmp_path}/s.db"},
                slack={"bot_token": "xoxb-test", "app_token": "xapp-test", "api_base_url": f"{api}/api/"},
            )
            services = FakeAnswerServices(settings)
            handler = socket_mode_handler(services)
            handler.connect()
            try:
                assert wait_until(lambda: any(a.get("envelope_id") == "env-1" for a in acks))
                assert wait_until(lambda: len(mock.answers()) == 1)
            finally:
                handler.close()
        assert services.questions == [("孵化器是什么", "slack:C9:1700000900.000900")]
        assert mock.named("apps.connections.open")
    finally:
        server.shutdown()


def test_socket_mode_without_app_token_says_what_to_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.errors import Unavailable

    settings = get_settings(store={"url": f"sqlite:///{tmp_path}/s.db"}, slack={"bot_token": "xoxb-x"})
    with pytest.raises(Unavailable, match="PARKBOT_SLACK__APP_TOKEN"):
        socket_mode_handler(FakeAnswerServices(settings))
