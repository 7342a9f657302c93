"""The offline router: intents, fuzzy park names, category abbreviations, rule facts, follow-ups."""

from __future__ import annotations

import pytest

from bot.assistant.offline.router import Router
from tests.assistant.fakes import INDICATORS, PARKS


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(parks=PARKS, indicators=INDICATORS)


@pytest.mark.parametrize(
    ("message", "intent", "park", "category"),
    [
        ("青川高新区今年得分多少？", "score", "SYN-001", None),
        ("SYN-002 排第几", "score", "SYN-002", None),
        ("云岭科技园够不够创新型科技园区的标准", "eligibility", "SYN-002", "innovative_sci_tech"),
        ("海澄能评上一流园区吗", "eligibility", "SYN-003", "world_class"),
        ("青川达到特色园区要求了吗", "eligibility", "SYN-001", "innovative_featured"),
        ("为什么青川的分数这么低", "explain", "SYN-001", None),
        ("云岭的短板在哪", "explain", "SYN-002", None),
        ("有哪些园区？", "list_parks", None, None),
        ("企业能用专利做抵押贷款吗", "policy", None, None),
        ("创新型科技园区的硕博占比要求是多少", "targets", None, "innovative_sci_tech"),
        ("Which parks are loaded? list the parks", "list_parks", None, None),
        ("What is the score of SYN-003?", "score", "SYN-003", None),
        # which park is top or bottom: the ranked listing answers it (not a policy passage)
        ("哪个园区得分最高", "list_parks", None, None),
        ("排名最后的高新区是哪家？", "list_parks", None, None),
        ("Which zone ranks lowest?", "list_parks", None, None),
        ("哪个园区类别的要求最高", "policy", None, None),
    ],
)
def test_intents_and_entities(router: Router, message: str, intent: str, park: str | None, category: str | None) -> None:
    route = router.route(message)
    assert route.intent == intent
    assert (route.park.park_id if route.park else None) == park
    assert route.category == category


@pytest.mark.parametrize("message", [
    "长株潭自创区分别是由哪几个高新区组成的",
    "某某自主创新示范区包括哪些高新区",
    "这份规划涵盖哪几个园区",
    "Which zones make up the demonstration zone?",
    "哪些高新区可以享受这个政策",  # which parks a rule lets do something
    "Which parks can apply for this subsidy?",
    "广东省有哪些国家高新区",  # a province's real zones: its documents, not the (synthetic) cohort
    "苏州市有几个高新区",
])
def test_what_a_zone_is_made_of_is_a_policy_question_not_the_cohorts_listing(router: Router, message: str) -> None:
    assert router.route(message).intent == "policy"


@pytest.mark.parametrize("message", ["列出所有高新区", "哪几个高新区得分最高", "有哪些园区参加了评价", "有哪些园区？",
                                     "which parks score highest"])
def test_park_listings_that_ask_no_composition_still_list_the_parks(router: Router, message: str) -> None:
    assert router.route(message).intent == "list_parks"


@pytest.mark.parametrize(("message", "intent"), [
    ("孵化器评价指标体系有哪些一级指标", "policy"),  # another evaluation: the documents that set it answer
    ("三级公立医院绩效考核指标体系包括哪四个方面", "policy"),
    ("科技企业孵化器考核指标的权重是多少", "policy"),
    ("What are the primary indicators of the incubator evaluation system?", "policy"),
    ("国家高新区评价指标体系有几个一级指标", "indicator_system"),  # the parks' own evaluation (附2)
    ("高新区考核里国际化占多少", "indicator_system"),
    ("国际化指标在评价体系里的权重", "indicator_system"),
    ("388号文的评价指标体系有哪些一级指标", "indicator_system"),
    ("What are the weights of the national high-tech zone evaluation system?", "indicator_system"),
])
def test_only_the_parks_own_evaluation_is_answered_from_the_indicator_system(router: Router, message: str,
                                                                              intent: str) -> None:
    assert router.route(message).intent == intent


