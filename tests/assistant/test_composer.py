"""The composer on fixed hits: sentence choice, citations, vintage, refusal, tables."""

from __future__ import annotations

import re

from bot.assistant.formatting import fmt_value
from bot.assistant.offline.drafting import draft_letter
from bot.assistant.offline.notes import VintageRule
from bot.assistant.offline.policy import PolicyComposer
from bot.assistant.offline.sentences import SentencePicker, split_sentences
from bot.assistant.offline.tool_answers import ToolAnswers
from bot.assistant.types import EligibilityCheck
from retrieval.models import Hit
from retrieval.tokenize import tokenize
from tests.assistant.fakes import CHUNKS, PARKS, FakeParks
from tests.support.results import coverage

BY_ID = {c["chunk_id"]: Hit(score=1.0, **c) for c in CHUNKS}
COVERED, NOT_COVERED = coverage(True), coverage(False, 0.1)
COMPOSER = PolicyComposer(
    SentencePicker(tokenize, quantity_cues=["多少", "年龄", "几年", "要求"]),
    vintage_rules=[VintageRule(doc="国科发火〔2013〕388号", section_prefix="附1", hint="到2020年")],
    lookup=lambda doc, section, hint: BY_ID["fa-a1-0"] if section == "附1" else None,
)
ANSWERS = ToolAnswers(COMPOSER)


def test_the_answering_sentence_is_quoted_not_the_whole_chunk() -> None:
    hits = [BY_ID["gf7-05"], BY_ID["gf7-17"]]
    out = COMPOSER.policy_answer("外籍人才 申请工作许可的年龄 上限 多少", hits, COVERED)
    assert "申请工作许可的年龄可放宽至65岁。[1]" in out.text
    assert "共建共管现代产业学院" not in out.text  # same chunk, does not answer
    assert "知识产权质押融资" not in out.text  # the second hit does not answer either
    assert [c.chunk_id for c in out.citations] == ["gf7-05"]
    assert "国发〔2020〕7号" in out.text and "2020-07-13" in out.text and out.grounded


def test_each_passage_gets_its_own_number() -> None:
    hits = [BY_ID["gf7-17"], BY_ID["gy-5"]]
    out = COMPOSER.policy_answer("知识产权质押融资 风险投资", hits, COVERED)
    assert {c.chunk_id: c.n for c in out.citations} == {"gf7-17": 1, "gy-5": 2}
    assert "[1]" in out.text and "[2]" in out.text


def test_targets_of_attachment_1_carry_their_vintage() -> None:
    out = COMPOSER.policy_answer("世界一流高科技园区 企业研发投入占销售收入比例 要求", [BY_ID["fa-a1-1"]], COVERED)
    assert "企业研发投入占销售收入比例：8%[1]" in out.text
    # the year comes from the cited heading passage of 附1, not from the table
    assert "“到2020年”的阶段目标[2]" in out.text and "2013年印发" in out.text
    assert [c.chunk_id for c in out.citations] == ["fa-a1-1", "fa-a1-0"]


def test_not_covered_says_so_and_names_the_closest_documents() -> None:
    out = COMPOSER.policy_answer("小微企业贷款贴息截止日期", [BY_ID["gf7-17"]], NOT_COVERED)
    assert out.text.startswith("现有政策文件中没有找到")
    assert "《国务院关于促进国家高新技术产业开发区高质量发展的若干意见》" in out.text
    assert not out.grounded and out.citations == []


def test_english_questions_get_an_english_frame() -> None:
    out = COMPOSER.policy_answer("foreign talent 外籍人才 工作许可 age", [BY_ID["gf7-05"]], COVERED, english=True)
    assert out.text.startswith("**Answer:** 国发〔2020〕7号: “申请工作许可的年龄可放宽至65岁”[1]")
    assert "\nSources:\n" in out.text
    assert "65岁" in out.text
    refused = COMPOSER.policy_answer("visa fee", [BY_ID["gf7-05"]], NOT_COVERED, english=True)
    assert refused.text.startswith("The current policy documents do not contain")


def test_table_rows_read_as_sentences() -> None:
    rows = split_sentences(BY_ID["fa-a1-2"].text)
    assert rows == ["从业人员中硕士和博士占比：8%", "国家级研发机构数：50", "服务收入占营业收入比例：35%"]


