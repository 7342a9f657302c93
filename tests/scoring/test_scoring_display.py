"""What a card and an eligibility report tell a reader beyond the raw numbers: ranks out of the
parks that can be ranked (and which cannot, and why), cohort medians, the unit each number reads
best in, the parts of the compound 附1 target, and park ids matched without case."""

from __future__ import annotations

import statistics

import pytest

import scoring
from scoring.units import display_unit
from tests.scoring.conftest import tiny_registry


def _park(pid: str, x1, x2, x3) -> dict:
    return {"park_id": pid, "name": pid, "year": 2020, "indicators": {"1.1": x1, "1.2": x2, "1.3": x3}}


@pytest.mark.parametrize(
    ("unit", "kind", "magnitude", "shown"),
    [
        ("比例", "ratio", None, ("%", 0.01)),
        ("比例", "signed", None, ("%", 0.01)),
        ("元/人", "amount", 500_000, ("万元/人", 10_000.0)),
        ("元/人", "amount", 28_026, ("元/人", 1.0)),
        ("元", "amount", 1_413_129_366, ("亿元", 100_000_000.0)),
        ("元", "amount", None, ("元", 1.0)),
        ("个", "count", 63, ("个", 1.0)),
        ("分", "score", 80, ("分", 1.0)),
    ],
)
def test_numbers_read_in_per_cent_and_wan_or_yi_yuan(unit, kind, magnitude, shown) -> None:
    chosen = display_unit(unit, kind, magnitude)
    assert (chosen.unit, chosen.scale) == shown


def test_ranks_are_out_of_the_rankable_parks_and_the_unranked_are_named_with_the_reason(result) -> None:
    card = scoring.build_card(result, "SYN-010")
    assert card.cohort_size == 60 and card.rankable_count == 59
    assert card.rank is not None and card.rank <= card.rankable_count
    (unranked,) = card.unrankable
    assert unranked.park_id == "SYN-046" and "虚构" in unranked.name
    (gap,) = unranked.gaps
    assert gap.code == "3" and gap.required == "2/3" and gap.present < gap.total * 2 / 3
    assert gap.missing == ["3.4", "3.7", "3.8", "3.9", "3.10"]
    # every card says the same, the unranked park's own card too
    assert scoring.build_card(result, "SYN-046").unrankable == card.unrankable


def test_cards_carry_the_cohort_medians_and_ranks_per_primary(result) -> None:
    cards = scoring.cards_payload(result)["cards"]
    totals = [c["total"] for c in cards if c["total"] is not None]
    card = scoring.build_card(result, "SYN-010")
    assert card.median_total == pytest.approx(statistics.median(totals), abs=0.006)
    for k, primary in enumerate(card.primaries):
        scores = [c["primaries"][k]["score"] for c in cards if c["primaries"][k]["score"] is not None]
        assert primary.ranked == len(scores) and 1 <= (primary.rank or 0) <= primary.ranked
        assert primary.median == pytest.approx(statistics.median(scores), abs=0.006)
    assert [p.ranked for p in card.primaries] == [60, 60, 59, 60]  # SYN-046 has no score on primary 3
    wages = next(i for i in card.indicators if i.code == "2.3")  # 人均增加值, 元/人
    assert (wages.display_unit, wages.display_scale) == ("万元/人", 10_000.0)
    assert wages.median is not None and wages.median > 0
    share = next(i for i in card.indicators if i.code == "1.9")
    assert share.display_unit == "%" and share.display_scale == 0.01


def test_a_card_shown_to_a_caller_limited_to_some_parks_names_only_those(result) -> None:
    card = scoring.build_card(result, "SYN-010")
    limited = card.visible_to(lambda park_id: park_id == "SYN-010")
    assert limited.unrankable == [] and limited.rankable_count == 59 and limited.cohort_size == 60
    assert card.visible_to(lambda park_id: True) is card


def test_park_ids_are_matched_without_case(result) -> None:
    assert scoring.build_card(result, "syn-010").park_id == "SYN-010"
    assert result.rank(" Syn-010 ") == result.rank("SYN-010")
    with pytest.raises(scoring.ParkNotFoundError, match="SYN-999"):
        result.rank("SYN-999")


def test_ids_that_differ_only_in_case_are_refused() -> None:
    with pytest.raises(scoring.ParkDataError, match="differ only in case"):
        scoring.score_cohort([_park("P1", 1, "0.5", 60), _park("p1", 2, "0.1", 70)], tiny_registry())


def test_eligibility_rows_read_in_the_unit_of_the_requirement(kit) -> None:
    report = scoring.check_eligibility("syn-003", "创新型科技园区", kit.packs, registry=kit.registry, cohort=kit.cohort)
    by_name = {t.name: t for t in report.targets}
    per_head = by_name["从业人员人均增加值"]  # printed as 50万/人, data in 元/人
    assert per_head.requirement == "50万/人" and per_head.op == ">="
    assert (per_head.display_unit, per_head.display_scale) == ("万元/人", 10_000.0)
    assert per_head.threshold == 500_000 and per_head.value == 560_000
    share = by_name["服务收入占营业收入比例"]
    assert (share.display_unit, share.display_scale) == ("%", 0.01)


def test_the_compound_target_lists_its_parts(kit) -> None:
    report = scoring.check_eligibility("SYN-003", "innovative_sci_tech", kit.packs, registry=kit.registry, cohort=kit.cohort)
    compound = next(t for t in report.targets if t.op == "clusters_giants")
    assert compound.met is True and compound.value is None
    clusters, above_300, above_100 = compound.parts
    assert (clusters.value, clusters.required, clusters.unit, clusters.met) == (2, 2, "个", True)
    assert "国内领先" in clusters.label and not clusters.alternative
    assert (above_300.label, above_300.value, above_300.required, above_300.met) == ("超300亿元企业", 2, 2, True)
    assert (above_100.value, above_100.required, above_100.met) == (3, 4, False)
    assert above_300.alternative and above_100.alternative  # either band suffices
