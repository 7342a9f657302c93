"""The sign-in cookie is a server-side session that logout ends; refused tokens are rate-limited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.sessions import SessionStore
from bot.store import make_engine
from tests.production.conftest import OPS_TOKEN, ProductionServices, make_settings, production_app

COOKIE = "parkbot_session"


@pytest.fixture
def client(tmp_path):  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production", limits={"rate_per_minute": 0})
    with TestClient(production_app(settings, ProductionServices(settings)), base_url="http://parkbot.test") as client:
        yield client


def test_the_cookie_holds_a_session_id_not_the_token(client) -> None:  # type: ignore[no-untyped-def]
    signed_in = client.post("/session", json={"token": OPS_TOKEN})
    assert signed_in.status_code == 200
    session_id = signed_in.cookies[COOKIE]
    assert session_id != OPS_TOKEN and OPS_TOKEN not in signed_in.headers["set-cookie"]
    assert client.get("/api/parks").status_code == 200  # the session signs the page in
    client.cookies.clear()
    assert client.get("/api/parks", headers={"Cookie": f"{COOKIE}={OPS_TOKEN}"}).status_code == 401  # a token is not a session


def test_logout_ends_the_session_on_the_server(client) -> None:  # type: ignore[no-untyped-def]
    session_id = client.post("/session", data={"token": OPS_TOKEN}, follow_redirects=False).cookies[COOKIE]
    assert client.get("/api/parks").status_code == 200
    logout = client.post("/logout")
    assert logout.status_code == 204 and f'{COOKIE}=""' in logout.headers["set-cookie"]
    client.cookies.clear()
    replayed = client.get("/api/parks", headers={"Cookie": f"{COOKIE}={session_id}"})  # someone kept the old cookie
    assert replayed.status_code == 401 and replayed.json()["error"]["code"] == "unauthorized"


def test_sessions_expire_and_end_when_their_token_is_gone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SessionStore(make_engine(f"sqlite:///{tmp_path}/store.db"))
    live = store.create("a" * 64, max_age_s=3600)
    expired = store.create("b" * 64, max_age_s=-1)
    assert store.token_of(live) == "a" * 64
    assert store.token_of(expired) is None
    assert store.token_of("pbs_never-issued") is None
    assert store.end(live) is True and store.token_of(live) is None


def test_invalid_tokens_count_toward_the_rate_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production", limits={"rate_per_minute": 60, "rate_burst": 5})
    with TestClient(production_app(settings, ProductionServices(settings))) as client:
        guesses = [client.get("/api/parks", headers={"Authorization": f"Bearer pbt_guess-{i:04d}"}) for i in range(8)]
        assert [r.status_code for r in guesses] == [401] * 5 + [429] * 3
        assert guesses[-1].json()["error"]["code"] == "rate_limited"
        assert int(guesses[-1].headers["retry-after"]) >= 1
        no_token = client.get("/api/parks")  # the same IP without a token is limited too
        assert no_token.status_code == 429
        valid = client.get("/api/parks", headers={"Authorization": f"Bearer {OPS_TOKEN}"})
        assert valid.status_code == 200  # a valid token counts against its own bucket