def test_ratios_show_as_per_cent_and_counts_with_their_unit() -> None:
    assert fmt_value(0.065, "%") == "6.5%"
    assert fmt_value(0.045, "比例") == "4.5%"
    assert fmt_value(61, "个") == "61 个"
    assert fmt_value(None) == "—"


def test_eligibility_table_cites_the_clause() -> None:
    report = FakeParks().eligibility("SYN-001", "innovative_sci_tech")
    out = ANSWERS.eligibility(EligibilityCheck(park=PARKS[0], eligibility=report), BY_ID["fa-a1-2"])
    assert "SYNTHETIC" in out.text.splitlines()[0]
    assert "国科发火〔2013〕388号 附1 二[1]" in out.text
    assert "| 1 | 从业人员中硕士和博士占比 | ≥ 8% | 6.5% | ✗ 未达到 | 1.5% |" in out.text
    assert "| 2 | 国家级研发机构数 | ≥ 50 个 | 61 个 | ✓ 达到 |  |" in out.text
    assert "“到2020年”的阶段目标[2]" in out.text


def test_score_card_numbers_are_the_tools() -> None:
    card = FakeParks().score_card("SYN-002")
    out = ANSWERS.score(card, BY_ID["fa-a2"])
    assert "**64.1**" in out.text and "排第 **2** 名" in out.text and "3 个园区" in out.text
    assert "| 1 | 知识创造和技术创新能力 | 30 | 81.25 | 1 |" in out.text
    assert "并非火炬中心官方评价结果" in out.text


def test_draft_letter_quotes_with_citations_and_leaves_placeholders() -> None:
    out = draft_letter(COMPOSER, "请起草一份复函：企业咨询知识产权质押融资", [BY_ID["gf7-17"]], COVERED)
    assert out.text.startswith("关于知识产权质押融资相关政策咨询的复函")  # the topic, not the enquiry's wording
    assert "【企业名称】：" in out.text and "支持开展知识产权质押融资" in out.text and "[1]" in out.text
    for placeholder in ("【单位名称】", "【联系人】", "【联系电话】", "【日期】"):
        assert placeholder in out.text
    assert out.grounded and [c.chunk_id for c in out.citations] == ["gf7-17"]


def test_draft_letter_without_coverage_refers_the_enterprise_on() -> None:
    out = draft_letter(COMPOSER, "起草复函：企业咨询出口退税办理时限", [BY_ID["gf7-17"]], NOT_COVERED)
    assert "没有找到与该事项直接相关的规定" in out.text and not out.grounded
    assert "[1]" not in out.text and out.citations == []


# -- kinds of answer, refusals on the assistant side, quoting hygiene ------------------------------

def _typed_composer() -> PolicyComposer:
    """The composer with the answer kinds of config/assistant/intents.yaml."""
    from bot.assistant.offline.backend import build_offline_backend

    return build_offline_backend(None, None).policy


SIGNED = Hit(score=1.0, chunk_id="gf7-sig", doc="国发〔2020〕7号", title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
              date="2020-07-13", section="", text="（此件公开发布）各地区各部门要结合实际认真贯彻落实。\n国务院\n2020年7月13日")
FORWARD = Hit(score=1.0, chunk_id="fa-0", doc="国科发火〔2013〕388号", title="国家高新技术产业开发区创新驱动战略提升行动实施方案",
               date="2013-03-12", section="", text="落实《意见》（中发[2012]6号）和科技部《指导意见》（国科发火[2011]259号）的要求，组织实施战略提升行动。")


