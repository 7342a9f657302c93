"""Bearer tokens, the login cookie, park limits and the exempt bot routes."""

from __future__ import annotations

import json
import time

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier
from typer.testing import CliRunner

from bot.http.auth import check_parks, require_document_management, require_park_access, visible_parks
from tests.production.conftest import OPS_TOKEN, PARK_TOKEN, ProductionServices, make_settings, production_app
from tests.support.bot_packets import SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET

CHAT = {"message": "外籍专家63岁还能办工作许可吗"}
SLACK_SECRET = SLACK_SIGNING_SECRET


def guarded_routes() -> APIRouter:
    """Routes using the guards the way the scoring and document routes are told to use them."""
    router = APIRouter(prefix="/api/guarded")
    parks = ["SYN-001", "SYN-002", "SYN-003"]

    @router.get("/parks/{park_id}/score", dependencies=[Depends(require_park_access)])
    def score(park_id: str) -> dict:
        return {"park_id": park_id, "total": 80.0}

    @router.get("/parks")
    def list_parks(request: Request) -> dict:
        return {"parks": visible_parks(request, parks)}

    @router.post("/eligibility")
    def eligibility(body: dict, request: Request) -> dict:
        check_parks(request, [body["park_id"]])
        return {"overall": "pass"}

    @router.post("/documents", dependencies=[Depends(require_document_management)])
    def add_document() -> dict:
        return {"status": "queued"}

    return router


@pytest.fixture
def client(tmp_path):  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production", slack={"bot_token": SLACK_BOT_TOKEN, "signing_secret": SLACK_SECRET})
    app = production_app(settings, ProductionServices(settings))
    app.include_router(guarded_routes())
    with TestClient(app, base_url="http://parkbot.test") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_needs_a_token_and_says_how_to_get_one(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/chat", json=CHAT)
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert resp.json()["error"]["code"] == "unauthorized" and "parkbot token create" in resp.json()["error"]["message"]
    assert client.post("/api/chat", json=CHAT, headers=bearer("pbt_not-a-real-token-000000")).status_code == 401
    assert client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]}).status_code == 401
    ok = client.post("/api/chat", json=CHAT, headers=bearer(OPS_TOKEN))
    assert ok.status_code == 200 and "65岁" in ok.json()["answer"]


