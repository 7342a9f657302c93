"""POST /api/search and `parkbot search` over the small fake-embedded searcher."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot.channels.api import search as search_api
from bot.server import _install_error_handlers
from tests.retrieval.search_fixtures import build_searcher


@pytest.fixture(scope="module")
def searcher():
    return build_searcher()


@pytest.fixture(scope="module")
def client(searcher):
    app = FastAPI()
    app.state.services = SimpleNamespace(searcher=searcher)
    app.include_router(search_api.router)
    _install_error_handlers(app)
    return TestClient(app)


def test_search_returns_contract_fields(client):
    response = client.post("/api/search", json={"query": "企业能用专利做抵押贷款吗", "k": 2})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert len(hits) == 2
    assert {"chunk_id", "doc", "title", "section", "text", "score"} <= set(hits[0])
    assert "知识产权质押融资" in hits[0]["text"]
    assert isinstance(response.json()["coverage"]["covered"], bool)


def test_doc_filter_in_any_bracket_style(client):
    response = client.post("/api/search", json={"query": "指标", "doc": "国科发火[2013]388号"})
    assert {h["doc"] for h in response.json()["hits"]} == {"国科发火〔2013〕388号"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"query": ""}, 422, "query"),
        ({"query": "   "}, 400, "query"),
        ({"query": "工作许可", "k": 0}, 422, "k"),
        ({"query": "工作许可", "k": 500}, 422, "k"),
        ({"query": "工作许可", "doc": "国发〔2099〕1号"}, None, "doc"),
    ],
)
def test_bad_input_gets_a_4xx_naming_the_field(client, body, status, field):
    response = client.post("/api/search", json=body)
    assert response.status_code == status if status else 400 <= response.status_code < 500
    error = response.json()["error"]
    assert error["message"].startswith(f"{field}") and error["code"]


def test_cli_prints_json_hits(monkeypatch, searcher):
    from bot.cli import app
    from bot.cli import search as search_cli

    monkeypatch.setattr(search_cli, "_searcher", lambda: searcher)
    result = CliRunner().invoke(app, ["search", "外籍专家63岁了还能办工作许可吗", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)["hits"]
    assert len(hits) == 2 and hits[0]["doc"] == "国发〔2020〕7号" and "65岁" in hits[0]["text"]


def test_cli_human_output_and_bad_doc(monkeypatch, searcher):
    from bot.cli import app
    from bot.cli import search as search_cli

    monkeypatch.setattr(search_cli, "_searcher", lambda: searcher)
    ok = CliRunner().invoke(app, ["search", "知识产权质押融资"])
    assert ok.exit_code == 0 and "国发〔2020〕7号 六、（十七）" in ok.output
    bad = CliRunner().invoke(app, ["search", "工作许可", "--doc", "不存在的文件"])
    assert bad.exit_code == 2


def test_no_index_yet_is_a_503_that_says_what_to_do():
    app = FastAPI()
    app.state.services = SimpleNamespace(searcher=None)
    app.include_router(search_api.router)
    _install_error_handlers(app)
    response = TestClient(app).post("/api/search", json={"query": "工作许可"})
    assert response.status_code == 503 and "parkbot ingest" in response.json()["error"]["message"]
