"""The group robot webhook: byte limits, rate limit, errors, and `parkbot push`."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from bot.channels.wecom.render import split_utf8
from bot.channels.wecom.webhook import RobotWebhook, WebhookError


def _recording_client(replies: list[dict] | None = None) -> tuple[httpx.Client, list[dict]]:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        body = replies.pop(0) if replies else {"errcode": 0, "errmsg": "ok"}
        return httpx.Response(200, json=body)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def test_markdown_is_split_within_4096_bytes_and_reassembles() -> None:
    client, seen = _recording_client()
    content = "## 园区周报\n" + "高新技术企业研发投入占销售收入比例不低于5%。\n" * 200
    count = RobotWebhook("https://robot.example/send?key=k", client).push(content)
    assert count == len(seen) > 1
    pieces = [m["markdown"]["content"] for m in seen]
    assert all(len(p.encode()) <= 4096 for p in pieces)
    assert "".join(pieces) == content


def test_text_limit_is_2048_bytes() -> None:
    client, seen = _recording_client()
    RobotWebhook("https://robot.example/send?key=k", client).push("字" * 1500, "text")
    assert [len(m["text"]["content"].encode()) <= 2048 for m in seen] == [True, True, True]


def test_twenty_first_message_in_a_minute_waits() -> None:
    client, seen = _recording_client()
    now = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    hook = RobotWebhook("https://robot.example/send?key=k", client, sleep=sleep, clock=lambda: now[0])
    for _ in range(21):
        hook.push("ping")
    assert len(seen) == 21
    assert waits and abs(sum(waits) - 60.0) < 1e-6


def test_refused_message_raises_with_the_errcode() -> None:
    client, _ = _recording_client([{"errcode": 93000, "errmsg": "invalid webhook url"}])
    with pytest.raises(WebhookError, match="93000"):
        RobotWebhook("https://robot.example/send?key=bad", client).push("hi")


def test_split_never_cuts_a_character() -> None:
    text = "𠀀中文😀abc" * 500
    for limit in (4, 5, 7, 100, 2048):
        pieces = split_utf8(text, limit)
        assert "".join(pieces) == text
        assert all(len(p.encode()) <= limit for p in pieces)


def test_push_command_reports_bad_url_readably() -> None:
    from bot.cli import app

    result = CliRunner().invoke(app, ["push", "--webhook", "not-a-url", "hello"])
    assert result.exit_code == 1
    assert "http" in result.output
