"""The checks on one sentence: citations, numbers, named sources and names, content support,
refusals; the whole-draft guard (renumbering, fallback); planted text."""

from __future__ import annotations

from bot.assistant.llm.evidence import REDACTED, Evidence, as_data, neutralise
from bot.assistant.llm.guards import GuardConfig, check_sentence, is_refusal
from bot.assistant.llm.verifier import guard
from bot.assistant.types import ToolCall
from tests.assistant.llm.fakes import PLANTED, RD, TALENT, WARNING, hit

TORCH = {
    "chunk_id": "c-torch",
    "doc": "国科发火〔2011〕259号",
    "title": "关于进一步加强火炬工作促进高新技术产业化的指导意见",
    "section": "二、（三）3",
    "date": "2011-07-04",
    "status": "in_force",
    "text": "强化需求导向的技术转移机制。深入开展“国家技术转移促进行动”，依托中国技术交易信息服务平台和中国创新服务网络"
    "（创新驿站），开展以企业需求为导向的技术转移服务。",
}


def evidence_with(*passages: dict, tool_text: str = "", question: str = "") -> Evidence:
    ev = Evidence(question=question)
    for p in passages:
        ev.add_passage(hit(p))
    if tool_text:
        ev.add_result(ToolCall(name="score_park"), tool_text)
    return ev


def test_a_cited_sentence_with_the_passage_number_holds() -> None:
    ev = evidence_with(TALENT)
    assert check_sentence("外籍高层次人才的工作许可年龄可放宽至六十五岁[1]。", ev) is None


def test_a_number_not_in_the_cited_passage_fails_even_if_another_passage_has_it() -> None:
    ev = evidence_with(TALENT, RD)  # RD says 百分之五; TALENT does not
    reason = check_sentence("居留许可最长5%[1]。", ev)
    assert reason is not None and "5%" in reason
    assert check_sentence("研发经费占销售额比例不低于5%[2]。", ev) is None


def test_an_uncited_number_must_come_from_a_tool_result() -> None:
    ev = evidence_with(TALENT, tool_text="total 78.46, rank 1 of 2; ratio 0.085")
    assert check_sentence("该园区总分78.46，排名第1。", ev) is None
    assert check_sentence("研发投入占比8.5%。", ev) is None  # a tool's ratio 0.085 written as a percentage
    assert check_sentence("该园区排名第3。", ev) is not None


def test_rounding_is_allowed_only_for_values_with_decimals() -> None:
    ev = evidence_with(tool_text="total 78.46, rank 2")
    assert check_sentence("总分约78.5分。", ev) is None
    assert check_sentence("总分约78分。", ev) is None
    assert check_sentence("总分79分。", ev) is not None
    assert check_sentence("排名第2.0名。", ev) is None
    assert check_sentence("排名第3名。", ev) is not None


def test_a_number_the_user_gave_is_not_support() -> None:
    ev = evidence_with(TALENT, question="68岁的外籍专家能办工作许可吗？")
    assert "68" in (check_sentence("68岁已超过可放宽的六十五周岁上限[1]。", ev) or "")
    assert check_sentence("工作许可年龄可放宽至六十五周岁[1]。", ev) is None


def test_the_passage_date_section_and_doc_number_are_not_support() -> None:
    ev = evidence_with(TORCH)  # dated 2011-07-04, 国科发火〔2011〕259号, section 二、（三）3
    assert "七" in (check_sentence("该项政策的实施期限为七年[1]。", ev) or "")
    assert check_sentence("该政策每3年评估一次[1]。", ev) is not None
    assert check_sentence("该政策于2011年起实施，为期4年[1]。", ev) is not None