def test_web_page_redirects_to_login_and_the_cookie_signs_in(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    login_page = client.get("/login")
    assert login_page.status_code == 200 and 'name="token"' in login_page.text

    wrong = client.post("/session", data={"token": "pbt_wrong-token-000000000000"}, follow_redirects=False)
    assert wrong.status_code == 401 and "无效" in wrong.text and "set-cookie" not in wrong.headers

    signed_in = client.post("/session", data={"token": OPS_TOKEN}, follow_redirects=False)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200  # the cookie jar sends it now
    same_site = client.post("/api/chat", json=CHAT, headers={"Origin": "http://parkbot.test"})
    assert same_site.status_code == 200
    cross_site = client.post("/api/chat", json=CHAT, headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403 and cross_site.json()["error"]["code"] == "cross_site_request"

    assert client.post("/logout").status_code == 204
    client.cookies.clear()
    assert client.post("/api/chat", json=CHAT).status_code == 401


def test_json_login_answers_who_the_token_is(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/session", json={"token": PARK_TOKEN})
    assert resp.status_code == 200
    assert resp.json() == {"name": "syn001", "parks": ["SYN-001"], "manage_documents": False}
    assert client.post("/session", json={"nope": 1}).status_code == 400


def test_park_guards_limit_a_token_to_its_parks(client) -> None:  # type: ignore[no-untyped-def]
    own = client.get("/api/guarded/parks/SYN-001/score", headers=bearer(PARK_TOKEN))
    assert own.status_code == 200
    other = client.get("/api/guarded/parks/SYN-002/score", headers=bearer(PARK_TOKEN))
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "park_forbidden" and "SYN-002" in other.json()["error"]["message"]
    assert client.get("/api/guarded/parks", headers=bearer(PARK_TOKEN)).json() == {"parks": ["SYN-001"]}
    assert client.post("/api/guarded/eligibility", json={"park_id": "SYN-003"}, headers=bearer(PARK_TOKEN)).status_code == 403
    assert client.post("/api/guarded/documents", headers=bearer(PARK_TOKEN)).status_code == 403
    # the ops token reads every park and manages documents
    assert client.get("/api/guarded/parks/SYN-002/score", headers=bearer(OPS_TOKEN)).status_code == 200
    assert len(client.get("/api/guarded/parks", headers=bearer(OPS_TOKEN)).json()["parks"]) == 3
    assert client.post("/api/guarded/documents", headers=bearer(OPS_TOKEN)).status_code == 200


def test_scoring_api_serves_a_park_limited_token_only_its_park(client) -> None:  # type: ignore[no-untyped-def]
    """The real scoring routes (bot/channels/api/scoring.py) with a token limited to SYN-001."""
    assert client.get("/api/parks/SYN-001/score", headers=bearer(PARK_TOKEN)).status_code == 200
    other = client.get("/api/parks/SYN-002/score", headers=bearer(PARK_TOKEN))
    assert other.status_code == 403 and other.json()["error"]["code"] == "park_forbidden"
    listed = client.get("/api/parks", headers=bearer(PARK_TOKEN)).json()["parks"]
    assert [p["id"] if "id" in p else p["park_id"] for p in listed] == ["SYN-001"]
    refused = client.post("/api/eligibility", json={"category": "world_class", "park_id": "SYN-002"}, headers=bearer(PARK_TOKEN))
    assert refused.status_code == 403
    assert client.get("/api/parks/SYN-002/score", headers=bearer(OPS_TOKEN)).status_code == 200


def test_park_ids_are_read_without_case_and_a_card_names_no_park_out_of_scope(client) -> None:  # type: ignore[no-untyped-def]
    own = client.get("/api/parks/syn-001/score", headers=bearer(PARK_TOKEN))
    assert own.status_code == 200 and own.json()["park_id"] == "SYN-001"
    card = own.json()
    assert card["rankable_count"] == 59 and card["cohort_size"] == 60  # SYN-046 is counted, not named
    assert card["unrankable"] == [] and "SYN-046" not in own.text
    assert client.get("/api/parks/syn-002/score", headers=bearer(PARK_TOKEN)).status_code == 403
    everyone = client.get("/api/parks/syn-001/score", headers=bearer(OPS_TOKEN)).json()
    assert [u["park_id"] for u in everyone["unrankable"]] == ["SYN-046"]


def test_health_metrics_and_bot_routes_need_no_token(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=ts, body=body),
    }
    resp = client.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 200 and "c-123" in resp.text  # Slack's own signature is the check
    unsigned = client.post("/slack/events", content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401  # refused by the signature check, not by the token check


def test_development_needs_no_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="development", auth={"tokens": []})
    with TestClient(production_app(settings, ProductionServices(settings))) as client:
        assert client.post("/api/chat", json=CHAT).status_code == 200


def test_production_without_tokens_refuses_to_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production", auth={"tokens": []})
    with pytest.raises(ValueError, match="parkbot token create"):
        production_app(settings, ProductionServices(settings))


def test_a_plain_token_in_the_sha256_field_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="sha256 hex digest"):
        make_settings(tmp_path, auth={"tokens": [{"name": "ops", "sha256": OPS_TOKEN}]})


def test_token_create_prints_the_token_once_and_the_settings_line() -> None:
    import bot.cli.tokens  # noqa: F401  (registers the command)
    from bot.cli.app import app
    from bot.http.auth import TokenSpec, hash_token

    result = CliRunner().invoke(app, ["token", "create", "syn001-staff", "--parks", "SYN-001,SYN-002", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    spec = TokenSpec.model_validate(data["entry"])
    assert spec.sha256 == hash_token(data["token"]) and spec.parks == ["SYN-001", "SYN-002"]
    plain = CliRunner().invoke(app, ["token", "create", "ops"])
    token = plain.output.split("\n\n")[1].strip()
    assert token.startswith("pbt_") and f'sha256 = "{hash_token(token)}"' in plain.output
    assert 'parks = ["*"]' in plain.output and "PARKBOT_AUTH__TOKENS=" in plain.output
