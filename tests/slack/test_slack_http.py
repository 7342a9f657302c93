"""The Slack app over HTTP: a real uvicorn server, signed requests, a mock Slack Web API.

Requests are signed with slack-sdk's SignatureVerifier (an independent implementation of S1).
"""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from bot.feedback import feedback_table
from bot.server import create_app
from bot.settings import get_settings
from tests.support.bot_packets import SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET
from tests.support.fakes import FakeAnswerServices
from tests.support.servers import running_server, wait_until
from tests.support.slack_mock import SlackMock

pytestmark = pytest.mark.enable_socket

SECRET = SLACK_SIGNING_SECRET


def _signed(body: str, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    sig = SignatureVerifier(secret).generate_signature(timestamp=str(ts), body=body)
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig}


def _event(event: dict, event_id: str) -> str:
    return json.dumps(
        {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id, "event_time": 1, "event": event}
    )


def _mention(ts: str, text: str = "<@UBOT> 外籍专家63岁还能办工作许可吗", thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": "U1", "team": "T1", "text": text, "ts": ts, "channel": "C1", "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


@pytest.fixture(params=[True, False], ids=["native-stream", "chat-update"])
def slack(request, tmp_path):  # type: ignore[no-untyped-def]
    mock = SlackMock(native_stream=request.param)
    with running_server(mock.app) as api:
        settings = get_settings(
            store={"url": f"sqlite:///{tmp_path}/store.db"},
            slack={"bot_token": SLACK_BOT_TOKEN, "signing_secret": SECRET, "api_base_url": f"{api}/api/"},
        )
        services = FakeAnswerServices(settings, delay_s=0.2)
        with running_server(create_app(settings, services)) as base:
            yield mock, services, base, api


def _post(base: str, body: str, headers: dict | None = None, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(f"{base}/slack/events", content=body, headers={"Content-Type": content_type, **(headers or {})})


def test_url_verification_and_ssl_check(slack) -> None:  # type: ignore[no-untyped-def]
    _, _, base, _ = slack
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    resp = _post(base, body, _signed(body))
    assert resp.status_code == 200 and "abc123" in resp.text
    body = "ssl_check=1&token=t"
    assert _post(base, body, _signed(body), "application/x-www-form-urlencoded").status_code == 200


def test_mention_gets_one_threaded_answer_with_citations(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, _ = slack
    body = _event(_mention("1700000100.000100"), "Ev1")
    services.gate = threading.Event()  # the answer cannot be computed until the test opens this
    resp = _post(base, body, _signed(body))
    assert resp.status_code == 200 and mock.answers() == []  # acknowledged before any answer exists
    services.gate.set()
    assert wait_until(lambda: len(mock.answers()) == 1)
    final = mock.answers()[0]
    assert final["thread_ts"] if "thread_ts" in final else True
    posted = json.dumps(mock.calls, ensure_ascii=False)
    assert "国发〔2020〕7号" in posted and "三、（五）" in posted and "65岁[1]" in posted
    assert services.questions == [("外籍专家63岁还能办工作许可吗", "slack:C1:1700000100.000100")]
    threads = {args.get("thread_ts") for name, args in mock.calls if name in ("chat.postMessage", "chat.startStream")}
    assert threads == {"1700000100.000100"}


def test_retry_storm_and_mention_message_pair_give_exactly_one_answer(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, _ = slack
    body = _event(_mention("1700000200.000200"), "Ev2")
    for attempt in range(3):
        headers = _signed(body)
        if attempt:
            headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
        assert _post(base, body, headers).status_code == 200
    # the same message also arrives as a `message` event with another event_id (S5)
    twin = _event({"type": "message", "user": "U1", "text": "<@UBOT> 外籍专家63岁还能办工作许可吗",
                   "ts": "1700000200.000200", "channel": "C1", "channel_type": "channel"}, "Ev3")
    assert _post(base, twin, _signed(twin)).status_code == 200
    assert wait_until(lambda: len(mock.answers()) >= 1)
    time.sleep(0.8)
    assert len(mock.answers()) == 1
    assert len(services.questions) == 1


def test_dm_and_follow_up_in_thread_share_a_conversation(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, _ = slack
    dm = _event({"type": "message", "user": "U2", "text": "什么是瞪羚企业", "ts": "1700000300.000300",
                 "channel": "D1", "channel_type": "im"}, "Ev4")
    _post(base, dm, _signed(dm))
    follow = _event({"type": "message", "user": "U2", "text": "那孵化器呢", "ts": "1700000301.000301",
                     "thread_ts": "1700000300.000300", "channel": "D1", "channel_type": "im"}, "Ev5")
    _post(base, follow, _signed(follow))
    assert wait_until(lambda: len(services.questions) == 2)
    assert {c for _, c in services.questions} == {"slack:D1:1700000300.000300"}


def test_bot_messages_and_edits_are_ignored(slack) -> None:  # type: ignore[no-untyped-def]
    _, services, base, _ = slack
    for i, event in enumerate(
        [
            {"type": "message", "bot_id": "B9", "text": "hi", "ts": "1.1", "channel": "D1", "channel_type": "im"},
            {"type": "message", "subtype": "message_changed", "ts": "1.2", "channel": "D1", "channel_type": "im"},
            {"type": "message", "user": "UBOT", "text": "my own", "ts": "1.3", "channel": "D1", "channel_type": "im"},
        ]
    ):
        body = _event(event, f"EvIgnore{i}")
        assert _post(base, body, _signed(body)).status_code == 200
    time.sleep(0.6)
    assert services.questions == []


def test_forged_unsigned_and_stale_requests_get_401_and_run_nothing(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, _ = slack
    body = _event(_mention("1700000400.000400"), "Ev6")
    assert _post(base, body, _signed(body, secret="wrong")).status_code == 401
    assert _post(base, body).status_code == 401
    assert _post(base, body, _signed(body, ts=int(time.time()) - 360)).status_code == 401
    time.sleep(0.5)
    assert services.questions == [] and mock.answers() == []


def test_slash_command_acks_then_responds(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, api = slack
    form = urlencode({"command": "/parkbot", "text": "draft 我公司想了解外籍专家工作许可年龄", "user_id": "U1",
                      "channel_id": "C1", "team_id": "T1", "response_url": f"{api}/response_url/abc", "trigger_id": "t"})
    resp = _post(base, form, _signed(form), "application/x-www-form-urlencoded")
    assert resp.status_code == 200 and "正在处理" in resp.text
    assert wait_until(lambda: mock.named("response_url"))
    assert services.modes == ["draft"]
    assert "65岁" in mock.named("response_url")[0]["text"]

    form = urlencode({"command": "/parkbot", "text": "help", "user_id": "U1", "channel_id": "C1",
                      "response_url": f"{api}/response_url/x", "trigger_id": "t"})
    resp = _post(base, form, _signed(form), "application/x-www-form-urlencoded")
    assert "/parkbot score" in resp.text


def test_feedback_click_is_stored(slack) -> None:  # type: ignore[no-untyped-def]
    _, services, base, _ = slack
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "message": {"ts": "1700000500.000500", "text": "可以，年龄可放宽至65岁[1]。"},
        "actions": [{"action_id": "parkbot_feedback_down", "block_id": "parkbot_feedback", "value": "slack:C1:1700000500.000500",
                     "type": "button", "action_ts": "1"}],
        "trigger_id": "t",
        "response_url": "http://127.0.0.1:9/unused",
    }
    form = urlencode({"payload": json.dumps(payload)})
    resp = _post(base, form, _signed(form), "application/x-www-form-urlencoded")
    assert resp.status_code == 200

    assert services.feedback is not None  # the table exists before the click is processed

    def stored() -> list:
        with services.store_engine.connect() as conn:
            return list(conn.execute(select(feedback_table)))

    assert wait_until(lambda: stored())
    row = stored()[0]
    assert row.rating == "down" and row.conversation_id == "slack:C1:1700000500.000500"


def test_rate_limited_call_is_retried_after_retry_after(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, _ = slack
    first_method = "chat.startStream" if mock.native_stream else "chat.postMessage"
    mock.rate_limit_next[first_method] = 1
    body = _event(_mention("1700000600.000600"), "Ev7")
    _post(base, body, _signed(body))
    assert wait_until(lambda: len(mock.answers()) == 1, timeout=15)
    names = [name for name, _ in mock.calls]
    assert f"{first_method}:429" in names and first_method in names


def test_long_answer_is_split_within_slack_limits(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, _ = slack
    services.reply = "国家高新区要坚持创新驱动发展战略，加快建设世界一流高科技园区。" * 300  # ~9,000 characters
    body = _event(_mention("1700000700.000700"), "Ev8")
    _post(base, body, _signed(body))
    assert wait_until(lambda: len(mock.answers()) >= 1, timeout=15)
    time.sleep(0.3)
    for args in mock.answers():
        blocks = args.get("blocks") or []
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= 3000
        assert len(args.get("text", "") or "") <= 4000


def test_score_answer_shows_the_card_and_posts_a_chart_image(slack) -> None:  # type: ignore[no-untyped-def]
    from bot.assistant.types import ParkRef, ScoreLookup, ToolCall
    from tests.support.results import score_card

    mock, services, base, _ = slack
    card = score_card(park_id="SYN-001", name="星澜科学城高新区（虚构）", total=80.56, rank=1, cohort_size=60,
                      synthetic=True, registry="GKFH-2013-388-A2", method="default",
                      primaries=[{"code": str(i), "name": n, "weight": w, "score": s, "rank": 1}
                                 for i, (n, w, s) in enumerate([("知识创造和技术创新能力", 30, 85.3), ("产业升级和结构优化能力", 30, 80.77),
                                                                ("国际化和参与全球竞争能力", 20, 86.78), ("高新区可持续发展能力", 20, 66.89)], 1)])
    services.reply = "见下表。"
    services.tool_calls = [ToolCall(name="score_park", args={"park": "SYN-001"},
                                    result=ScoreLookup(park=ParkRef(park_id="SYN-001", name=card.name), card=card))]
    body = _event(_mention("1700000800.000800", "<@UBOT> SYN-001 得分多少"), "Ev9")
    _post(base, body, _signed(body))
    assert wait_until(lambda: mock.named("files.completeUploadExternal") and mock.answers(), timeout=15)
    assert mock.uploads[0].startswith(b"\x89PNG\r\n\x1a\n")
    complete = mock.named("files.completeUploadExternal")[0]
    assert complete.get("thread_ts") == "1700000800.000800" and complete.get("channel_id") == "C1"
    posted = json.dumps(mock.answers(), ensure_ascii=False)
    assert "80.56" in posted and "1 / 60" in posted and "SYNTHETIC" in posted


def test_an_over_long_mention_gets_a_short_too_long_reply_in_its_thread(slack) -> None:  # type: ignore[no-untyped-def]
    mock, services, base, _ = slack
    body = _event(_mention("1700000900.000900", "<@UBOT> " + "园" * 5000), "Ev10")
    assert _post(base, body, _signed(body)).status_code == 200

    def replies() -> list[dict]:
        return [a for a in mock.named("chat.postMessage") if a.get("thread_ts") == "1700000900.000900"]

    assert wait_until(replies)
    assert [r["text"] for r in replies()] == ["问题太长，请精简到 4000 字以内。"]
    assert services.questions == []  # refused before the assistant saw it
