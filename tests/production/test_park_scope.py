"""A caller limited to one park sees nothing of another, on every channel.

The assistant is the real offline one (router, tools, composer) over the SYNTHETIC three-park
fakes of tests/assistant/fakes.py: SYN-001 青川, SYN-002 云岭 (total 64.1), SYN-003 海澄 (58).
The API token ``syn001`` and the Slack and WeCom settings ``parks = ["SYN-001"]`` limit the caller
to SYN-001; the ``ops`` token sees every park (the control that shows each check can fail).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot import metrics
from bot.assistant.answering import AnswerService
from bot.assistant.offline.backend import build_offline_backend
from bot.server import create_app
from bot.services import Services
from bot.settings import get_settings
from tests.assistant.fakes import FakeParks, FakeSearch
from tests.production.conftest import OPS_TOKEN, PARK_TOKEN, make_settings, production_app
from tests.support.bot_packets import SLACK_BOT_TOKEN
from tests.support.servers import running_server, wait_until

OTHER_PARKS = ("云岭", "海澄", "SYN-003", "64.1", "67.6")  # names, the other id never asked about, totals
ABOUT_SYN_002 = [
    "SYN-002 得分多少",
    "SYN-002为什么排名低",
    "SYN-002够不够创新型科技园区的标准",
    "如果SYN-002的服务收入占比提高到40%，得分会怎样？",
    "比较SYN-001和SYN-002的得分",
]
LIST_ALL = "列出所有园区的得分排名"


def offline_services(settings: Any) -> Services:
    """The real Services with the offline assistant over the SYNTHETIC fakes."""
    services = Services(settings)
    search, parks = FakeSearch(), FakeParks()
    services.__dict__["assistant"] = AnswerService(build_offline_backend(search, parks), search, parks,
                                                   services.conversations)
    services.warm_up = lambda: None  # type: ignore[method-assign]
    return services


def assert_nothing_of_other_parks(payload: Any) -> None:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    leaked = [marker for marker in OTHER_PARKS if marker in text]
    assert not leaked, f"another park's data came back: {leaked}"


def answers_on(channel: str) -> float:
    """Answers counted at /metrics for one channel (any grounded value)."""
    return sum(metrics.sample("parkbot_answers_total", {"channel": channel, "mode": "answer", "backend": "offline",
                                                        "grounded": grounded}) for grounded in ("true", "false"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, env="production")
    with TestClient(production_app(settings, offline_services(settings))) as c:
        yield c


# -- the JSON API, its event stream and the OpenAI-compatible endpoint ------------------------------


@pytest.mark.parametrize("question", ABOUT_SYN_002)
def test_api_json_refuses_another_park_and_says_so(client: TestClient, question: str) -> None:
    resp = client.post("/api/chat", json={"message": question}, headers=bearer(PARK_TOKEN))
    assert resp.status_code == 200
    body = resp.json()
    assert "此令牌无权查看 SYN-002" in body["answer"]
    assert [c["result"]["code"] for c in body["tool_calls"]] == ["park_forbidden"]
    assert_nothing_of_other_parks(body)
    # the control: the same question with the ops token gets SYN-002's numbers
    full = client.post("/api/chat", json={"message": question}, headers=bearer(OPS_TOKEN)).json()
    assert "无权" not in full["answer"] and ("云岭" in full["answer"] or "64.1" in json.dumps(full, ensure_ascii=False))


@pytest.mark.parametrize("question", ["云岭科技园得分多少", "云岭科技园够不够创新型科技园区的标准", "比较青川和云岭科技园的得分"])
def test_another_park_asked_by_name_is_not_among_the_callers_parks_and_its_id_is_never_told(
    client: TestClient, question: str
) -> None:
    body = client.post("/api/chat", json={"message": question, "conversation_id": "by-name"},
                       headers=bearer(PARK_TOKEN)).json()
    assert "没有找到园区“云岭科技园”" in body["answer"] and "SYN-001" in body["answer"]  # the asker's words
    leaked = json.dumps(body, ensure_ascii=False)
    assert "SYN-002" not in leaked and "64.1" not in leaked and "无权" not in leaked
    # a follow-up in the same conversation has no park of another to fall back on
    again = client.post("/api/chat", json={"message": "它排第几？", "conversation_id": "by-name"},
                        headers=bearer(PARK_TOKEN)).json()
    assert "SYN-002" not in json.dumps(again, ensure_ascii=False) and "64.1" not in again["answer"]
    # the control: the ops token is told about SYN-002 by its name
    full = client.post("/api/chat", json={"message": question}, headers=bearer(OPS_TOKEN)).json()
    assert "SYN-002" in json.dumps(full, ensure_ascii=False)


def test_api_listing_shows_only_the_parks_in_scope_with_cohort_ranks(client: TestClient) -> None:
    body = client.post("/api/chat", json={"message": LIST_ALL}, headers=bearer(PARK_TOKEN)).json()
    assert "SYN-001" in body["answer"] and "青川" in body["answer"]
    assert "共 3 个" in body["answer"] and "排名为全部 3 个园区中的名次" in body["answer"]
    listing = body["tool_calls"][0]["result"]
    assert [p["park_id"] for p in listing["parks"]] == ["SYN-001"] and listing["scoped"] is True
    assert listing["parks"][0]["rank"] == 1 and listing["cohort_size"] == 3
    assert_nothing_of_other_parks(body)
    everyone = client.post("/api/chat", json={"message": LIST_ALL}, headers=bearer(OPS_TOKEN)).json()
    assert "云岭" in everyone["answer"] and "海澄" in everyone["answer"]


def test_sse_stream_carries_nothing_of_another_park(client: TestClient) -> None:
    for question in [*ABOUT_SYN_002, LIST_ALL]:
        with client.stream("POST", "/api/chat", json={"message": question},
                           headers={**bearer(PARK_TOKEN), "Accept": "text/event-stream"}) as resp:
            raw = "".join(resp.iter_text())
        assert "event: tool" in raw and "event: delta" in raw and "event: answer" in raw
        assert ("此令牌无权查看 SYN-002" in raw) == (question != LIST_ALL)
        assert_nothing_of_other_parks(raw)


def test_openai_endpoint_json_and_stream_carry_nothing_of_another_park(client: TestClient) -> None:
    for question in ABOUT_SYN_002:
        body = {"model": "parkbot", "messages": [{"role": "user", "content": question}]}
        reply = client.post("/v1/chat/completions", json=body, headers=bearer(PARK_TOKEN)).json()
        assert "此令牌无权查看 SYN-002" in reply["choices"][0]["message"]["content"]
        assert_nothing_of_other_parks(reply)
        with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True},
                           headers=bearer(PARK_TOKEN)) as resp:
            raw = "".join(resp.iter_text())
        assert "无权查看" in raw and raw.rstrip().endswith("data: [DONE]")
        assert_nothing_of_other_parks(raw)


# -- conversations ------------------------------------------------------------------------------------


def test_a_conversation_id_cannot_be_joined_by_another_principal(client: TestClient) -> None:
    shared = "wecom:zhangsan"
    admin = client.post("/api/chat", json={"message": "SYN-002 得分多少", "conversation_id": shared},
                        headers=bearer(OPS_TOKEN)).json()
    assert "云岭" in admin["answer"]
    joined = client.post("/api/chat", json={"message": "它排第几？", "conversation_id": shared},
                         headers=bearer(PARK_TOKEN)).json()
    assert joined["conversation_id"] == shared and joined["intent"] != "score"
    assert_nothing_of_other_parks(joined)
    # the admin's own conversation goes on: its follow-up still knows the park
    again = client.post("/api/chat", json={"message": "它排第几？", "conversation_id": shared},
                        headers=bearer(OPS_TOKEN)).json()
    assert again["intent"] == "score" and "云岭" in again["answer"]
    # and the limited token's follow-ups work within its own conversations
    own = client.post("/api/chat", json={"message": "SYN-001 得分多少"}, headers=bearer(PARK_TOKEN)).json()
    follow = client.post("/api/chat", json={"message": "它排第几？", "conversation_id": own["conversation_id"]},
                         headers=bearer(PARK_TOKEN)).json()
    assert follow["intent"] == "score" and "青川" in follow["answer"]


# -- Slack, WeCom (app and AI bot), CLI ------------------------------------------------------------------


@pytest.mark.server
def test_slack_user_limited_to_one_park_gets_nothing_of_another(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.slack.test_slack_http import SECRET, _event, _mention, _post, _signed
    from tests.support.slack_mock import SlackMock

    mock = SlackMock(native_stream=True)
    with running_server(mock.app) as api:
        settings = get_settings(store={"url": f"sqlite:///{tmp_path}/store.db"},
                                slack={"bot_token": SLACK_BOT_TOKEN, "signing_secret": SECRET,
                                       "api_base_url": f"{api}/api/", "parks": ["SYN-001"]})
        counted = answers_on("slack")
        with running_server(create_app(settings, offline_services(settings))) as base:
            for i, question in enumerate([*ABOUT_SYN_002, LIST_ALL]):
                body = _event(_mention(f"17000010{i:02d}.000100", f"<@UBOT> {question}"), f"EvScope{i}")
                assert _post(base, body, _signed(body)).status_code == 200
                assert wait_until(lambda n=i: len(mock.answers()) == n + 1, timeout=15)
    posted = json.dumps(mock.calls, ensure_ascii=False)
    assert posted.count("您的账号无权查看 SYN-002") >= len(ABOUT_SYN_002) and "青川" in posted
    assert_nothing_of_other_parks(posted)
    assert answers_on("slack") == counted + len(ABOUT_SYN_002) + 1  # /metrics counts Slack's answers


@pytest.mark.server
def test_wecom_user_limited_to_one_park_gets_nothing_of_another(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.wecom_mock import WeComMock
    from tests.wecom.test_callback import AES_KEY, CORP_ID, TOKEN, _inbound, _packet

    mock = WeComMock()
    with running_server(mock.app) as api_base:
        settings = get_settings(store={"url": f"sqlite:///{tmp_path}/store.db"},
                                wecom={"corp_id": CORP_ID, "agent_id": "1000002", "secret": "app-secret", "token": TOKEN,
                                       "aes_key": AES_KEY, "api_base": api_base, "parks": ["SYN-001"]})
        counted = answers_on("wecom")
        with running_server(create_app(settings, offline_services(settings))) as base:
            for i, question in enumerate([*ABOUT_SYN_002, LIST_ALL]):
                params, body = _packet(_inbound(question, f"61{i:02d}"))
                assert httpx.post(f"{base}/wecom/callback", params=params, content=body).status_code == 200
                assert wait_until(lambda n=i: len(mock.sent) == n + 1, timeout=15)
    sent = json.dumps(mock.sent, ensure_ascii=False)
    assert sent.count("您的账号无权查看 SYN-002") == len(ABOUT_SYN_002) and "青川" in sent
    assert_nothing_of_other_parks(sent)
    assert answers_on("wecom") == counted + len(ABOUT_SYN_002) + 1


@pytest.mark.server
def test_wecom_ai_bot_user_limited_to_one_park_gets_nothing_of_another(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.wecom.test_aibot import AES_KEY, TOKEN, _open, _post

    settings = get_settings(store={"url": f"sqlite:///{tmp_path}/store.db"},
                            wecom={"aibot_token": TOKEN, "aibot_aes_key": AES_KEY, "parks": ["SYN-001"]})
    frames: list[str] = []
    counted = answers_on("wecom_aibot")
    with running_server(create_app(settings, offline_services(settings))) as base:
        for i, question in enumerate(ABOUT_SYN_002):
            message = {"msgid": f"scope-{i}", "aibotid": "bot", "chattype": "single", "from": {"userid": "wangwu"},
                       "msgtype": "text", "text": {"content": question}}
            stream_id = _open(_post(base, message).json())["stream"]["id"]

            def poll(stream_id: str = stream_id) -> dict:
                frame = _open(_post(base, {"msgid": "poll", "msgtype": "stream", "stream": {"id": stream_id}}).json())
                frames.append(frame["stream"]["content"])
                return frame["stream"]

            assert wait_until(lambda: poll()["finish"])
            assert "您的账号无权查看 SYN-002" in frames[-1]
    assert_nothing_of_other_parks(frames)
    assert answers_on("wecom_aibot") == counted + len(ABOUT_SYN_002)


def test_cli_with_a_scoped_principal_gets_nothing_of_another_park(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`parkbot ask --parks SYN-001` over the real SYNTHETIC sample cohort (SYN-002 is 璟川创新谷高新区)."""
    from bot.cli import app  # every command registered

    monkeypatch.setenv("PARKBOT_STORE__URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    for question in ABOUT_SYN_002:
        result = runner.invoke(app, ["ask", question, "--parks", "SYN-001", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert "无权查看 SYN-002" in data["answer"]
        assert "璟川" not in result.stdout and "沅汀" not in result.stdout
    listed = runner.invoke(app, ["ask", LIST_ALL, "--parks", "SYN-001", "--json"])
    parks = [p["park_id"] for p in json.loads(listed.stdout)["tool_calls"][0]["result"]["parks"]]
    assert parks == ["SYN-001"] and "排名为全部 60 个园区中的名次" in listed.stdout
    unlimited = runner.invoke(app, ["ask", "SYN-002 得分多少", "--json"])
    assert "璟川" in unlimited.stdout  # the local user without --parks sees every park


# -- counting --------------------------------------------------------------------------------------------


def test_metrics_count_the_answers_of_every_channel(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Answers reach /metrics whatever channel they came through (here: API, SSE, OpenAI, CLI; the Slack
    and WeCom tests above count theirs)."""
    from bot.cli import app

    count = answers_on
    before = {c: count(c) for c in ("api", "openai", "cli")}
    client.post("/api/chat", json={"message": "SYN-001 得分多少"}, headers=bearer(PARK_TOKEN))
    with client.stream("POST", "/api/chat", json={"message": "SYN-001 得分多少"},
                       headers={**bearer(PARK_TOKEN), "Accept": "text/event-stream"}) as resp:
        "".join(resp.iter_text())
    client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "SYN-001 得分多少"}]},
                headers=bearer(PARK_TOKEN))
    CliRunner().invoke(app, ["ask", "SYN-001 得分多少"], env={"PARKBOT_STORE__URL": f"sqlite:///{tmp_path / 'c.db'}"})
    assert count("api") == before["api"] + 2 and count("openai") == before["openai"] + 1
    assert count("cli") == before["cli"] + 1
    page = client.get("/metrics").text
    for channel in ("api", "openai", "cli"):
        assert f'channel="{channel}"' in page