def test_park_names_match_with_a_typo_and_without_the_suffix(router: Router) -> None:
    assert router.find_park("青川高新技术产业开发区得分")[0].park_id == "SYN-001"
    assert router.find_park("云岭科技园区的排名")[0].park_id == "SYN-002"
    assert router.find_park("长江高新区的排名")[0] is None  # not in the cohort: no guess


def test_category_aliases_prefer_the_longest(router: Router) -> None:
    assert router.find_category("创新型特色园区") == "innovative_featured"
    assert router.find_category("创新型科技园区") == "innovative_sci_tech"
    assert router.find_category("世界一流") == "world_class"


def test_rule_checks_read_the_number(router: Router) -> None:
    age = router.route("63岁的外籍专家能办工作许可吗？")
    assert (age.intent, age.rule, age.facts["age"]) == ("rule_check", "foreign_talent_work_permit_age", 63)
    rd = router.route("我们企业研发投入4.5%，符合纲要要求吗？")
    assert (rd.intent, rd.rule, rd.facts["rd_intensity"]) == ("rule_check", "enterprise_rd_share", 0.045)
    assert router.route("外籍专家能办工作许可吗？").intent == "policy"  # no age given: the documents answer


def test_what_if_changes_name_the_indicator_and_the_value(router: Router) -> None:
    route = router.route("如果青川的服务收入占比提高到40%，排名会怎样？")
    assert route.intent == "what_if"
    assert [(c.code, c.value) for c in route.changes] == [("2.2", "40%")]
    assert router.route("如果青川把1.2提升到900呢").changes[0].code == "1.2"
    assert router.route("如果青川更好一点呢").intent != "what_if"  # nothing to recompute


def test_follow_ups_keep_the_park_and_change_the_category(router: Router) -> None:
    first = router.route("青川够创新型科技园区标准吗")
    follow = router.route("那创新型特色园区呢？", first.entities())
    assert (follow.intent, follow.park.park_id, follow.category) == ("eligibility", "SYN-001", "innovative_featured")
    assert "park" in follow.inherited
    rank = router.route("它排第几？", follow.entities())
    assert (rank.intent, rank.park.park_id) == ("score", "SYN-001")
    why = router.route("为什么？", rank.entities())
    assert (why.intent, why.park.park_id) == ("explain", "SYN-001")


def test_a_new_question_does_not_inherit(router: Router) -> None:
    first = router.route("青川得分多少")
    assert router.route("企业能用专利做抵押贷款吗", first.entities()).intent == "policy"
    other = router.route("云岭得分多少", first.entities())
    assert other.park.park_id == "SYN-002"


def test_draft_mode_wins(router: Router) -> None:
    assert router.route("青川得分多少", mode="draft").intent == "draft"
    assert router.route("请起草一份复函：企业咨询知识产权质押融资").intent == "draft"


def test_a_policy_follow_up_keeps_the_question_it_continues(router: Router) -> None:
    first = router.route("7号文对外籍人才工作许可年龄有什么规定")
    second = router.route("那居留许可呢？", first.entities())
    assert second.intent == "policy" and second.topic == first.query
    third = router.route("那签证呢？", second.entities())
    assert third.topic == first.query  # the question the conversation is about
    assert router.route("高新区能设综合保税区吗", third.entities()).topic == "高新区能设综合保税区吗"


@pytest.mark.parametrize(("message", "intent"), [
    ("你好呀，在吗", "help"), ("早上好", "help"), ("有人吗？", "help"), ("请问", "help"), ("测试", "help"),
    ("？？", "help"), ("1", "help"), ("嗯嗯", "thanks"), ("好吧", "thanks"), ("哈哈哈", "thanks"),
    ("ok谢谢", "thanks"),
    # a question is a question, whatever it opens or ends with
    ("你好，请问高企认定需要什么条件", "policy"), ("请问研发投入强度要求是多少", "policy"),
    ("测试平台建设有什么要求", "policy"), ("好的，那SYN-003得分多少", "score"),
])
def test_a_message_that_asks_nothing_yet_is_told_what_to_ask(router: Router, message: str, intent: str) -> None:
    """Greetings, "在吗", acknowledgements and bare figures get the word on what to ask (or 不客气), not a
    clause that happens to share 好 or 测试 with them."""
    assert router.route(message).intent == intent

