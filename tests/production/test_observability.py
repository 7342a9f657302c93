"""Request ids, JSON logs without secrets, Prometheus metrics and /readyz."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient

from bot import metrics
from bot.http.request_id import configure_json_logging
from tests.production.conftest import OPS_TOKEN, ProductionServices, make_settings, production_app

AUTH = {"Authorization": f"Bearer {OPS_TOKEN}"}


@pytest.fixture
def json_logs():  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_request_id_is_returned_and_logged_and_secrets_are_not(tmp_path, json_logs) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production", llm={"api_key": "sk-live-abcdefghijklmnop"})
    configure_json_logging("INFO", settings, stream=json_logs)
    app = production_app(settings, ProductionServices(settings))

    @app.get("/api/echo-log")
    def echo_log() -> dict:
        log = logging.getLogger("tests.production")
        log.info("calling the LLM with key %s", settings.llm.api_key.get_secret_value())
        log.info("upstream said: Authorization: Bearer %s", OPS_TOKEN)
        return {"ok": True}

    with TestClient(app) as client:
        resp = client.get("/api/echo-log", headers={**AUTH, "X-Request-ID": "req-42.a"})
        generated = client.get("/api/echo-log", headers={**AUTH, "X-Request-ID": "bad id\nwith newline"})
    assert resp.headers["x-request-id"] == "req-42.a"
    assert generated.headers["x-request-id"] != "bad id\nwith newline" and len(generated.headers["x-request-id"]) == 32

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    ours = [entry for entry in lines if entry.get("request_id") == "req-42.a"]
    assert {e["logger"] for e in ours} >= {"tests.production", "parkbot.access"}
    access = next(e for e in ours if e["logger"] == "parkbot.access")
    assert access["route"] == "/api/echo-log" and access["status"] == 200 and access["caller"] == "ops"
    text = json_logs.getvalue()
    assert "sk-live-abcdefghijklmnop" not in text and OPS_TOKEN not in text
    assert "[redacted]" in text


def test_metrics_count_requests_by_route_template_and_refusals(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production")
    labels = {"method": "POST", "route": "/api/chat", "status": "200"}
    before = metrics.sample("parkbot_http_request_duration_seconds_count", labels)
    refused = metrics.sample("parkbot_http_rejections_total", {"reason": "message_too_long"})
    answered = metrics.sample("parkbot_answers_total",
                              {"backend": "offline", "channel": "api", "grounded": "true", "mode": "answer"})
    with TestClient(production_app(settings, ProductionServices(settings))) as client:
        for _ in range(3):
            assert client.post("/api/chat", json={"message": "孵化器"}, headers=AUTH).status_code == 200
        client.post("/api/chat", json={"message": "长" * 5000}, headers=AUTH)
        client.get("/no/such/page/12345")
        metrics.record_tool_call("score_park")
        page = client.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    assert metrics.sample("parkbot_http_request_duration_seconds_count", labels) == before + 3
    assert metrics.sample("parkbot_http_rejections_total", {"reason": "message_too_long"}) == refused + 1
    body = page.text
    assert 'route="/api/chat"' in body and "/no/such/page/12345" not in body  # templates, never raw paths
    assert 'parkbot_answers_total{backend="offline",channel="api",grounded="true",mode="answer"}' in body
    assert metrics.sample("parkbot_answers_total",
                          {"backend": "offline", "channel": "api", "grounded": "true", "mode": "answer"}) == answered + 3
    assert 'parkbot_tool_calls_total{outcome="ok",tool="score_park"}' in body


def test_slack_acks_and_retries_are_counted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production")
    retries = metrics.sample("parkbot_bot_retries_total", {"channel": "slack"})
    with TestClient(production_app(settings, ProductionServices(settings))) as client:
        client.post("/slack/events", content=b"{}", headers={"X-Slack-Retry-Num": "1", "Content-Type": "application/json"})
    assert metrics.sample("parkbot_bot_retries_total", {"channel": "slack"}) == retries + 1


@pytest.mark.enable_socket  # the unreachable PostgreSQL is tried on 127.0.0.1
def test_readyz_reports_index_and_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production")
    with TestClient(production_app(settings, ProductionServices(settings))) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.json()["checks"]["store"] == {"ok": True, "detail": "sqlite"}

    empty = ProductionServices(settings, index_chunks=0)
    with TestClient(production_app(settings, empty)) as client:
        not_ready = client.get("/readyz")
        assert client.get("/healthz").status_code == 200  # alive, just not ready
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"]["index"]["ok"] is False
    assert "parkbot ingest" in not_ready.json()["checks"]["index"]["detail"]

    from tests.support.servers import free_port

    unreachable = make_settings(
        tmp_path, env="production", store={"url": f"postgresql://parkbot:hunter22@127.0.0.1:{free_port()}/parkbot"}
    )
    with TestClient(production_app(unreachable, ProductionServices(unreachable))) as client:
        down = client.get("/readyz")
    assert down.status_code == 503 and down.json()["checks"]["store"]["ok"] is False
    assert "hunter22" not in down.text
