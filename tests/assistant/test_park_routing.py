"""How the router reads park and structured questions: the 附1 targets asked and their follow-ups,
two categories, the primary in question, "今年", parks and categories that do not exist, and a
comparison with the park of the previous turn."""

from __future__ import annotations

import pytest

from bot.assistant.offline.router import Router
from bot.assistant.offline.table_rows import named_rows
from tests.assistant.fakes import INDICATORS, PARKS


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(parks=PARKS, indicators=INDICATORS)


def test_a_categorys_targets_are_asked_and_a_follow_up_swaps_the_category_keeping_the_question(router: Router) -> None:
    first = router.route("创新型特色园区人均增加值要达到多少")
    assert (first.intent, first.category, first.park) == ("targets", "innovative_featured", None)
    follow = router.route("那创新型科技园区呢？", first.entities())
    assert (follow.intent, follow.category) == ("targets", "innovative_sci_tech")
    assert follow.topic == first.topic  # the row asked about is still 人均增加值
    again = router.route("世界一流的呢", follow.entities())
    assert (again.intent, again.category, again.topic) == ("targets", "world_class", first.topic)


def test_two_categories_are_both_read_and_the_longer_name_is_not_read_twice(router: Router) -> None:
    route = router.route("世界一流园区和创新型特色园区的目标有什么区别")
    assert route.intent == "targets" and route.categories == ["world_class", "innovative_featured"]
    assert router.find_categories("创新型特色园区") == ["innovative_featured"]


def test_a_park_named_with_a_category_is_still_an_eligibility_check(router: Router) -> None:
    assert router.route("青川要达到创新型科技园区的哪些指标").intent == "eligibility"


@pytest.mark.parametrize(("message", "intent", "unknown"), [
    ("SYN-999 得分多少", "score", "SYN-999"),
    ("SYN-0999的国际化得分为什么低", "explain", "SYN-0999"),
    ("What is the score of SYN-404?", "score", "SYN-404"),
    ("SYN-500 和 SYN-001 哪个分高", "compare", "SYN-500"),
    ("长江高新区得分多少", "score", "长江高新区"),
])
def test_a_park_the_cohort_does_not_have_is_asked_about_not_searched_for(router: Router, message: str, intent: str,
                                                                         unknown: str) -> None:
    route = router.route(message)
    assert (route.intent, route.unknown_park) == (intent, unknown)


@pytest.mark.parametrize("message", ["国家高新区排名靠后会怎样", "哪个高新区得分最高", "高新区评价得分怎么算"])
def test_generic_mentions_of_parks_are_not_unknown_parks(router: Router, message: str) -> None:
    assert router.route(message).unknown_park is None


def test_a_category_that_does_not_exist_is_named_where_a_category_is_expected(router: Router) -> None:
    with_park = router.route("SYN-003 够得上国际一流示范园区吗")
    assert (with_park.intent, with_park.unknown_category) == ("eligibility", "国际一流示范园区")
    asked = router.route("智慧园区要达到哪些指标")
    assert (asked.intent, asked.unknown_category) == ("targets", "智慧园区")
    # a topic, not a category whose targets are asked: the documents answer it
    assert router.route("智慧园区建设有哪些举措").intent == "policy"
    # a park described, not a category asked for
    assert router.route("给示例园区 SYN-001 打分，并说明主要差距").unknown_category is None


def test_why_a_primary_is_low_and_the_comparison_that_follows_keep_the_primary(router: Router) -> None:
    why = router.route("SYN-002 它的国际化得分为什么低")
    assert (why.intent, why.park.park_id, why.primary) == ("explain", "SYN-002", "3")
    versus = router.route("跟SYN-003比差在哪", why.entities())
    assert versus.intent == "compare" and [p.park_id for p in versus.parks] == ["SYN-002", "SYN-003"]
    assert versus.primary == "3" and "primary" in versus.inherited


def test_this_year_is_the_latest_year_and_a_written_year_is_read(router: Router) -> None:
    assert router.route("青川今年得分多少").year == "latest"
    assert router.route("2023年青川排第几").year == 2023
    assert router.route("国科发火〔2013〕388号的附2").year is None  # the year of a 文号 is not a year asked


def test_rows_named_by_a_question_are_those_it_names_and_none_for_the_whole_table() -> None:
    labels = ["企业研发投入占销售收入比例", "从业人员中硕士和博士占比", "服务收入占营业收入比例", "从业人员人均增加值",
              "营业收入利润率", "产业集群与巨型企业数"]
    assert [labels[i] for i in named_rows("创新型科技园区人均增加值要达到多少", labels)] == ["从业人员人均增加值"]
    assert {labels[i] for i in named_rows("服务收入占比和利润率分别有什么要求", labels)} == {
        "服务收入占营业收入比例", "营业收入利润率"}
    assert named_rows("创新型科技园区要达到哪些指标", labels) == []
