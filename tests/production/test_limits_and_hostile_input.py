"""Body and message limits, rate limits, and hostile bodies: each gets its documented 4xx."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from bot.http.limits import TokenBuckets
from tests.production.conftest import OPS_TOKEN, PARK_TOKEN, ProductionServices, make_settings, production_app
from tests.support.bot_packets import SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET

AUTH = {"Authorization": f"Bearer {OPS_TOKEN}"}


def _client(tmp_path, **limits) -> TestClient:  # type: ignore[no-untyped-def]
    slack = {"bot_token": SLACK_BOT_TOKEN, "signing_secret": SLACK_SIGNING_SECRET}
    settings = make_settings(tmp_path, env="production", limits=limits, slack=slack)
    services = ProductionServices(settings)
    client = TestClient(production_app(settings, services))
    client.services = services  # type: ignore[attr-defined]
    return client


@pytest.fixture
def client(tmp_path):  # type: ignore[no-untyped-def]
    with _client(tmp_path, rate_per_minute=0) as client:
        yield client


def error(resp) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return resp.status_code, resp.json()["error"]["code"]


def test_oversized_body_is_refused_before_the_route_runs(client) -> None:  # type: ignore[no-untyped-def]
    big = b'{"message": "' + b"a" * 2_000_000 + b'"}'
    resp = client.post("/api/chat", content=big, headers={**AUTH, "Content-Type": "application/json"})
    assert error(resp) == (413, "payload_too_large")
    assert "1048576 bytes" in resp.json()["error"]["message"]
    assert client.services.questions == []


def test_oversized_chunked_body_without_length_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"message": "'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}'

    resp = client.post("/api/chat", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert error(resp) == (413, "payload_too_large")
    # a callback whose headers pass the cheap checks is read, and refused at the limit
    stamped = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(int(time.time())),
               "X-Slack-Signature": "v0=" + "0" * 64}
    form = client.post("/slack/events", content=chunks(), headers=stamped)
    assert form.status_code == 413


def test_long_message_gets_413_naming_the_limit(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/chat", json={"message": "园" * 5000}, headers=AUTH)
    assert error(resp) == (413, "message_too_long")
    assert "5000" in resp.json()["error"]["message"] and "4000" in resp.json()["error"]["message"]
    openai = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "园" * 5000}]}, headers=AUTH)
    if openai.status_code != 404:  # the OpenAI-compatible route is wired
        assert error(openai) == (413, "message_too_long")
    assert client.post("/api/chat", json={"message": "园" * 4000}, headers=AUTH).status_code == 200


def test_one_message_limit_from_settings_on_every_http_route_and_the_page(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with _client(tmp_path, rate_per_minute=0, max_message_chars=120) as client:
        too_long = "园" * 121
        for resp in (
            client.post("/api/chat", json={"message": too_long}, headers=AUTH),
            client.post("/api/chat", json={"message": too_long}, headers={**AUTH, "Accept": "text/event-stream"}),
            client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": too_long}]}, headers=AUTH),
            client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": too_long}], "stream": True},
                        headers=AUTH),
        ):
            assert error(resp) == (413, "message_too_long")
            assert "121 characters is longer than the limit of 120" in resp.json()["error"]["message"]
        assert client.post("/api/chat", json={"message": "园" * 120}, headers=AUTH).status_code == 200
        page = client.get("/", headers=AUTH)
        assert 'data-max-chars="120"' in page.text  # the page checks the same limit before sending


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"message": "hi"', "invalid_json"),
        (b"{'message': 'hi'}", "invalid_json"),
        (b"", None),
        (b'{"message": "\xff\xfe\xfa"}', "invalid_utf8"),
        (b'{"message": "\xe5\x9b"}', "invalid_utf8"),
        (b"[" * 200_000 + b"]" * 200_000, "invalid_json"),
        (b'{"message": ' + b"9" * 50_000 + b"}", "invalid_json"),
    ],
    ids=["truncated", "single-quotes", "empty", "latin1-bytes", "cut-utf8", "deep-nesting", "huge-integer"],
)
def test_malformed_bodies_get_a_4xx_with_a_reason(client, body: bytes, code: str | None) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/chat", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert 400 <= resp.status_code < 500
    assert resp.json()["error"]["message"]
    if code:
        assert error(resp) == (400, code)
    assert client.services.questions == []


GARBAGE = {"not-json": b"{not json", "list": b"[1,2,3]", "null": b"null", "not-utf8": b"\xff\xfe\x00",
           "50k-deep": b"[" * 50_000 + b"]" * 50_000, "form": b"payload=%7Bnot-json"}


def test_every_route_that_takes_a_body_answers_garbage_with_a_4xx_naming_it(client) -> None:  # type: ignore[no-untyped-def]
    """The bot endpoints have their own tests; this is every other route that takes a body."""
    paths = client.app.openapi()["paths"]
    routes = [(method.upper(), path.replace("{park_id}", "SYN-001").replace("{ref}", "no-such-document"))
              for path, operations in paths.items() for method in operations if method in ("post", "put", "patch")]
    assert len(routes) >= 8
    for method, path in routes:
        for name, body in GARBAGE.items():
            for content_type in ("application/json", "application/x-www-form-urlencoded", "text/plain",
                                 "multipart/form-data; boundary=x"):
                resp = client.request(method, path, content=body, headers={**AUTH, "Content-Type": content_type})
                where = (method, path, name, content_type, resp.status_code, resp.text[:200])
                assert resp.status_code < 500, where
                if resp.status_code < 400:  # a proper answer: POST /logout takes no body and signs out
                    assert path == "/logout", where
                elif resp.headers["content-type"].startswith("text/html"):  # the sign-in form answers with its page
                    assert "令牌无效" in resp.text, where
                else:
                    assert resp.json()["error"]["message"], where
    assert client.services.questions == []


def test_wrong_shapes_get_422_naming_the_field(client) -> None:  # type: ignore[no-untyped-def]
    for body in ({"message": 5}, {"msg": "hi"}, ["hi"], {"message": "hi", "mode": "poem"}):
        resp = client.post("/api/chat", json=body, headers=AUTH)
        assert error(resp) == (422, "invalid_request")
    assert "message" in client.post("/api/chat", json={"msg": "hi"}, headers=AUTH).json()["error"]["message"]


def test_rate_limit_per_token_answers_429_with_retry_after(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with _client(tmp_path, rate_per_minute=6, rate_burst=3) as client:
        statuses = [client.post("/api/chat", json={"message": "hi"}, headers=AUTH).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.post("/api/chat", json={"message": "hi"}, headers=AUTH)
        assert error(limited) == (429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 10
        # another token has its own bucket; health and metrics are never limited
        other = client.post("/api/chat", json={"message": "hi"}, headers={"Authorization": f"Bearer {PARK_TOKEN}"})
        assert other.status_code == 200
        assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_token_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate_per_s=1.0, burst=2, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)
    now[0] = 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] = 1.0
    assert buckets.take("a") == 0.0
    assert buckets.take("b") == 0.0  # keys are independent
