"""Numbers as the guards read them: a claim and its evidence written differently still compare."""

from __future__ import annotations

import pytest

from bot.assistant.numbers import allowed_numbers, claimed_numbers, cn_to_int, number_supported


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
        ("引进超过3,000名海外高层次人才", "引进超过三千名海外高层次人才"),
        ("人均增加值达到70万元", "人均增加值 700000 元"),
        ("有效期不超过五年", "有效期不超过5年"),
        ("约占总和的三分之一", "约占总和的约1／3"),
        ("三分之二的国家高新区获得认证", "2/3的国家高新区获得认证"),
        ("火炬计划已开展二十多年", "火炬计划工作开展二十多年来"),
        ("火炬计划已开展20多年", "火炬计划工作开展二十多年来"),
        ("集聚了七十余家孵化器", "集聚了70家孵化器"),
        ("培育十五个左右产业集群", "培育形成15个左右规模超过1000亿元的集群"),
        ("选择一至三个产业集群", "选择确定1-3个战略性新兴产业集群"),
        ("投入三百多万元", "投入300万元以上"),
        ("有十几家机构", "有十几家机构"),
        # an inline item number run into the figure that opens the item is item 3, then 863
        ("863计划引导资金支持产业化项目", "2.创新基金支持中小企业；3.863计划引导资金支持产业化项目；"),
    ],
)
def test_equivalent_writings_match(claim: str, evidence: str) -> None:
    claims = claimed_numbers(claim)
    assert claims, f"{claim!r} should claim a number"
    assert all(number_supported(c, allowed_numbers(evidence)) for c in claims)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("集聚了七十余家孵化器", "集聚了60家孵化器"),
        ("建设期三至五年", "建设期3年"),  # the upper end of a range is a claim too
        ("占总和的三分之一", "占总和的1/4"),
        ("有十几家机构", "有几十家机构"),
        ("比例不低于百分之六", "比例不低于5%"),
        ("增长3.5倍", "一是增长较快；3.6倍于全国平均"),  # a real decimal after a clause stays one number
    ],
)
def test_different_numbers_do_not_match(claim: str, evidence: str) -> None:
    allowed = allowed_numbers(evidence)
    assert not all(number_supported(c, allowed) for c in claimed_numbers(claim))


@pytest.mark.parametrize(
    "claim", ["建设世界一流高科技园区", "“十二五”期间加快发展", "形成一批创新集群", "十分重要", "一是加强统筹"]
)
def test_words_that_contain_numerals_are_not_claims(claim: str) -> None:
    assert claimed_numbers(claim) == set()


def test_list_markers_and_citations_are_not_claims() -> None:
    assert claimed_numbers("1. 外籍人才可以办理居留许可[3]。") == set()


def test_a_tool_ratio_may_be_written_as_a_percentage_and_decimals_rounded() -> None:
    allowed = allowed_numbers("ratio 0.085, total 78.46", ratios=True)
    assert {"pct:8.5", "78.46"} <= allowed
    assert number_supported("78.5", allowed) and number_supported("78", allowed)
    assert not number_supported("79", allowed)
