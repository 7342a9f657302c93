"""The composer on fixed hits: sentence choice, citations, vintage, refusal, tables."""

from __future__ import annotations

from bot.assistant.composer import Composer, SentencePicker, VintageRule, fmt_value, split_sentences
from bot.assistant.drafting import draft_letter
from retrieval.tokenize import tokenize
from tests.assistant.fakes import CHUNKS, FakeParks

BY_ID = {c["chunk_id"]: c for c in CHUNKS}
COMPOSER = Composer(
    SentencePicker(tokenize, quantity_cues=["多少", "年龄", "几年", "要求"]),
    vintage_rules=[VintageRule(doc="国科发火〔2013〕388号", section_prefix="附1", hint="到2020年")],
    lookup=lambda doc, section, hint: BY_ID["fa-a1-0"] if section == "附1" else None,
)


def test_the_answering_sentence_is_quoted_not_the_whole_chunk() -> None:
    hits = [BY_ID["gf7-05"], BY_ID["gf7-17"]]
    out = COMPOSER.policy_answer("外籍人才 申请工作许可的年龄 上限 多少", hits, {"covered": True})
    assert "申请工作许可的年龄可放宽至65岁。[1]" in out.text
    assert "共建共管现代产业学院" not in out.text  # same chunk, does not answer
    assert "知识产权质押融资" not in out.text  # the second hit does not answer either
    assert [c.chunk_id for c in out.citations] == ["gf7-05"]
    assert "国发〔2020〕7号" in out.text and "2020-07-13" in out.text and out.grounded


def test_each_passage_gets_its_own_number() -> None:
    hits = [BY_ID["gf7-17"], BY_ID["gy-5"]]
    out = COMPOSER.policy_answer("知识产权质押融资 风险投资", hits, {"covered": True})
    assert {c.chunk_id: c.n for c in out.citations} == {"gf7-17": 1, "gy-5": 2}
    assert "[1]" in out.text and "[2]" in out.text


def test_targets_of_attachment_1_carry_their_vintage() -> None:
    out = COMPOSER.policy_answer("世界一流高科技园区 企业研发投入占销售收入比例 要求", [BY_ID["fa-a1-1"]], {"covered": True})
    assert "企业研发投入占销售收入比例：8%[1]" in out.text
    # the year comes from the cited heading passage of 附1, not from the table
    assert "“到2020年”的阶段目标[2]" in out.text and "2013年印发" in out.text
    assert [c.chunk_id for c in out.citations] == ["fa-a1-1", "fa-a1-0"]


def test_not_covered_says_so_and_names_the_closest_documents() -> None:
    out = COMPOSER.policy_answer("小微企业贷款贴息截止日期", [BY_ID["gf7-17"]], {"covered": False, "score": 0.1})
    assert out.text.startswith("现有政策文件中没有找到")
    assert "《国务院关于促进国家高新技术产业开发区高质量发展的若干意见》" in out.text
    assert not out.grounded and out.citations == []


def test_english_questions_get_an_english_frame() -> None:
    out = COMPOSER.policy_answer("foreign talent 外籍人才 工作许可 age", [BY_ID["gf7-05"]], {"covered": True}, english=True)
    assert out.text.startswith("According to the policy documents")
    assert "65岁" in out.text
    refused = COMPOSER.policy_answer("visa fee", [BY_ID["gf7-05"]], {"covered": False}, english=True)
    assert refused.text.startswith("The current policy documents do not contain")


def test_table_rows_read_as_sentences() -> None:
    rows = split_sentences(BY_ID["fa-a1-2"]["text"])
    assert rows == ["从业人员中硕士和博士占比：8%", "国家级研发机构数：50", "服务收入占营业收入比例：35%"]


def test_ratios_show_as_per_cent_and_counts_with_their_unit() -> None:
    assert fmt_value(0.065, "%") == "6.5%"
    assert fmt_value(0.045, "比例") == "4.5%"
    assert fmt_value(61, "个") == "61 个"
    assert fmt_value(None) == "—"


def test_eligibility_table_cites_the_clause() -> None:
    result = FakeParks().eligibility("SYN-001", "innovative_sci_tech")
    out = COMPOSER.eligibility_answer(result, "青川高新区（SYNTHETIC）", BY_ID["fa-a1-2"], synthetic=True)
    assert "SYNTHETIC" in out.text.splitlines()[0]
    assert "国科发火〔2013〕388号 附1 二[1]" in out.text
    assert "| 1 | 从业人员中硕士和博士占比 | 8% | 6.5% | ❌ 未达到 | 1.5% |" in out.text
    assert "“到2020年”的阶段目标[2]" in out.text


def test_score_card_numbers_are_the_tools() -> None:
    card = FakeParks().score_card("SYN-002")
    out = COMPOSER.score_answer(card, BY_ID["fa-a2"])
    assert "**64.1**" in out.text and "排第 **2** 名" in out.text and "3 个园区" in out.text
    assert "| 1 | 知识创造和技术创新能力 | 30 | 81.25 | 1 |" in out.text
    assert "并非火炬中心官方评价结果" in out.text


def test_draft_letter_quotes_with_citations_and_leaves_placeholders() -> None:
    out = draft_letter(COMPOSER, "请起草一份复函：企业咨询知识产权质押融资", [BY_ID["gf7-17"]], {"covered": True})
    assert out.text.startswith("关于“企业咨询知识产权质押融资”有关问题的复函")
    assert "【企业名称】：" in out.text and "支持开展知识产权质押融资" in out.text and "[1]" in out.text
    for placeholder in ("【单位名称】", "【联系人】", "【联系电话】", "【日期】"):
        assert placeholder in out.text
    assert out.grounded and [c.chunk_id for c in out.citations] == ["gf7-17"]


def test_draft_letter_without_coverage_refers_the_enterprise_on() -> None:
    out = draft_letter(COMPOSER, "起草复函：企业咨询出口退税办理时限", [BY_ID["gf7-17"]], {"covered": False})
    assert "没有找到与该事项直接相关的规定" in out.text and not out.grounded
    assert "[1]" not in out.text and out.citations == []
