"""附1 categories, the 2005 纲要 rules and the 国发〔2020〕7号 person rules."""

from __future__ import annotations

import pytest

import scoring


def _check(kit, park, category):
    return scoring.check_eligibility(park, category, kit.packs, registry=kit.registry, cohort=kit.cohort)


@pytest.mark.parametrize(
    ("park_id", "category"),
    [
        ("SYN-001", "world_class"),
        ("SYN-002", "创新型科技园区"),
        ("SYN-004", "innovative_featured"),
        ("SYN-005", "创新型特色园区"),
    ],
)
def test_sample_parks_pass_each_category(kit, park_id, category) -> None:
    report = _check(kit, park_id, category)
    assert report.overall == "pass" and report.synthetic is True


def test_a_hair_short_is_a_failing_near_miss(kit) -> None:
    report = _check(kit, "SYN-003", "innovative_sci_tech")
    assert report.overall == "fail"
    assert report.failing == ["服务收入占营业收入比例"] == report.near_misses
    target = next(t for t in report.targets if t.id == "service_revenue_share")
    assert target.gap == pytest.approx(0.001)
    assert target.citation == "国科发火〔2013〕388号 附1 二 序号6"


def test_best_fitting_category(kit) -> None:
    _, best = scoring.check_all_categories("SYN-003", kit.packs, registry=kit.registry, cohort=kit.cohort)
    assert best.category_id == "innovative_featured"
    _, top = scoring.check_all_categories("SYN-001", kit.packs, registry=kit.registry, cohort=kit.cohort)
    assert top.category == "世界一流高科技园区"


def test_three_valued_verdicts(kit) -> None:
    unknown = _check(kit, {"service_revenue_share": "40%"}, "innovative_sci_tech")
    assert unknown.overall == "incomplete" and "国家级研发机构数" in unknown.missing
    known_failure = _check(kit, {"service_revenue_share": "20%"}, "innovative_sci_tech")
    assert known_failure.overall == "fail"  # a known failure decides even with data missing


def test_park_keys_accept_printed_names_and_chinese_units(kit) -> None:
    report = _check(kit, {"从业人员人均增加值": "72万元/人", "营业收入利润率": "8%"}, "创新型科技园区")
    va = next(t for t in report.targets if t.id == "value_added_per_employee")
    assert va.value == 720000 and va.met is True
    margin = next(t for t in report.targets if t.id == "operating_profit_margin")
    assert margin.met is True  # exactly 8% meets 8%


def test_ratio_refusal_in_eligibility(kit) -> None:
    with pytest.raises(scoring.ValueFormatError, match='write "35%"'):
        _check(kit, {"service_revenue_share": 35}, "innovative_sci_tech")


def test_featured_export_target_is_all_exports_not_hte(kit) -> None:
    report = _check(kit, {"export_share": "12%", "hte_export_share": "1%"}, "innovative_featured")
    target = next(t for t in report.targets if t.no == 8)
    assert target.name == "出口额占营业收入比例" and target.met is True


def test_domestic_leading_clusters_count_higher_tiers(kit) -> None:
    park = {
        "clusters": {"international": 1, "domestic_leading": 1},
        "enterprise_revenues_yi": ["301亿", "300"],
    }
    report = _check(kit, park, "innovative_sci_tech")
    target = next(t for t in report.targets if t.id == "clusters_and_giants")
    assert target.met is False  # 300亿 is not 超300亿 and 2 firms are not 4 above 100亿
    assert "超300亿元企业 1 家" in target.detail


def test_enterprise_question_is_answered_with_the_clause(kit) -> None:
    # 我们企业研发投入4.5%，符合纲要要求吗？
    report = scoring.check_rules({"研发投入强度": "4.5%"}, "hte_rd_intensity", kit.packs)
    assert report.applies_to == "enterprise" and report.overall == "fail"
    assert report.targets[0].gap == pytest.approx(0.005)
    assert report.targets[0].citation == "国科发火字〔2005〕16号 五、（二）6"


def test_person_question_lists_conditions_to_confirm(kit) -> None:
    # 63岁的外籍专家能办工作许可吗？
    report = scoring.check_rules({"age": "63岁", "外籍专家": True}, "work_permit_age", kit.packs)
    assert report.applies_to == "person" and report.citation.doc == "国发〔2020〕7号"
    age = next(t for t in report.targets if t.id == "age")
    assert age.met is True and age.citation == "国发〔2020〕7号 二、（五）"
    assert report.overall == "incomplete"
    assert "在国家高新区内企业工作" in report.missing
    too_old = scoring.check_rules({"age": 66, "外籍专家": True}, "work_permit_age", kit.packs)
    assert too_old.overall == "fail"


def test_2005_park_rule_uses_the_year_tier(kit) -> None:
    park = {"new_product_st_funding": "8亿", "fiscal_budget": "100亿"}
    before = scoring.check_rules({**park, "year": 2008}, "park_obligations", kit.packs)
    after = scoring.check_rules({**park, "year": 2012}, "park_obligations", kit.packs)
    assert before.targets[0].met is True and after.targets[0].met is False


def test_rule_sets_declare_whom_they_apply_to(kit) -> None:
    assert {r[1] for r in scoring.rule_sets_for(kit.packs, "person")} == {
        "work_permit_age",
        "residence_permit",
    }
    assert {r[1] for r in scoring.rule_sets_for(kit.packs, "enterprise")} == {"hte_rd_intensity"}


def test_unknown_category_lists_the_known_ones(kit) -> None:
    with pytest.raises(scoring.UnknownKeyError, match="创新型科技园区 \\(innovative_sci_tech\\)"):
        _check(kit, {}, "创新园区")