def test_a_question_about_an_amount_is_not_answered_by_a_clause_on_the_topic() -> None:
    composer = _typed_composer()
    # the clause on 高企 tax relief names the topic but no rate: say so rather than quote it
    hits = [Hit(score=1.0, chunk_id="gf7-07", doc="国发〔2020〕7号", title="国务院关于促进国家高新技术产业开发区高质量发展的若干意见",
                 date="2020-07-13", section="三、（七）", text="落实好研发费用加计扣除、高新技术企业所得税减免、小微企业普惠性税收减免等政策。")]
    out = composer.policy_answer("高企认定之后企业所得税按多少税率交", hits, COVERED)
    # the topic is there, the rate is not: say exactly that, citing the clause on the topic
    assert not out.grounded and [c.chunk_id for c in out.citations] == ["gf7-07"]
    assert out.text.startswith("国发〔2020〕7号提到“落实好研发费用加计扣除、高新技术企业所得税减免")
    assert "[1]，但没有规定具体比例或税率" in out.text
    money = composer.policy_answer("企业入驻孵化器房租能补贴多少钱", [BY_ID["gy-5"]], COVERED)
    assert not money.grounded and "但没有规定具体金额" in money.text
    english = composer.policy_answer("How much cash does a newly certified enterprise get? 高新技术企业 奖励",
                                     [BY_ID["fa-a1-2"]], COVERED, english=True)
    assert not english.grounded and "does not state the amount asked for" in english.text
    # a question whose kind of answer is there is answered
    years = composer.policy_answer("外国人才居留许可最长能批几年", [BY_ID["gf7-05"]], COVERED)
    assert years.grounded and "5年以内的居留许可" in years.text


def test_the_sentence_giving_the_asked_date_is_quoted_with_its_passage() -> None:
    out = _typed_composer().policy_answer("国发〔2020〕7号是哪天印发的", [SIGNED], COVERED)
    assert out.grounded and "国务院 2020年7月13日[1]" in out.text
    assert [c.chunk_id for c in out.citations] == ["gf7-sig"]


def test_strong_wording_overrules_a_low_coverage_signal_weak_wording_does_not() -> None:
    composer = _typed_composer()
    strong = composer.policy_answer("银行能在高新区设立科技支行吗", [BY_ID["gf7-17"]], coverage(False, 0.15))
    assert strong.grounded and "鼓励商业银行在国家高新区设立科技支行。[1]" in strong.text
    weak = composer.policy_answer("园区食堂的伙食标准", [BY_ID["gf7-17"]], coverage(False, 0.15))
    assert not weak.grounded and weak.text.startswith("现有政策文件中没有找到")


def test_bracketed_years_in_quotes_never_read_as_citation_markers() -> None:
    out = _typed_composer().policy_answer("战略提升行动是落实哪些文件要求", [FORWARD], COVERED)
    assert "中发〔2012〕6号" in out.text and "国科发火〔2011〕259号" in out.text
    assert set(re.findall(r"\[(\d+)\]", out.text)) == {"1"}


def test_an_issuer_line_runs_on_into_its_date() -> None:
    assert split_sentences(SIGNED.text)[-1] == "国务院 2020年7月13日"


def test_an_english_what_if_answer_is_english_throughout() -> None:
    from bot.assistant.types import WhatIfOutcome
    from scoring import IndicatorChange

    summary, before, after, _ = FakeParks().what_if("SYN-001", {"2.2": "40%"})
    rows = [IndicatorChange(code="2.2", name="服务收入占营业总收入比例", before=0.31, after=0.4, contribution_delta=0.92)]
    result = WhatIfOutcome(park=PARKS[0], changes={"2.2": "40%"}, summary=summary, before=before, after=after,
                           indicators=rows)
    english = ANSWERS.what_if(result, english=True).text
    assert "| code | indicator | now | what-if | contribution change |" in english
    assert "现值" not in english and "综合得分" not in english and "2.2 → 40%" in english
    chinese = ANSWERS.what_if(result).text
    assert "| 代码 | 指标 | 现值 | 假设值 | 贡献变化 |" in chinese and "| 2.2 | 服务收入占营业总收入比例 | 0.31 | 0.4 | 0.92 |" in chinese


def test_a_refused_park_is_worded_in_the_question_s_language() -> None:
    from bot.assistant.types import ToolFailure

    refused = ToolFailure(code="park_forbidden", message="此令牌无权查看 SYN-002。", wording="park_forbidden",
                          params={"park": "SYN-002"})
    assert ANSWERS.failure(refused).text == "此令牌无权查看 SYN-002。"
    assert ANSWERS.failure(refused, english=True).text == "This token may not see SYN-002."
    assert not ANSWERS.failure(refused).grounded


