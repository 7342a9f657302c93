"""POST /api/chat over the offline service: JSON, server-sent events, errors (CONTRACT.md)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.assistant.service import AnswerService
from bot.channels.api import chat
from bot.server import create_app
from bot.services import Services
from bot.settings import get_settings


class _Services(Services):
    def __init__(self, settings, assistant: AnswerService) -> None:
        super().__init__(settings)
        self.assistant = assistant

    def warm_up(self) -> None:
        pass


@pytest.fixture
def client(service: AnswerService):
    settings = get_settings()
    app = create_app(settings, _Services(settings, service))
    app.include_router(chat.router)  # until bot/server.py lists it
    with TestClient(app) as c:
        yield c


def test_chat_json_follows_the_contract(client: TestClient) -> None:
    body = client.post("/api/chat", json={"message": "外籍人才的居留许可最长几年？"}).json()
    assert {"conversation_id", "answer", "citations", "tool_calls", "grounded"} <= set(body)
    assert body["grounded"] is True and "5年以内的居留许可" in body["answer"]
    cit = body["citations"][0]
    assert {"n", "chunk_id", "doc", "title", "section", "text"} <= set(cit) and cit["n"] == 1
    assert body["tool_calls"][0]["name"] == "search_policies"
    follow = client.post("/api/chat", json={"message": "青川得分多少", "conversation_id": body["conversation_id"]}).json()
    assert follow["conversation_id"] == body["conversation_id"] and follow["intent"] == "score"


def test_chat_streams_deltas_then_the_answer(client: TestClient) -> None:
    with client.stream("POST", "/api/chat", json={"message": "企业能用专利做抵押贷款吗"},
                       headers={"Accept": "text/event-stream"}) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = "".join(resp.iter_text())
    events = [block.split("\n", 1) for block in raw.strip().split("\n\n")]
    names = [e[0].removeprefix("event: ") for e in events]
    assert names[-1] == "answer" and set(names[:-1]) == {"delta"}
    data = [json.loads(e[1].removeprefix("data: ")) for e in events]
    final = data[-1]
    assert "".join(d["text"] for d in data[:-1]) == final["answer"]
    assert "知识产权质押融资" in final["answer"] and final["citations"]


def test_draft_mode_over_http(client: TestClient) -> None:
    body = client.post("/api/chat", json={"message": "企业询问能否开展知识产权质押融资", "mode": "draft"}).json()
    assert body["mode"] == "draft" and "【单位名称】" in body["answer"]


def test_bad_requests_name_the_field(client: TestClient) -> None:
    resp = client.post("/api/chat", json={"message": ""})
    assert resp.status_code == 422 and "message" in resp.json()["error"]["message"]
    resp = client.post("/api/chat", json={"message": "hi", "mode": "poem"})
    assert resp.status_code == 422 and "mode" in resp.json()["error"]["message"]
    resp = client.post("/api/chat", json={"message": "   "})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "empty_message"
