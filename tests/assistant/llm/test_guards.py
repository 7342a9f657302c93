"""The guards on their own: number normalisation, citation checks, renumbering, planted text."""

from __future__ import annotations

import pytest

from bot.assistant.llm.guards import (
    REDACTED,
    Evidence,
    GuardConfig,
    allowed_numbers,
    as_data,
    check_sentence,
    claimed_numbers,
    cn_to_int,
    guard,
    neutralise,
)
from bot.assistant.types import ToolCall
from tests.assistant.llm.fakes import PLANTED, RD, TALENT, WARNING, hit


def evidence_with(*passages: dict, tool_text: str = "", question: str = "") -> Evidence:
    ev = Evidence(question=question)
    for p in passages:
        ev.add_passage(hit(p))
    if tool_text:
        ev.add_result(ToolCall(name="score_park"), tool_text)
    return ev


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("六十五", 65),
        ("二〇二〇", 2020),
        ("两千", 2000),
        ("一百二十万", 1_200_000),
        ("十二", 12),
        ("一千亿", 10**11),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert cn_to_int(text) == value


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("工作许可年龄放宽至65岁", "年龄可放宽至六十五周岁"),
        ("比例不低于5%", "比例不低于百分之五"),
        ("比例不低于百分之五", "比例不低于5%"),
        ("年龄可放宽至６５周岁", "年龄可放宽至65周岁"),
        ("目标为2,000家", "目标为2000家"),
        ("人均增加值达到70万元", "人均增加值 700000 元"),
        ("有效期不超过五年", "有效期不超过5年"),
    ],
)
def test_equivalent_writings_match(claim: str, evidence: str) -> None:
    assert claimed_numbers(claim) <= allowed_numbers(evidence)


@pytest.mark.parametrize(
    "claim", ["建设世界一流高科技园区", "“十二五”期间加快发展", "形成一批创新集群", "十分重要"]
)
def test_words_that_contain_numerals_are_not_claims(claim: str) -> None:
    assert claimed_numbers(claim) == set()


def test_list_markers_and_citations_are_not_claims() -> None:
    assert claimed_numbers("1. 外籍人才可以办理居留许可[3]。") == set()


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


def test_a_number_the_user_gave_may_be_repeated() -> None:
    ev = evidence_with(TALENT, question="68岁的外籍专家能办工作许可吗？")
    assert check_sentence("68岁已超过可放宽的六十五周岁上限[1]。", ev) is None


def test_dates_and_doc_numbers_come_from_the_passage_metadata() -> None:
    ev = evidence_with(TALENT)
    assert check_sentence("国发〔2020〕7号（2020年7月13日）规定了这一点[1]。", ev) is None
    assert check_sentence("该文件于2021年发布[1]。", ev) is not None


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
    ev = evidence_with(tool_text="total 78.46, rank 1 of 2")
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