def test_a_list_question_gets_every_thing_of_that_kind_the_document_names_each_cited() -> None:
    torch = dict(doc="国科发火〔2011〕259号", doc_number="国科发火〔2011〕259号", title="关于进一步加强火炬工作 促进高新技术产业化的指导意见",
                 date="2011-07-04", score=1.0)
    hits = [Hit(chunk_id="t-a", section="二、（一）2", text="发挥火炬计划特色产业基地的作用，推动传统产业的技术升级。", **torch),
            Hit(chunk_id="t-b", section="二、（一）1", text="实施“创新型产业集群建设工程”，培育一批创新型产业集群。", **torch),
            Hit(chunk_id="t-c", section="二、（三）1", text="实施“科技服务体系火炬创新工程”，完善科技服务体系。", **torch)]
    out = COMPOSER.policy_answer("259号文 火炬工程", hits, COVERED, question="259号文提出了哪几项火炬工程")
    first = out.text.splitlines()[0]
    assert first.startswith("**答：**国科发火〔2011〕259号提出的火炬工程共 2 项：“创新型产业集群建设工程”[")
    assert "“科技服务体系火炬创新工程”[" in first and out.grounded
    cited = {c.n: c.chunk_id for c in out.citations}
    assert {cited[int(n)] for n in re.findall(r"\[(\d+)\]", first)} == {"t-b", "t-c"}
    by_chunk = {c.chunk_id: c.n for c in out.citations}
    body = out.text.splitlines()[1:]
    for sentence, chunk in (("实施“创新型产业集群建设工程”，培育一批创新型产业集群。", "t-b"),
                            ("实施“科技服务体系火炬创新工程”，完善科技服务体系。", "t-c")):
        assert body.count(f"- {sentence}[{by_chunk[chunk]}]") == 1  # each listed thing quoted once, cited
    single = COMPOSER.policy_answer("259号文 火炬工程", hits[:2], COVERED, question="259号文提出了哪几项火炬工程")
    assert "共 1 项" not in single.text  # one named thing is no list: the usual answer


def test_the_refusal_thresholds_come_from_the_question_rules() -> None:
    """A sentence holding most of the question answers it though the coverage signal says "not
    covered" only when the configured trust overlap (config/assistant/question.yaml) allows."""
    from bot.assistant.offline.policy import default_reader
    from bot.assistant.offline.question import QuestionConfig, RefusalRules

    def composer(trust: float) -> PolicyComposer:
        config = QuestionConfig.load().model_copy(update={"refusal": RefusalRules(min_overlap=0.12, trust_reach=trust)})
        return PolicyComposer(SentencePicker(tokenize, quantity_cues=["多少"]), reader=default_reader(config))

    question = "外籍人才 申请工作许可的年龄 上限 多少"
    trusting = composer(0.3).policy_answer(question, [BY_ID["gf7-05"]], NOT_COVERED)
    assert trusting.grounded and "65岁" in trusting.text
    doubting = composer(0.99).policy_answer(question, [BY_ID["gf7-05"]], NOT_COVERED)
    assert not doubting.grounded and doubting.text.startswith("现有政策文件中没有找到")


def test_a_sentence_sharing_one_everyday_word_with_an_off_topic_question_is_not_trusted() -> None:
    """"红烧肉怎么做" shares only 怎么 with the passages. Among the words some sentence holds, that is all of
    its overlap; among all the question's words it is next to nothing, and the answer is refused."""
    hit = Hit(score=1.0, **{**next(c for c in CHUNKS if c["chunk_id"] == "gf7-05"),
                            "text": "对于具备条件的企业，要研究怎么简化审批流程。"})
    out = COMPOSER.policy_answer("红烧肉怎么做", [hit], NOT_COVERED)
    assert not out.grounded and out.text.startswith("现有政策文件中没有找到"), out.text
    # the same passage for a question it does address is trusted though the signal doubts it
    asked = COMPOSER.policy_answer("具备条件的企业怎么简化审批流程", [hit], NOT_COVERED)
    assert asked.grounded and "简化审批流程" in asked.text, asked.text


def test_a_labelled_field_stays_with_the_record_it_completes() -> None:
    from bot.assistant.offline.sentences import split_sentences

    row = "三级指标 27.门诊收入占医疗收入比例 指标性质 定量 计算方法：门诊收入/医疗收入×100%。 指标来源：财务年报表。"
    assert split_sentences(row) == [row]  # the source is part of the indicator's record
    assert split_sentences("第一条 为了示范，制定本办法。第二条 本办法所称：甲。") == ["第一条 为了示范，制定本办法。", "第二条 本办法所称：甲。"]
