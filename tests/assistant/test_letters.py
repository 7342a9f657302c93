"""Reply letters: a subject that names the topic, only clauses that answer (provisions as 规定, aims
as 提出, no statements of past achievement), and plans or documents no longer current flagged."""

from __future__ import annotations

from datetime import date

import pytest

from bot.assistant.offline.backend import build_offline_backend
from bot.assistant.offline.drafting import LetterRules, clause_kind, draft_letter, enquiry_topic
from retrieval.models import Hit
from tests.assistant.fakes import CHUNKS
from tests.support.results import coverage

POLICY = build_offline_backend(None, None).policy
RULES = LetterRules.load()
BY_ID = {c["chunk_id"]: Hit(score=1.0, **c) for c in CHUNKS}
PLAN = Hit(score=1.0, chunk_id="sw-3", doc="国家高新技术产业开发区“十二五”发展规划纲要", title="国家高新技术产业开发区“十二五”发展规划纲要",
           section="三、（四）", text="鼓励各创业服务中心、留学人员创业园和大学科技园等服务机构的建设，支持社会力量参与创办各类专业孵化器。")
ACHIEVED = Hit(score=1.0, chunk_id="gy-1", doc="国科发火字〔2005〕16号", title="国家高新技术产业开发区技术创新纲要",
               date="2005-01-13", section="一", text="2003年，国家高新区企业年投入R&D资金420亿元，占全国企业年投入R&D资金的31.5%。")


@pytest.mark.parametrize(("message", "topic"), [
    ("某企业来函咨询入驻孵化器有哪些政策支持", "入驻孵化器"),
    ("请起草一份复函：企业咨询知识产权质押融资", "知识产权质押融资"),
    ("请拟一份复函，答复企业关于专业园建设规划目标的咨询", "专业园建设规划目标"),
    ("帮忙写个回复：园区企业想了解海外高层次人才引进方面有什么支持", "海外高层次人才引进"),
    ("请起草一份复函：我们是一家外资研发中心，想问外籍专家超过60岁还能不能办工作许可", "外籍专家办工作许可"),
])
def test_the_subject_names_the_topic_not_the_enquiry_word_for_word(message: str, topic: str) -> None:
    assert enquiry_topic(message, RULES) == topic


def test_a_subject_that_would_carry_only_figures_or_nothing_is_general() -> None:
    assert enquiry_topic("请起草一份复函：2020年？", RULES) == ""
    letter = draft_letter(POLICY, "请起草一份复函：2020年？", [], None)
    assert letter.text.startswith("关于来函所询事项的复函")


@pytest.mark.parametrize(("text", "kind"), [
    ("在园区内企业工作的外国人才，可按规定申办5年以内的居留许可。", "rule"),
    ("高新技术企业R&D经费，不能低于年产品销售额的5％；", "rule"),
    ("到2015年，建设200个特色产业园。", "aim"),
    ("到2010年应达到10％", "rule"),  # a target set, not one reached
    ("2003年，国家高新区企业年投入R&D资金420亿元，占全国企业年投入R&D资金的31.5%。", "retrospective"),
])
def test_clauses_are_told_apart(text: str, kind: str) -> None:
    assert clause_kind(text, RULES) == kind


def test_a_provision_is_cited_as_such_and_a_statement_of_past_achievement_not_at_all() -> None:
    letter = draft_letter(POLICY, "请起草复函：企业咨询高新技术企业R&D经费占年产品销售额比例有什么要求", [ACHIEVED, BY_ID["gy-5"]],
                          coverage(True))
    assert letter.grounded and "规定：“" in letter.text and "高新技术企业R&D经费，不能低于年产品销售额的5％" in letter.text
    assert "31.5%" not in letter.text and [c.chunk_id for c in letter.citations][0] == "gy-5"


def test_an_ended_plan_is_flagged_and_the_basis_is_not_called_current() -> None:
    enquiry = "请起草复函：企业咨询社会力量创办专业孵化器有什么支持"
    later = draft_letter(POLICY, enquiry, [PLAN], coverage(True), today=date(2024, 5, 1))
    assert "现行政策文件" not in later.text.split("\n\n说明")[0] or "有关政策文件" in later.text
    assert "依据有关政策文件" in later.text and "规划期已于2015年结束" in later.text
    assert later.text.startswith("关于社会力量创办专业孵化器相关政策咨询的复函")
    during = draft_letter(POLICY, enquiry, [PLAN], coverage(True), today=date(2013, 5, 1))
    assert "依据现行政策文件" in during.text and "规划期" not in during.text


def test_a_superseded_document_is_flagged() -> None:
    old = BY_ID["gf7-17"].model_copy(update={"status": "superseded", "superseded_by": "国发〔2030〕1号"})
    letter = draft_letter(POLICY, "请起草一份复函：企业咨询知识产权质押融资", [old], coverage(True))
    assert "已被 国发〔2030〕1号 替代" in letter.text and "依据有关政策文件" in letter.text
