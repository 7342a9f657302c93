"""ParkBot's /v1/chat/completions used by the ``openai`` package through a real uvicorn server.

The chain is real end to end: openai client → ParkBot (uvicorn) → AnswerService → PolicyAgent →
langchain-openai → the scripted model server (uvicorn), with fake retrieval and scoring ports.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import openai
import pytest

from bot.assistant.answering import AnswerService
from bot.assistant.llm.agent import PolicyAgent
from bot.assistant.llm.chat_models import openai_chat_model
from bot.assistant.llm.prompts import load_prompts
from bot.assistant.offline.backend import build_offline_backend
from bot.assistant.types import Answer, Citation
from bot.channels.api import openai_compat
from bot.server import create_app
from bot.services import Services
from bot.settings import LLMSettings, get_settings
from tests.assistant.llm.fakes import FakeParks, FakeSearch
from tests.assistant.llm.scripted_llm import ScriptedLLM, say, tool
from tests.support.servers import running_server

pytestmark = pytest.mark.enable_socket

ANSWER = "外籍高层次人才的工作许可年龄可放宽至65周岁[1]。"
SECOND = "符合条件的外籍人才可办理有效期不超过5年的居留许可[1]。"
INVENTED = "外籍人才还可获得最高100万元安家补贴[1]。"


class StubServices(Services):
    """The real Services (the one answer path) with the LLM assistant over the fakes, and no index."""

    def __init__(self, assistant: AnswerService) -> None:
        super().__init__(get_settings())
        self.__dict__["assistant"] = assistant

    def warm_up(self) -> None:
        pass

    def index_stats(self, *, refresh: bool = True) -> dict[str, int]:
        return {"documents": 0, "chunks": 0}


@pytest.fixture
def parkbot(llm_server: tuple[ScriptedLLM, str]) -> Iterator[tuple[ScriptedLLM, openai.OpenAI, str]]:
    scripted, llm_url = llm_server
    search, parks = FakeSearch(), FakeParks()
    offline = build_offline_backend(search, parks)
    model = openai_chat_model(
        LLMSettings(backend="openai", base_url=llm_url, model="scripted-model"), max_retries=0
    )
    agent = PolicyAgent(model, load_prompts(), offline=offline.stream)
    app = create_app(services=StubServices(AnswerService(offline, search, parks, None, llm=agent, backend="openai")))
    with running_server(app) as url:
        yield scripted, openai.OpenAI(base_url=url + "/v1", api_key="not-needed", max_retries=0), url


def test_openai_client_gets_the_cited_answer(parkbot) -> None:
    scripted, client, _ = parkbot
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄"), say(ANSWER))
    reply = client.chat.completions.create(
        model="parkbot",
        messages=[
            {"role": "system", "content": "你好"},
            {"role": "user", "content": "外籍人才工作许可年龄上限？"},
        ],
    )

    content = reply.choices[0].message.content or ""
    assert content.startswith(ANSWER)
    assert (
        "参考文件：\n[1] 《国务院关于促进国家高新技术产业开发区高质量发展的若干意见》（国发〔2020〕7号） 三、（八）"
        in content
    )
    extras = reply.model_extra["parkbot"]
    assert extras["citations"][0]["chunk_id"] == "c-talent" and extras["grounded"] is True
    assert extras["tool_calls"][0]["name"] == "search_policies"
    assert reply.choices[0].finish_reason == "stop"


def test_openai_client_streams_the_same_answer(parkbot) -> None:
    scripted, client, _ = parkbot
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄"), say(ANSWER))
    stream = client.chat.completions.create(
        model="parkbot", stream=True, messages=[{"role": "user", "content": "外籍人才工作许可年龄上限？"}]
    )
    chunks = list(stream)

    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith(ANSWER) and "参考文件" in text
    assert len([c for c in chunks if c.choices[0].delta.content]) >= 3  # sent in pieces, not one blob
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["parkbot"]["citations"][0]["n"] == 1


def test_raw_stream_ends_with_done(parkbot) -> None:
    scripted, _, url = parkbot
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄"), say(ANSWER))
    with httpx.stream(
        "POST",
        url + "/v1/chat/completions",
        timeout=30,
        json={"messages": [{"role": "user", "content": "外籍人才工作许可年龄上限？"}], "stream": True},
    ) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in resp.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"


def test_model_endpoint_down_still_answers_offline_with_a_notice(parkbot) -> None:
    scripted, client, _ = parkbot
    scripted.script({"status": 503})
    reply = client.chat.completions.create(
        model="parkbot", messages=[{"role": "user", "content": "外籍高层次人才工作许可年龄？"}]
    )

    extras = reply.model_extra["parkbot"]
    assert extras["backend"] == "offline"
    assert any("大模型服务不可用" in n for n in extras["notices"])
    assert "65周岁" in (reply.choices[0].message.content or "")


def test_a_request_without_a_user_message_is_a_400(parkbot) -> None:
    _, client, _ = parkbot
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(
            model="parkbot", messages=[{"role": "system", "content": "只有系统消息"}]
        )
    assert err.value.body["code"] == "bad_request" and "user" in err.value.body["message"]


def test_follow_up_keeps_the_conversation(parkbot) -> None:
    scripted, client, _ = parkbot
    scripted.script(
        tool("search_policies", query="外籍高层次人才 工作许可 年龄"),
        say(ANSWER),
        tool("search_policies", query="外籍人才 居留许可"),
        say("居留许可有效期不超过5年[1]。"),
    )
    first = [{"role": "user", "content": "外籍人才工作许可年龄上限？"}]
    a = client.chat.completions.create(model="parkbot", messages=first)
    b = client.chat.completions.create(
        model="parkbot",
        messages=[
            *first,
            {"role": "assistant", "content": a.choices[0].message.content},
            {"role": "user", "content": "那居留许可呢？"},
        ],
    )
    assert a.model_extra["parkbot"]["conversation_id"] == b.model_extra["parkbot"]["conversation_id"]
    assert (b.choices[0].message.content or "").startswith("居留许可有效期不超过5年[1]。")


def test_render_content_lists_sources_and_notices() -> None:
    answer = Answer(
        conversation_id="c",
        answer="答复[1]。",
        citations=[
            Citation(
                n=1, chunk_id="x", doc="国发〔2020〕7号", title="若干意见", section="七、（二十）", text="…"
            )
        ],
        notices=["已删除一句"],
    )
    assert (
        openai_compat.render_content(answer)
        == "答复[1]。\n\n参考文件：\n[1] 《若干意见》（国发〔2020〕7号） 七、（二十）\n\n说明：已删除一句"
    )


def test_pieces_keep_markers_with_their_sentence() -> None:
    assert openai_compat.pieces("甲[1]。乙。[2]\n丙") == ["甲[1]。", "乙。[2]\n", "丙"]


def _sse(lines) -> Iterator[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    """(event, data) of a server-sent event stream as it arrives ("" for data-only events)."""
    event = ""
    for line in lines:
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and line != "data: [DONE]":
            yield event, json.loads(line[6:])
            event = ""


def test_api_chat_streams_the_first_verified_sentence_before_the_model_finishes(parkbot) -> None:
    scripted, _, url = parkbot
    gate = threading.Event()
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄"),
                    say(ANSWER + INVENTED + SECOND, pause_at=len(ANSWER) + 2, gate=gate))
    try:
        with httpx.stream("POST", url + "/api/chat", timeout=60, headers={"Accept": "text/event-stream"},
                          json={"message": "外籍人才工作许可和居留许可？"}) as resp:
            events = _sse(resp.iter_lines())
            kind, data = next((k, d) for k, d in events if k == "delta")
            assert data == {"text": ANSWER} and scripted.finished == 1  # the model is still writing
            gate.set()
            rest = list(events)
    finally:
        gate.set()
    deltas = [ANSWER] + [d["text"] for k, d in rest if k == "delta"]
    final = next(d for k, d in rest if k == "answer")
    assert "".join(deltas) == final["answer"] == ANSWER + SECOND
    assert final["verification"]["removed"] == [{"sentence": INVENTED, "reason": "数字 100万 不见于所引段落"}]
    assert final["verification"]["fallback"] is None


def test_v1_streams_the_first_verified_sentence_before_the_model_finishes(parkbot) -> None:
    scripted, _, url = parkbot
    gate = threading.Event()
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄"),
                    say(ANSWER + SECOND, pause_at=len(ANSWER) + 2, gate=gate))
    try:
        with httpx.stream("POST", url + "/v1/chat/completions", timeout=60,
                          json={"stream": True, "messages": [{"role": "user", "content": "外籍人才工作许可和居留许可？"}]}) as resp:
            chunks = (d for _, d in _sse(resp.iter_lines()))
            first = next(c["choices"][0]["delta"]["content"] for c in chunks if c["choices"][0]["delta"].get("content"))
            assert first == ANSWER and scripted.finished == 1
            gate.set()
            rest = list(chunks)
    finally:
        gate.set()
    assert rest[-1]["parkbot"]["answer"] == ANSWER + SECOND
    assert rest[-1]["parkbot"]["verification"] == {"removed": [], "fallback": None}


def test_v1_reports_what_the_checks_did(parkbot) -> None:
    scripted, client, _ = parkbot
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄"), say(ANSWER + INVENTED))
    reply = client.chat.completions.create(model="parkbot", messages=[{"role": "user", "content": "外籍人才有什么便利？"}])
    check = reply.model_extra["parkbot"]["verification"]
    assert check["removed"][0]["sentence"] == INVENTED and check["fallback"] is None
    assert "安家补贴" not in (reply.choices[0].message.content or "")

    scripted.script({"status": 503})
    reply = client.chat.completions.create(model="parkbot", messages=[{"role": "user", "content": "外籍高层次人才工作许可年龄？"}])
    extras = reply.model_extra["parkbot"]
    assert extras["backend"] == "offline" and "不可用" in extras["verification"]["fallback"]["reason"]
