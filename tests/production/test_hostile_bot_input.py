"""Hostile input at the bot endpoints: every probe gets a 4xx naming what is wrong, never a 5xx.

The probes are the outside probe's (issue #18): unsigned garbage to Slack, a signed Slack request
with a timestamp that is not a time, WeCom AI bot bodies of the wrong type, signed packets whose
inner part is not JSON/XML or has a field of the wrong type, and callbacks outside the time window.
Nothing refused runs anything: no question reaches the answer service.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.production.conftest import ProductionServices, make_settings, production_app
from tests.support.bot_packets import (
    aibot_packet,
    aibot_text,
    bot_settings,
    slack_headers,
    wecom_packet,
    wecom_text,
)

DEEP = b"[" * 50_000 + b"]" * 50_000
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _client(tmp_path, **limits) -> TestClient:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production", limits=limits or {"rate_per_minute": 0}, **bot_settings())
    client = TestClient(production_app(settings, ProductionServices(settings)))
    client.services = client.app.state.services  # type: ignore[attr-defined]
    return client


@pytest.fixture
def client(tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with _client(tmp_path) as client:
        yield client
    assert client.services.questions == []  # type: ignore[attr-defined]  # nothing refused was answered


def refusal(resp) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    assert resp.status_code < 500, resp.text
    error = resp.json()["error"]
    return resp.status_code, error["code"], error["message"]


# -- Slack --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "content_type"), [
    (b"[1,2,3]", JSON), (b"{not json", JSON), (b"\xff\xfe\x00garbage", JSON), (DEEP, JSON),
    (b"payload=%7Bnot-json", FORM),
], ids=["list", "not-json", "not-utf8", "50k-deep", "form-payload-not-json"])
def test_unsigned_slack_garbage_is_refused_before_it_is_read(client, body: bytes, content_type: str) -> None:  # type: ignore[no-untyped-def]
    status, code, message = refusal(client.post("/slack/events", content=body, headers={"Content-Type": content_type}))
    assert (status, code) == (401, "unsigned_request")
    assert "X-Slack-Signature" in message
    forged = {**slack_headers(body, "0" * 32, content_type=content_type)}
    status, code, message = refusal(client.post("/slack/events", content=body, headers=forged))
    assert (status, code) == (401, "bad_signature")
    assert "PARKBOT_SLACK__SIGNING_SECRET" in message


@pytest.mark.parametrize(("body", "content_type", "code", "says"), [
    (b"[1,2,3]", JSON, "invalid_body", "JSON object"),
    (b"{not json", JSON, "invalid_body", "not valid JSON"),
    (b"\xff\xfe\x00garbage", JSON, "invalid_utf8", "not UTF-8"),
    (DEEP, JSON, "invalid_body", "nested too deeply"),
    (b"payload=%7Bnot-json", FORM, "invalid_body", "not valid JSON"),
    (b"payload=%5B1%5D", FORM, "invalid_body", "JSON object"),
    (b'{"type": "event_callback", "event_id": "Ev1", "event": "not an object"}', JSON, "invalid_body", "could not read"),
    (b'{"type": "event_callback", "authorizations": 5}', JSON, "invalid_body", "unexpected shape"),
], ids=["list", "not-json", "not-utf8", "50k-deep", "form-payload-not-json", "form-payload-list", "event-is-a-string",
        "authorizations-not-a-list"])
def test_signed_slack_garbage_gets_400_naming_what_is_wrong(client, body: bytes, content_type: str, code: str,  # type: ignore[no-untyped-def]
                                                            says: str) -> None:
    status, got, message = refusal(client.post("/slack/events", content=body, headers=slack_headers(body, content_type=content_type)))
    assert (status, got) == (400, code)
    assert says in message


@pytest.mark.parametrize(("timestamp", "code", "says"), [
    ("abc", "bad_timestamp", "must be the request time in Unix seconds"),
    ("", "unsigned_request", "X-Slack-Request-Timestamp"),
    ("1" * 40, "bad_timestamp", "Unix seconds"),
    (-360, "stale_request", "6 minutes old"),
    (3600, "stale_request", "60 minutes in the future"),
])
def test_a_signed_slack_request_with_a_bad_time_is_refused_by_name(client, timestamp: str | int, code: str,  # type: ignore[no-untyped-def]
                                                                   says: str) -> None:
    if isinstance(timestamp, int):  # seconds from now, taken when the test runs
        timestamp = str(int(time.time()) + timestamp)
    body = b'{"type": "url_verification", "challenge": "c"}'
    status, got, message = refusal(client.post("/slack/events", content=body, headers=slack_headers(body, timestamp=timestamp)))
    assert (status, got) == (401, code)
    assert says in message


def test_a_well_formed_signed_slack_request_still_works(client) -> None:  # type: ignore[no-untyped-def]
    body = b'{"type": "url_verification", "challenge": "c-4711"}'
    resp = client.post("/slack/events", content=body, headers=slack_headers(body))
    assert resp.status_code == 200 and "c-4711" in resp.text


# -- WeCom AI bot -------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "code", "says"), [
    (b'{"encrypt": 5}', "wecom_bad_packet", '{"encrypt": "<base64 text>"}'),
    (b"null", "wecom_bad_packet", '{"encrypt": "<base64 text>"}'),
    (b"[1, 2]", "wecom_bad_packet", '{"encrypt": "<base64 text>"}'),
    (b"\xff\xfe", "invalid_utf8", "not UTF-8"),
    (DEEP, "wecom_bad_packet", "nested too deeply"),
    (b'{"encrypt": "AAAA"}', "wecom_bad_signature", "not from this WeCom app"),
], ids=["encrypt-is-a-number", "null", "list", "not-utf8", "50k-deep", "unsigned"])
def test_ai_bot_bodies_of_the_wrong_kind_get_a_4xx_naming_it(client, body: bytes, code: str, says: str) -> None:  # type: ignore[no-untyped-def]
    query = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "n"}
    status, got, message = refusal(client.post("/wecom/aibot", params=query, content=body))
    assert got == code and status in (400, 401)
    assert says in message


@pytest.mark.parametrize(("inner", "says"), [
    ("not json at all", "is not JSON"),
    ("[1, 2]", "must be a JSON object"),
    ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    (json.dumps({"msgid": "m1", "msgtype": "text", "from": "wangwu", "text": {"content": "问题"}}), "from:"),
    (json.dumps({"msgid": "m2", "msgtype": "text", "from": {"userid": "w"}, "text": "问题"}), "text:"),
    (json.dumps({"msgid": 5, "msgtype": "text"}), "msgid:"),
    (json.dumps({"msgtype": "stream", "stream": "sid"}), "stream:"),
], ids=["not-json", "list", "50k-deep", "from-is-a-string", "text-is-a-string", "msgid-is-a-number", "stream-is-a-string"])
def test_a_signed_ai_bot_packet_with_a_bad_inner_part_gets_400_naming_it(client, inner: str, says: str) -> None:  # type: ignore[no-untyped-def]
    query, body = aibot_packet(inner)
    status, code, message = refusal(client.post("/wecom/aibot", params=query, content=body))
    assert (status, code) == (400, "wecom_bad_packet")
    assert says in message


# -- WeCom self-built app -----------------------------------------------------------------------


@pytest.mark.parametrize(("body", "code", "says"), [
    (b"{not xml", "wecom_bad_packet", "not well-formed XML"),
    (b"\xff\xfe<xml/>", "invalid_utf8", "not UTF-8"),
    (b"<xml/>", "wecom_bad_packet", "no <Encrypt>"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><xml/>', "wecom_bad_packet", "DOCTYPE"),
    (b"<a>" * 50_000 + b"</a>" * 50_000, "wecom_bad_packet", "no <Encrypt>"),
    (b"<xml><Encrypt>AAAA</Encrypt></xml>", "wecom_bad_signature", "not from this WeCom app"),
], ids=["not-xml", "not-utf8", "no-encrypt", "doctype", "50k-deep", "unsigned"])
def test_wecom_app_garbage_gets_a_4xx_naming_it(client, body: bytes, code: str, says: str) -> None:  # type: ignore[no-untyped-def]
    query = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "n"}
    status, got, message = refusal(client.post("/wecom/callback", params=query, content=body))
    assert got == code and status in (400, 401)
    assert says in message


def test_a_signed_wecom_packet_whose_inner_part_is_not_xml_gets_400(client) -> None:  # type: ignore[no-untyped-def]
    query, body = wecom_packet("not xml")
    assert refusal(client.post("/wecom/callback", params=query, content=body))[:2] == (400, "wecom_bad_packet")


@pytest.mark.parametrize("path", ["/wecom/callback", "/wecom/aibot"])
@pytest.mark.parametrize("signature", ["", "abc", "z" * 40, "0" * 41])
def test_a_signature_that_cannot_be_one_is_refused_before_the_body_is_read(client, path: str, signature: str) -> None:  # type: ignore[no-untyped-def]
    query = {"msg_signature": signature, "timestamp": str(int(time.time())), "nonce": "n"}
    status, code, message = refusal(client.post(path, params=query, content=DEEP))
    assert (status, code) == (401, "bad_signature") and "40 hex digits" in message


# -- the time window ----------------------------------------------------------------------------


@pytest.mark.parametrize(("age_s", "accepted"), [(0, True), (240, True), (-240, True), (360, False), (-360, False),
                                                 (86_400, False)])
def test_wecom_callbacks_are_accepted_within_five_minutes_of_the_server_clock(client, age_s: int, accepted: bool) -> None:  # type: ignore[no-untyped-def]
    stamp = str(int(time.time()) - age_s)
    event = ("<xml><ToUserName>ww</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1</CreateTime>"
             "<MsgType>event</MsgType><Event>enter_agent</Event></xml>")  # acknowledged, never answered
    for path, (query, body) in (("/wecom/callback", wecom_packet(event, timestamp=stamp)),
                                ("/wecom/aibot", aibot_packet(json.dumps({"msgid": f"e{age_s}", "msgtype": "event"}),
                                                              timestamp=stamp))):
        resp = client.post(path, params=query, content=body)
        if accepted:
            assert resp.status_code == 200, resp.text
        else:
            status, code, message = refusal(resp)
            assert (status, code) == (401, "stale_request")
            assert "within 5 minutes" in message


@pytest.mark.parametrize("path", ["/wecom/callback", "/wecom/aibot"])
def test_a_wecom_timestamp_that_is_not_a_time_is_refused(client, path: str) -> None:  # type: ignore[no-untyped-def]
    query, body = aibot_packet(aibot_text("问题", "m1")) if path.endswith("aibot") else wecom_packet(wecom_text("问题", "1"))
    status, code, message = refusal(client.post(path, params={**query, "timestamp": "abc"}, content=body))
    assert (status, code) == (401, "bad_timestamp") and "Unix seconds" in message


# -- refusals count toward the rate limit --------------------------------------------------------


def test_refused_callbacks_count_toward_the_rate_limit_and_real_ones_are_never_limited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with _client(tmp_path, rate_per_minute=1, rate_burst=3) as client:
        forged = [client.post("/slack/events", content=b"[1]", headers={"Content-Type": JSON}).status_code for _ in range(3)]
        forged += [client.post("/wecom/aibot", params={"msg_signature": "x", "timestamp": "1", "nonce": "n"},
                               content=b"{}").status_code]
        assert forged == [401, 401, 401, 429]
        limited = client.post("/wecom/callback", params={"msg_signature": "x", "timestamp": "1", "nonce": "n"}, content=b"<xml/>")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"
        body = b'{"type": "url_verification", "challenge": "still-here"}'  # Slack itself, from the same address
        assert client.post("/slack/events", content=body, headers=slack_headers(body)).status_code == 200


@pytest.mark.parametrize("path", ["/wecom/callback", "/wecom/aibot"])
def test_a_forged_or_stale_url_verification_is_refused_by_name(client, path: str) -> None:  # type: ignore[no-untyped-def]
    forged = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "n", "echostr": "AAAA"}
    assert refusal(client.get(path, params=forged))[:2] == (401, "wecom_bad_signature")
    stale = {**forged, "timestamp": str(int(time.time()) - 86_400)}
    assert refusal(client.get(path, params=stale))[:2] == (401, "stale_request")
