"""The server skeleton: health, the JSON error shape, settings from the environment."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.server import create_app
from bot.services import Services
from bot.settings import get_settings


def _client(**overrides: object) -> TestClient:
    settings = get_settings(**overrides)
    return TestClient(create_app(settings, Services(settings)))


def test_healthz_reports_index_and_backend() -> None:
    with _client() as client:
        body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert set(body["index"]) == {"documents", "chunks"}
    assert body["llm"] == "offline"


def test_unknown_route_is_a_json_error() -> None:
    with _client() as client:
        resp = client.get("/no/such/route")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"


def test_settings_come_from_environment_with_nested_groups(monkeypatch) -> None:
    monkeypatch.setenv("PARKBOT_LLM__BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("PARKBOT_CHROMA__HOST", "chroma.internal")
    settings = get_settings()
    assert settings.llm.base_url == "http://127.0.0.1:9/v1"
    assert settings.chroma.host == "chroma.internal"
    # secrets never print
    monkeypatch.setenv("PARKBOT_LLM__API_KEY", "sk-very-secret")
    assert "sk-very-secret" not in repr(get_settings())


def test_production_refuses_placeholder_secrets(monkeypatch) -> None:
    import pytest

    monkeypatch.setenv("PARKBOT_ENV", "production")
    monkeypatch.setenv("PARKBOT_LLM__BACKEND", "openai")
    monkeypatch.setenv("PARKBOT_LLM__API_KEY", "changeme")
    with pytest.raises(ValueError, match="PARKBOT_LLM__API_KEY"):
        get_settings()
