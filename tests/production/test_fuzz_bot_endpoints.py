"""Fuzzing the bot endpoints (the JSON API has schemathesis): whatever arrives, never a 5xx.

Hypothesis generates requests to /slack/events, /wecom/callback and /wecom/aibot — raw bytes,
JSON and forms of Slack's and WeCom's shapes with values of any type, XML of WeCom's elements —
unsigned, with made-up signatures and times, and correctly signed and encrypted (so the checks
behind the signature are reached too). Each answer must be below 500, and a refusal must be the
JSON error body with a code and a message. The app is the production one with every bot
configured; what passes is answered in the background against local mocks of the Slack and WeCom
APIs, and the server drains those answers when the module ends.

Deterministic: examples are derandomized (a fixed seed per test) and no example database is
kept, so a run tests the same requests every time; the number of examples bounds the time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.production.conftest import ProductionServices, make_settings, production_app
from tests.support.bot_packets import aibot_packet, bot_settings, now, slack_headers, wecom_packet
from tests.support.servers import running_server
from tests.support.slack_mock import SlackMock
from tests.support.wecom_mock import WeComMock

pytestmark = pytest.mark.enable_socket  # the Slack and WeCom mocks listen on 127.0.0.1

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NASTY = [b"", b"null", b"[1,2,3]", b"{not json", b"\xff\xfe\x00", b"[" * 50_000 + b"]" * 50_000,
         b"<a>" * 20_000 + b"</a>" * 20_000, b'<!DOCTYPE x [<!ENTITY a "b">]><xml/>', b"payload=%7Bnot-json"]
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "text/xml", ""]

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


def shaped(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with any of ``keys``, each either of its usual kind or of any JSON type."""
    return st.fixed_dictionaries({}, optional={k: s | values for k, s in keys.items()})


texts = st.text(max_size=30)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)  # what an HTTP header can carry
event_fields = {"type": st.sampled_from(["app_mention", "message"]), "user": texts, "text": texts,
                "ts": st.sampled_from(["1700000000.000100", "1.2"]) | texts, "channel": st.sampled_from(["C1", "D1"]),
                "channel_type": st.sampled_from(["im", "channel"]), "thread_ts": texts, "subtype": texts,
                "bot_id": texts, "team": texts}
payload_fields = {
    "type": st.sampled_from(["event_callback", "url_verification", "block_actions", "view_submission", "ssl_check"]),
    "event_id": texts, "event": shaped(event_fields), "team_id": texts, "api_app_id": texts, "challenge": texts,
    "authorizations": st.lists(shaped({"team_id": texts, "enterprise_id": texts, "is_enterprise_install": st.booleans()}),
                               max_size=2),
    "team": shaped({"id": texts}), "user": shaped({"id": texts}), "channel": shaped({"id": texts}),
    "enterprise": texts, "message": shaped({"ts": texts, "text": texts}), "is_enterprise_install": st.booleans(),
    "actions": st.lists(shaped({"action_id": st.sampled_from(["parkbot_feedback_up", "parkbot_feedback_down"]),
                                "value": texts}), max_size=2),
}


