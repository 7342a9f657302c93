"""POST /api/feedback, `parkbot feedback export`, and how the page's files are served."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot.channels.web.routes import STATIC_DIR
from bot.feedback import FeedbackIn, to_eval_case
from bot.server import create_app
from bot.settings import get_settings
from retrieval.evaluation import load_cases
from tests.web.conftest import ensure_routes
from tests.web.fakes import CITATIONS, POLICY_TEXT, FakeAnswerService, FakeServices


@pytest.fixture
def client(tmp_path: Path):
    settings = get_settings(store={"url": f"sqlite:///{tmp_path / 'parkbot.db'}"})
    services = FakeServices(settings, FakeAnswerService())
    with TestClient(ensure_routes(create_app(settings, services))) as c:
        c.services = services
        yield c


def rating(**overrides) -> dict:
    body = {
        "conversation_id": "conv-1",
        "question": "外籍专家63岁了还能办工作许可吗",
        "answer": POLICY_TEXT,
        "citations": [c.model_dump() for c in CITATIONS],
        "rating": "up",
        "comment": "",
    }
    return {**body, **overrides}


def test_feedback_is_stored_and_read_back(client) -> None:
    resp = client.post("/api/feedback", json=rating(rating="down", comment="缺少办理流程"))
    assert resp.status_code == 201
    assert resp.json() == {"id": 1, "status": "stored"}
    (record,) = client.services.feedback.records()
    assert (record.rating, record.comment, record.question) == ("down", "缺少办理流程", "外籍专家63岁了还能办工作许可吗")
    assert record.citations[0].doc == "国发〔2020〕7号"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (rating(question=None), "question"),
        (rating(rating="meh"), "rating"),
        (rating(answer=""), "answer"),
    ],
)
def test_bad_feedback_is_refused_naming_the_field(client, body: dict, field: str) -> None:
    resp = client.post("/api/feedback", json=body)
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"]
    assert list(client.services.feedback.records()) == []


def test_export_writes_cases_the_evaluation_loader_reads(client, tmp_path: Path, monkeypatch) -> None:
    client.post("/api/feedback", json=rating())
    client.post("/api/feedback", json=rating(rating="down", comment="引用的条款不对"))
    client.post("/api/feedback", json=rating(question=None, message_id="slack:C1:123.4"))  # no question
    client.post("/api/feedback", json=rating(question="Can a 63-year-old expert get a work permit?",
                                             answer="The documents do not say.", citations=[], grounded=False))
    client.post("/api/feedback", json=rating(question="给 P01 打分", answer="综合得分 71.35", citations=[],
                                             tool_calls=[{"name": "score_park", "args": {"park": "P01"}}]))

    import bot.cli.feedback  # noqa: F401  (registers `parkbot feedback`)
    from bot.cli.app import app

    out = tmp_path / "cases.jsonl"
    monkeypatch.setenv("PARKBOT_STORE__URL", f"sqlite:///{tmp_path / 'parkbot.db'}")
    result = CliRunner().invoke(app, ["feedback", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 evaluation case(s)" in result.output
    assert "Skipped 2 rating(s)" in result.output

    cases = load_cases(out)
    assert [c.id for c in cases] == ["feedback-1", "feedback-2", "feedback-4"]
    helpful, unhelpful, english = cases
    assert helpful.answerable and helpful.category == "paraphrase"
    assert [(e.doc, e.section) for e in helpful.expected] == [("国发〔2020〕7号", "二、（五）"), ("国发〔2020〕7号", "七、（二十一）")]
    for expected, citation in zip(helpful.expected, CITATIONS, strict=True):
        assert expected.evidence and expected.evidence in citation.text
    assert unhelpful.expected == helpful.expected  # kept, and flagged for a person to check
    assert (english.lang, english.answerable, english.category) == ("en", False, "unanswerable")
    raw = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert raw[1]["needs_review"] is True
    assert raw[1]["feedback"]["comment"] == "引用的条款不对"
    assert raw[0]["feedback"]["answer"] == POLICY_TEXT

    only_down = tmp_path / "down.jsonl"
    result = CliRunner().invoke(app, ["feedback", "export", "--out", str(only_down), "--rating", "down"])
    assert result.exit_code == 0, result.output
    assert [c.id for c in load_cases(only_down)] == ["feedback-2"]


def test_case_cites_only_the_passages_the_answer_marks() -> None:
    from bot.feedback import FeedbackRecord

    item = FeedbackIn(**rating(answer="可放宽至65岁[1]。"))
    case = to_eval_case(FeedbackRecord(id=7, created_at="2025-01-01T00:00:00+00:00", **item.model_dump()))
    assert [e["section"] for e in case["expected"]] == ["二、（五）"]


def test_page_and_assets_are_served_from_this_server_only(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<script type="module" src="/static/js/app.js">' in page.text
    js = client.get("/static/js/app.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/css/app.css").headers["content-type"].startswith("text/css")
    for bad in ("/static/../routes.py", "/static/%2e%2e/routes.py", "/static/nope.js"):
        resp = client.get(bad)
        assert resp.status_code == 404, bad
        assert resp.json()["error"]["code"] == "not_found"


def test_page_files_load_nothing_from_other_hosts() -> None:
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".html", ".js", ".css", ".svg"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", text))
        urls -= {"http://www.w3.org/2000/svg"}  # the SVG namespace name, never fetched
        assert not urls, f"{path.name} refers to other hosts: {urls}"
        assert "@import" not in text and "@font-face" not in text
