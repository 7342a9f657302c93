"""The app manifest asks for what the code uses; the Block Kit renderer keeps Slack's limits."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.assistant.types import Answer, Citation, EligibilityCheck, ParkRef, ScoreLookup, ToolCall
from bot.channels.slack.app import slash_request
from bot.channels.slack.render import answer_messages, citation_context, mrkdwn, split_text
from tests.support.results import eligibility_report, score_card

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_events_have_listeners_and_scopes_match() -> None:
    manifest = yaml.safe_load((ROOT / "config/slack/manifest.yaml").read_text(encoding="utf-8"))
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert events == {"app_mention", "message.im"}
    assert scopes == {"app_mentions:read", "chat:write", "im:history", "commands", "files:write"}
    source = (ROOT / "bot/channels/slack/app.py").read_text(encoding="utf-8")
    assert '@app.event("app_mention")' in source and '@app.event("message")' in source  # S8
    assert manifest["features"]["slash_commands"][0]["command"] == "/parkbot"


def _cit(n: int) -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", doc="国发〔2020〕7号", title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
                    section=f"三、（{n}）", text="…")


def test_citations_fill_context_blocks_of_at_most_ten() -> None:
    blocks = citation_context([_cit(i) for i in range(1, 13)], "https://parkbot.example.org")
    assert [len(b["elements"]) for b in blocks] == [10, 2]
    assert "https://parkbot.example.org/?passage=c1" in blocks[0]["elements"][0]["text"]
    assert "国发〔2020〕7号" in blocks[0]["elements"][0]["text"]


def test_every_message_has_fallback_text_and_respects_limits() -> None:
    answer = Answer(conversation_id="c", answer=("第一段。" * 900 + "\n\n") * 3, citations=[_cit(1)])
    messages = answer_messages(answer)
    for message in messages:
        assert message["text"]
        assert len(message["text"]) <= 4000
        assert len(message["blocks"]) <= 50
        for block in message["blocks"]:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= 3000
    joined = "".join(b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section" and "text" in b)
    assert joined.replace("\n", "") == answer.answer.replace("\n", "")


def test_score_card_and_eligibility_render_as_fields_and_table() -> None:
    card = score_card(park_id="SYN-001", name="示例高新区", total=61.234, rank=3, cohort_size=60, synthetic=True,
                      registry="GKFH-2013-388-A2", method="minmax",
                      primaries=[{"code": "1", "name": "知识创造和技术创新能力", "weight": 30, "score": 70.5, "rank": 2}])
    elig = eligibility_report(category="创新型科技园区", overall="fail", citation={"doc": "国科发火〔2013〕388号", "section": "附1 二"},
                              targets=[{"no": 6, "name": "服务收入占营业收入比例", "threshold": 0.35, "unit": "比例",
                                        "value": 0.349, "met": False, "gap": 0.001}])
    park = ParkRef(park_id="SYN-001", name="示例高新区")
    answer = Answer(conversation_id="c", answer="见下表。",
                    tool_calls=[ToolCall(name="score_park", result=ScoreLookup(park=park, card=card)),
                                ToolCall(name="check_eligibility", result=EligibilityCheck(park=park, eligibility=elig))])
    blocks = answer_messages(answer)[0]["blocks"]
    text = str(blocks)
    assert "SYNTHETIC" in text and "61.23" in text and "3 / 60" in text
    assert "服务收入占营业收入比例: 34.9% / ≥ 35% ✗ 未达标 差 0.1%" in text and "附1 二" in text
    assert "非火炬中心官方结果" in text


def test_mrkdwn_escapes_and_converts_bold() -> None:
    assert mrkdwn("**重点** <b> & x") == "*重点* &lt;b&gt; &amp; x"


def test_split_text_prefers_sentence_ends() -> None:
    pieces = split_text("甲。" * 2000, 3000)
    assert all(len(p) <= 3000 for p in pieces) and all(p.endswith("。") for p in pieces)


def test_slash_command_verbs() -> None:
    assert slash_request("help") is None and slash_request("") is None
    assert slash_request("ask 高企研发投入比例") == ("高企研发投入比例", "answer")
    assert slash_request("draft 来函内容") == ("来函内容", "draft")
    message, mode = slash_request("check 示例高新区 创新型科技园区")  # type: ignore[misc]
    assert "示例高新区" in message and "创新型科技园区" in message and mode == "answer"