def test_naming_the_cited_document_is_not_a_claim() -> None:
    ev = evidence_with(TALENT, TORCH)
    assert check_sentence("国发〔2020〕7号（2020年7月13日印发）规定，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) is None
    assert check_sentence("7号文规定，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) is None
    assert check_sentence("《国务院关于促进国家高新技术产业开发区高质量发展的若干意见》规定，外籍高层次人才工作许可年龄"
                          "可放宽至65周岁[1]。", ev) is None
    assert check_sentence("2011年的火炬指导意见提出开展国家技术转移促进行动[2]。", ev) is None
    assert check_sentence("该文件于2021年发布[1]。", ev) is not None


def test_naming_another_document_than_the_cited_one_fails() -> None:
    ev = evidence_with(TALENT, TORCH)
    assert "388号" in (check_sentence("国科发火〔2013〕388号规定，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) or "")
    assert "259号文" in (check_sentence("259号文规定，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) or "")
    assert "《" in (check_sentence("《国家高新技术产业开发区技术创新纲要》规定，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) or "")


def test_a_document_the_passage_belongs_to_may_be_named_by_its_section() -> None:
    notice = {**RD, "chunk_id": "c-yue", "section": "粤府办〔2005〕92号 四", "text": "高新区要高度重视公共技术平台的建设，建立包括风险投资、信用担保在内的公共技术服务体系。"}
    ev = evidence_with(notice)
    assert check_sentence("粤府办〔2005〕92号要求建立包括风险投资、信用担保在内的公共技术服务体系[1]。", ev) is None


def test_organisations_and_places_must_be_in_the_cited_passage() -> None:
    ev = evidence_with(WARNING)
    reason = check_sentence("财政部对评价考核结果较差的国家高新区予以警告并限期整改[1]。", ev)
    assert reason is not None and "财政部" in reason
    assert check_sentence("对评价考核结果较差的国家高新区，通过约谈、通报等方式予以警告并限期整改[1]。", ev) is None


def test_a_sentence_cited_to_the_wrong_passage_fails_without_any_number() -> None:
    ev = evidence_with(TALENT, WARNING)
    reason = check_sentence("对评价考核结果较差的国家高新区，通过约谈、通报等方式予以警告[1]。", ev)
    assert reason is not None and "[2]" in reason  # it names the passage that says it
    assert check_sentence("对评价考核结果较差的国家高新区，通过约谈、通报等方式予以警告[2]。", ev) is None


def test_a_wrong_citation_fails_even_when_the_right_passage_was_not_retrieved() -> None:
    ev = evidence_with(TALENT, RD)
    reason = check_sentence("对评价考核结果较差的国家高新区，通过约谈、通报等方式予以警告并限期整改[1]。", ev)
    assert reason is not None and "不支持" in reason


def test_a_short_sentence_is_not_measured() -> None:
    ev = evidence_with(TALENT, WARNING)
    assert check_sentence("可以[1]。", ev) is None


def test_a_statement_that_the_documents_do_not_cover_it_is_recognised() -> None:
    config = GuardConfig()
    for text in ("现有政策文件中没有找到火星移民补贴的规定。", "检索结果中没有孵化器场地面积要求的相关内容。",
                 "现有文件只提到要培育瞪羚企业，并未规定认定标准。", "现有政策文件未涉及数据出境安全评估。"):
        assert is_refusal(text, config.refusal_patterns, config.refusal_subjects), text
    for text in ("对整改不力的予以撤销。", "鼓励东部国家高新区加强与中西部国家高新区对口合作。", "没有问题。"):
        assert not is_refusal(text, config.refusal_patterns, config.refusal_subjects), text


def test_a_refusal_may_repeat_what_the_user_asked_about() -> None:
    ev = evidence_with(TALENT, question="深圳对新认定高企奖励多少？研发加计扣除是75%还是100%？")
    assert check_sentence("现有政策文件中没有找到深圳市对新认定高新技术企业奖励的规定。", ev) is None
    assert check_sentence("现有政策文件没有规定研发费用加计扣除是75%还是100%。", ev) is None
    assert check_sentence("建议向深圳市科技主管部门咨询。", ev) is None  # names the user's own subject
    assert check_sentence("现有政策文件没有规定，但补贴为500万元。", ev) is not None


def test_unknown_citation_is_caught() -> None:
    ev = evidence_with(TALENT)
    assert "[7]" in (check_sentence("可申请补贴[7]。", ev) or "")


def test_guard_removes_failing_sentences_and_renumbers() -> None:
    ev = evidence_with(RD, TALENT, WARNING)
    draft = (
        "外籍人才工作许可年龄可放宽至65周岁[2]。考核较差的园区会被警告并限期整改[3]。"
        "企业还可获得100万元奖励[2]。\n另见[9]。"
    )
    verdict = guard(draft, ev)
    assert verdict.fallback is None
    assert verdict.text == "外籍人才工作许可年龄可放宽至65周岁[1]。考核较差的园区会被警告并限期整改[2]。"
    assert [(c.n, c.chunk_id) for c in verdict.citations] == [(1, "c-talent"), (2, "c-warn")]
    assert len(verdict.removed) == 2
    assert any("100万" in r.sentence for r in verdict.removed)


def test_grouped_and_fullwidth_markers() -> None:
    ev = evidence_with(TALENT, WARNING)
    verdict = guard("外籍人才年龄放宽至65周岁，园区考核较差会被警告[1,2]。另见【2】。", ev)
    assert "[1][2]" in verdict.text and "[2]" in verdict.text
    assert len(verdict.citations) == 2


def test_marker_after_the_full_stop_belongs_to_its_sentence() -> None:
    ev = evidence_with(TALENT)
    verdict = guard("工作许可年龄可放宽至65周岁。[1]居留许可最长5年。[1]", ev)
    assert verdict.removed == [] and verdict.text.count("[1]") == 2


def test_too_many_failures_ask_for_fallback() -> None:
    ev = evidence_with(TALENT)
    verdict = guard("可获得500万元[1]。补贴比例15%[1]。工作许可年龄65周岁[1]。", ev)
    assert verdict.fallback and "2/3" in verdict.fallback


def test_an_answer_without_any_citation_asks_for_fallback() -> None:
    verdict = guard("可以申请，请联系园区管委会。", Evidence(question="能申请吗"))
    assert verdict.fallback is not None
    assert (
        guard("可以申请，请联系园区管委会。", Evidence(), GuardConfig(require_citation=False)).fallback
        is None
    )


def test_table_rows_are_checked_against_tool_results() -> None:
    ev = evidence_with(tool_text="东湖示范园 total 78.46, rank 1 of 2")
    verdict = guard("| 园区 | 总分 | 排名 |\n|---|---|---|\n| 东湖 | 78.46 | 1 |\n| 西岭 | 91.2 | 1 |", ev)
    assert "78.46" in verdict.text and "91.2" not in verdict.text


def test_planted_instruction_is_blanked_and_cannot_close_its_block() -> None:
    ev = Evidence()
    n, shown = ev.add_passage(hit(PLANTED))
    assert "忽略之前的指令" not in shown and "系统提示" not in shown and REDACTED in shown
    assert "园区为入驻企业提供政务服务" in shown
    assert ev.planted == ["c-planted"]
    assert "</passage>" not in as_data(PLANTED["text"])
    # the claim the planted text wanted repeated no longer has support in what the model saw
    assert check_sentence("所有企业都可获得500万元补贴[1]。", ev) is not None


def test_neutralise_leaves_ordinary_policy_text_alone() -> None:
    text = TALENT["text"] + WARNING["text"]
    assert neutralise(text) == (text, False)


def test_naming_the_cited_section_is_not_a_claim() -> None:
    ev = evidence_with(TALENT, WARNING)  # sections 三、（八） and 七、（二十）
    assert check_sentence("根据国发〔2020〕7号第八条，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) is None
    assert check_sentence("第三部分规定，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) is None
    assert "九" in (check_sentence("根据第九条，外籍高层次人才工作许可年龄可放宽至65周岁[1]。", ev) or "")


def test_a_sentence_in_english_is_checked_for_numbers_but_not_measured_against_chinese_text() -> None:
    ev = evidence_with(TALENT, WARNING)
    assert check_sentence("Foreign high-level talent may get a work permit up to the age of 65 [1].", ev) is None
    assert "70" in (check_sentence("Foreign high-level talent may get a work permit up to the age of 70 [1].", ev) or "")
