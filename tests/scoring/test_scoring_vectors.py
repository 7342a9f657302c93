"""The exact test vectors of issue 4."""

from __future__ import annotations

from decimal import Decimal

import pytest

import scoring
from tests.scoring.conftest import tiny_registry

PARKS = [
    {"park_id": "A", "name": "A", "year": 2020, "indicators": {"1.1": 500, "1.2": "0.20", "1.3": 80}},
    {"park_id": "B", "name": "B", "year": 2020, "indicators": {"1.1": 300, "1.2": "0.40", "1.3": 90}},
    {"park_id": "C", "name": "C", "year": 2020, "indicators": {"1.2": "0.30", "1.3": 70}},
]


def test_primary_scores_and_two_thirds_coverage() -> None:
    result = scoring.score_cohort(PARKS, tiny_registry())
    assert result.primary_score("A", "1") == Decimal("94.00")
    assert result.primary_score("B", "1") == Decimal("27.00")
    assert result.primary_score("C", "1") is None
    assert "1.9 of 3.0" in result.reasons("C")[0]
    assert result.rank("C") is None and result.rank("A") == 1 and result.rank("B") == 2


def test_zero_fill_profile_gives_37_67_and_flags_it() -> None:
    result = scoring.score_cohort(PARKS, tiny_registry(), "zero_fill")
    assert result.primary_score("C", "1") == Decimal("37.67")
    card = scoring.build_card(result, "C")
    assert any(f["code"] == "zero_filled" and f["field"] == "1.1" for f in card.flags)


@pytest.fixture(scope="module")
def packs() -> dict[str, scoring.RulePack]:
    return scoring.load_rule_packs()


@pytest.mark.parametrize(
    ("revenues", "met", "gap"),
    [([1200, 800, 600, 550, 510], True, 0), ([1000, 1000, 700], False, 1), ([1500, 1001], True, 0)],
)
def test_compound_cluster_target_world_class(packs, revenues, met, gap) -> None:
    park = {"产业集群与巨型企业数": {"clusters": {"international": 3}, "enterprise_revenues_yi": revenues}}
    report = scoring.check_eligibility(park, "世界一流高科技园区", packs)
    target = next(t for t in report.targets if t.name == "产业集群与巨型企业数")
    assert target.met is met
    assert target.gap == gap


def test_equality_meets_a_target(packs) -> None:
    report = scoring.check_eligibility({"service_revenue_share": "35%"}, "innovative_sci_tech", packs)
    target = next(t for t in report.targets if t.id == "service_revenue_share")
    assert target.met is True and target.gap == 0
    just_below = scoring.check_eligibility({"service_revenue_share": "34.99%"}, "innovative_sci_tech", packs)
    below = next(t for t in just_below.targets if t.id == "service_revenue_share")
    assert below.met is False and below.near_miss is True