def slack_like(kind: str, **required: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A payload of ``kind`` with ``required`` fields as Slack sends them, the rest of any shape."""
    return st.fixed_dictionaries({"type": st.just(kind), **required},
                                 optional={k: v | values for k, v in payload_fields.items()
                                           if k not in required and k != "type"})


slack_payload = st.one_of(
    slack_like("event_callback", event_id=texts, event=st.fixed_dictionaries(
        {k: event_fields[k] for k in ("type", "channel", "ts", "text")},
        optional={k: v | values for k, v in event_fields.items() if k not in ("type", "channel", "ts", "text")})),
    slack_like("url_verification", challenge=texts),
    slack_like("block_actions", actions=payload_fields["actions"]),
    shaped(payload_fields),
)
slash_command = st.fixed_dictionaries({}, optional={
    k: texts for k in ("command", "text", "user_id", "channel_id", "team_id", "response_url", "trigger_id", "ssl_check")})


@st.composite
def slack_bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["nasty", "bytes", "json", "form-payload", "form-command"]))
    if kind == "nasty":
        return draw(st.sampled_from(NASTY)), draw(st.sampled_from(CONTENT_TYPES))
    if kind == "bytes":
        return draw(st.binary(max_size=300)), draw(st.sampled_from(CONTENT_TYPES))
    if kind == "json":
        return json.dumps(draw(slack_payload | values)).encode(), "application/json"
    if kind == "form-payload":
        return urlencode({"payload": json.dumps(draw(slack_payload | values))}).encode(), "application/x-www-form-urlencoded"
    return urlencode(draw(slash_command)).encode(), "application/x-www-form-urlencoded"


@st.composite
def slack_requests(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    body, content_type = draw(slack_bodies())
    how = draw(st.sampled_from(["signed", "signed", "signed", "signed-any-time", "unsigned", "made-up"]))
    if how == "signed":
        return body, slack_headers(body, content_type=content_type)
    if how == "signed-any-time":
        stamp = draw(st.sampled_from(["abc", "", "-1", "1" * 30, str(int(now()) - 301)]) | header_text)
        return body, slack_headers(body, timestamp=stamp, content_type=content_type)
    if how == "unsigned":
        return body, {"Content-Type": content_type}
    return body, {"Content-Type": content_type, "X-Slack-Request-Timestamp": draw(st.sampled_from([now(), "x"])),
                  "X-Slack-Signature": draw(st.sampled_from(["v0=" + "0" * 64, "", "v1=abc", "v0=ZZ"]))}


wecom_xml_values = st.text(max_size=20) | st.sampled_from(["text", "image", "event", "enter_agent", "1700000000"])


@st.composite
def wecom_xml(draw: st.DrawFn) -> str:
    names = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "AgentID", "Event", "PicUrl"]
    fields = draw(st.dictionaries(st.sampled_from(names), wecom_xml_values, max_size=6))
    return "<xml>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items()) + "</xml>"


aibot_message = shaped({"msgid": texts, "msgtype": st.sampled_from(["text", "stream", "image", "event", "mixed"]),
                        "from": shaped({"userid": texts}), "chatid": texts, "text": shaped({"content": texts}),
                        "stream": shaped({"id": texts}), "aibotid": texts, "chattype": texts})


def query(draw: st.DrawFn) -> dict[str, str]:
    made_up = st.text(alphabet="0123456789abcdefxyz ", max_size=44)
    return {k: draw(s) for k, s in (("msg_signature", made_up | st.just("0" * 40)),
                                     ("timestamp", st.sampled_from([now(), "abc", "", "1"]) | st.text(max_size=12)),
                                     ("nonce", st.text(max_size=8)))
            if k != "nonce" or draw(st.sampled_from([True, True, True, False]))}


# Packets are signed and encrypted in the tests, not in the strategies (encryption draws a random prefix).
Wire = tuple[str, Any]  # ("signed", inner text) or ("unsigned", (query, body))


@st.composite
def wecom_requests(draw: st.DrawFn) -> Wire:
    how = draw(st.sampled_from(["signed-xml", "signed-text", "unsigned"]))
    if how == "signed-xml":
        return "signed", draw(wecom_xml())
    if how == "signed-text":
        return "signed", draw(st.text(max_size=60))
    return "unsigned", (query(draw), draw(st.sampled_from(NASTY) | st.binary(max_size=200) | wecom_xml().map(str.encode)))


@st.composite
def aibot_requests(draw: st.DrawFn) -> Wire:
    how = draw(st.sampled_from(["signed-json", "signed-text", "unsigned"]))
    if how == "signed-json":
        return "signed", json.dumps(draw(aibot_message | values))
    if how == "signed-text":
        return "signed", draw(st.text(max_size=60))
    body = draw(st.sampled_from(NASTY) | st.binary(max_size=200) | values.map(lambda v: json.dumps(v).encode())
                | st.fixed_dictionaries({"encrypt": values}).map(lambda v: json.dumps(v).encode()))
    return "unsigned", (query(draw), body)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    slack, wecom = SlackMock(), WeComMock()
    with running_server(slack.app) as slack_api, running_server(wecom.app) as wecom_api:
        tmp: Path = tmp_path_factory.mktemp("fuzz")
        config = make_settings(tmp, env="production", limits={"rate_per_minute": 0}, **bot_settings(slack_api, wecom_api))
        with TestClient(production_app(config, ProductionServices(config)), raise_server_exceptions=False) as client:
            yield client  # leaving drains the answers still being written to the mocks


def never_a_5xx(resp: Any) -> None:
    event(f"HTTP {resp.status_code}")  # --hypothesis-show-statistics shows how deep the examples went
    assert resp.status_code < 500, (resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        error = resp.json()["error"]
        assert error["code"] and error["message"]


@FUZZ
@given(request=slack_requests())
def test_slack_events_never_answer_with_a_5xx(client: TestClient, request: tuple[bytes, dict[str, str]]) -> None:
    body, headers = request
    never_a_5xx(client.post("/slack/events", content=body, headers=headers))


@FUZZ
@given(request=wecom_requests())
def test_wecom_app_callbacks_never_answer_with_a_5xx(client: TestClient, request: Wire) -> None:
    how, what = request
    params, body = wecom_packet(what) if how == "signed" else what
    never_a_5xx(client.post("/wecom/callback", params=params, content=body))


@FUZZ
@given(request=aibot_requests())
def test_wecom_ai_bot_callbacks_never_answer_with_a_5xx(client: TestClient, request: Wire) -> None:
    how, what = request
    params, body = aibot_packet(what) if how == "signed" else what
    never_a_5xx(client.post("/wecom/aibot", params=params, content=body))


@FUZZ
@given(path=st.sampled_from(["/wecom/callback", "/wecom/aibot"]), data=st.data())
def test_wecom_url_verification_never_answers_with_a_5xx(client: TestClient, path: str, data: st.DataObject) -> None:
    params = query(data.draw) | {"echostr": data.draw(st.text(max_size=60))}
    resp = client.get(path, params=params)
    assert resp.status_code < 500, (resp.status_code, resp.text[:300])


def test_what_the_fuzzer_found_a_block_action_without_actions_is_a_400(client: TestClient) -> None:
    # bolt's error handler read payload["actions"][0] itself and failed, so the request became a 500
    body = b"payload=" + quote('{"type": "block_actions", "actions": []}').encode()
    resp = client.post("/slack/events", content=body, headers=slack_headers(body, content_type="application/x-www-form-urlencoded"))
    assert resp.status_code == 400
    assert resp.json()["error"] == {"code": "invalid_body", "message": "ParkBot could not read this Slack request (IndexError)."}
