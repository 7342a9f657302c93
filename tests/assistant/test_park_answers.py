"""Park and structured answers over the fakes, as a park officer reads them: the answer first, every
row of the category asked and none of another, the primary in question, parks side by side, the
year of the data, and parks or categories that do not exist."""

from __future__ import annotations

import re

from bot.assistant.types import CategoryTargets, IndicatorSystem, ToolFailure
from bot.services import Services
from tests.assistant.conftest import ask, assert_citations_resolve, assert_numbers_sourced
from tests.assistant.fakes import FakeParks

SCI_TECH_ROWS = "fa-a1-2"  # the 附1 二 rows of the fakes: 硕博 8%, 研发机构 50, 服务收入 35%


def _cited(a, marker_line: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The chunk ids cited on the lines that contain ``marker_line``."""
    ns = {int(n) for line in a.answer.splitlines() if marker_line in line for n in re.findall(r"\[(\d+)\]", line)}
    return {c.chunk_id for c in a.citations if c.n in ns}


def test_a_categorys_targets_come_complete_each_row_cited_and_the_follow_up_swaps_the_category(services: Services) -> None:
    first = ask(services, "创新型科技园区要达到哪些指标")
    assert first.intent == "targets" and first.grounded
    assert first.answer.splitlines()[0].startswith("**创新型科技园区**的目标要求共 2 项")
    for row in ("从业人员中硕士和博士占比", "服务收入占营业收入比例"):
        assert _cited(first, row) == {SCI_TECH_ROWS}
    assert "20%" not in first.answer and "25%" not in first.answer  # rows of the other categories
    assert_citations_resolve(first)
    assert_numbers_sourced(first)
    follow = ask(services, "那创新型特色园区呢？", first.conversation_id)
    assert follow.intent == "targets" and follow.tool_calls[0].args == {"category": "innovative_featured"}
    assert "**创新型特色园区**" in follow.answer and "35%" not in follow.answer


def test_one_target_asked_is_stated_first_with_its_row(services: Services) -> None:
    a = ask(services, "科技园区服务收入占比要到多少")
    first = a.answer.splitlines()[0]
    assert first.startswith("**创新型科技园区**的“服务收入占营业收入比例”目标为 **35%**[1]（国科发火〔2013〕388号 附1 二 序号6）")
    assert a.citations[0].chunk_id == SCI_TECH_ROWS and "25%" not in a.answer and "8%" not in a.answer
    assert_citations_resolve(a)
    follow = ask(services, "那特色园区呢", a.conversation_id)
    assert follow.answer.splitlines()[0].startswith("**创新型特色园区**的“服务收入占营业收入比例”目标为 **25%**")


def test_a_target_the_categorys_table_does_not_set_is_said_to_be_unset_not_read_off_another_row(services: Services) -> None:
    a = ask(services, "创新型科技园区万人拥有本科学历以上人数要达到多少")
    assert a.intent == "targets" and not a.grounded
    assert a.answer.splitlines()[0].startswith(
        "国科发火〔2013〕388号 附1 二没有为**创新型科技园区**设定“万人拥有本科（含）学历以上人数”的目标")
    for row in ("从业人员中硕士和博士占比", "服务收入占营业收入比例"):  # what the table does set, each cited
        assert _cited(a, row) == {SCI_TECH_ROWS}
    assert_citations_resolve(a)


def test_two_categories_side_by_side_row_by_row(services: Services) -> None:
    a = ask(services, "世界一流园区和创新型科技园区的指标有什么不同")
    assert a.intent == "targets" and [c.result.category for c in a.tool_calls] == ["world_class", "innovative_sci_tech"]
    row = next(line for line in a.answer.splitlines() if line.startswith("| 从业人员中硕士和博士占比"))
    assert re.search(r"\| 20%\[\d+\] \| 8%\[\d+\] \|", row)
    assert next(line for line in a.answer.splitlines() if "企业研发投入" in line).endswith("| —（未列） |")
    assert_citations_resolve(a)


def test_an_unknown_category_is_answered_with_the_three_there_are(services: Services) -> None:
    asked = ask(services, "智慧园区要达到哪些指标")
    assert not asked.grounded and "没有“智慧园区”这一类园区" in asked.answer
    for name in ("世界一流高科技园区", "创新型科技园区", "创新型特色园区"):
        assert name in asked.answer
    checked = ask(services, "青川够得上国际一流示范园区吗")
    assert isinstance(checked.tool_calls[0].result, ToolFailure) and checked.tool_calls[0].result.code == "unknown_category"
    assert "无法判断 SYN-001" in checked.answer and "创新型特色园区" in checked.answer


def test_an_unknown_park_is_said_not_to_exist_with_the_real_ids(services: Services) -> None:
    a = ask(services, "SYN-999 得分多少")
    assert a.intent == "score" and not a.grounded
    assert "没有找到园区“SYN-999”" in a.answer and "SYN-001" in a.answer and "SYN-003" in a.answer
    assert "SYNTHETIC" in a.answer and "现有政策文件" not in a.answer
    english = ask(services, "What is the score of SYN-404?")
    assert 'There is no park "SYN-404"' in english.answer and "SYN-001" in english.answer


def test_why_a_primary_is_low_shows_its_own_indicators_with_the_engines_numbers(services: Services) -> None:
    a = ask(services, "为什么青川的产业升级得分低")
    card = FakeParks().score_card("SYN-001")
    assert a.intent == "explain" and a.answer.splitlines()[1].startswith("**青川高新区（SYNTHETIC）**（SYN-001）的“产业升级和结构优化能力”")
    assert "| 2.2 | 服务收入占营业总收入比例 | 31% | 20 | 0.61 | 2.44 |" in a.answer
    assert "1.2 " not in a.answer and "企业万元销售收入" not in a.answer  # another primary's indicator
    assert f"得分 **{card.primaries[1].score}**" in a.answer
    assert_numbers_sourced(a)


def test_a_comparison_with_the_park_before_keeps_the_primary_and_says_where_it_is_lower(services: Services) -> None:
    first = ask(services, "为什么云岭的产业升级得分低")
    versus = ask(services, "跟SYN-001比差在哪", first.conversation_id)
    assert versus.intent == "compare" and versus.tool_calls[0].args == {"parks": ["SYN-002", "SYN-001"]}
    assert "“产业升级和结构优化能力”（一级指标2）的二级指标" in versus.answer
    assert "| 2.2 | 服务收入占营业总收入比例 | 31% / 20 | 31% / 20 |" in versus.answer
    assert "SYN-002各一级指标得分均不低于SYN-001" in versus.answer  # the fakes give both the same primaries
    assert_numbers_sourced(versus)


def test_this_year_is_the_latest_year_of_the_data_stated_as_such(services: Services) -> None:
    a = ask(services, "青川今年得分多少")
    assert "“今年”按数据中最新的年份 **2023年** 作答" in a.answer
    other = ask(services, "青川2019年得分多少")
    assert "数据中没有所问年份的数据，以下为数据中最新的年份 **2023年** 的结果" in other.answer


def test_one_indicators_primary_weight_coefficient_and_source_come_first(services: Services) -> None:
    a = ask(services, "企业万元销售收入中R&D经费支出这个指标属于哪个一级指标，赋权多少")
    assert a.intent == "indicator_system" and isinstance(a.tool_calls[0].result, IndicatorSystem)
    assert a.answer.splitlines()[0].startswith(
        "“企业万元销售收入中R&D经费支出”（1.2）属于一级指标“知识创造和技术创新能力”（权重 30%），赋权 **1.1**，数据来源为**统计**[1]")
    assert a.citations[0].chunk_id == "fa-a2"
    weight = ask(services, "知识创造和技术创新能力在评价体系里占多少权重")
    assert weight.answer.splitlines()[0].startswith("一级指标“知识创造和技术创新能力”的权重为 **30%**[1]")


def test_category_targets_tool_returns_every_row_with_its_passage(fakes) -> None:  # type: ignore[no-untyped-def]
    from bot.assistant.tools import Toolbox
    from tests.support.asking import STAFF

    outcome = Toolbox(*fakes, STAFF).category_targets("创新型科技园区")
    assert isinstance(outcome.result, CategoryTargets) and outcome.result.section == "附1 二"
    assert [(r.no, r.requirement, r.passage.chunk_id if r.passage else None) for r in outcome.result.rows] == [
        (1, "8%", SCI_TECH_ROWS), (6, "35%", SCI_TECH_ROWS)]
    unknown = Toolbox(*fakes, STAFF).category_targets("智慧园区")
    assert unknown.result.code == "unknown_category" and "创新型特色园区" in unknown.text


def test_a_categorys_targets_set_against_another_document_quote_that_document_too(services: Services) -> None:
    a = ask(services, "对比一下：纲要对高新技术企业R&D经费的下限和世界一流园区的研发投入目标")
    assert a.intent == "targets" and [t.name for t in a.tool_calls] == ["category_targets", "search_policies"]
    assert "企业研发投入占销售收入比例" in a.answer and "8%" in a.answer
    assert "其他文件的规定：" in a.answer and "不能低于年产品销售额的5％" in a.answer
    assert_citations_resolve(a)
