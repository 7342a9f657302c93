"""POST /api/chat over the offline service: JSON, server-sent events, errors (CONTRACT.md)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.server import create_app
from bot.services import Services


@pytest.fixture
def client(services: Services):  # type: ignore[no-untyped-def]
    services.warm_up = lambda: None  # type: ignore[method-assign]
    with TestClient(create_app(services.settings, services)) as c:
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


def test_chat_streams_tool_results_deltas_then_the_answer(client: TestClient) -> None:
    with client.stream("POST", "/api/chat", json={"message": "企业能用专利做抵押贷款吗"},
                       headers={"Accept": "text/event-stream"}) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = "".join(resp.iter_text())
    events = [block.split("\n", 1) for block in raw.strip().split("\n\n")]
    names = [e[0].removeprefix("event: ") for e in events]
    assert names[0] == "tool" and names[-1] == "answer" and set(names[1:-1]) == {"delta"}
    data = [json.loads(e[1].removeprefix("data: ")) for e in events]
    final = data[-1]
    assert data[0]["name"] == "search_policies" and data[0]["result"]["kind"] == "passages"
    assert "".join(d["text"] for d in data[1:-1]) == final["answer"]
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
