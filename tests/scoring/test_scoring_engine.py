"""Pipeline behaviour users notice: ranks, exact rounding, audit record, explanations."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

import scoring
from tests.scoring.conftest import tiny_registry


def _park(pid: str, x1, x2, x3, year: int = 2020) -> dict:
    return {"park_id": pid, "name": pid, "year": year, "indicators": {"1.1": x1, "1.2": x2, "1.3": x3}}


def test_value_exactly_on_a_rounding_boundary_rounds_away_from_zero() -> None:
    # X3 = 12.345 (a survey score) and the others at the bottom: P = 0.9·12.345/3 = 3.7035 → 3.70;
    # with X1/X2 at the top: P = (110 + 100 + 11.1105)/3 = 73.7035 → 73.70. Totals (×0.3):
    # 1.11105 → 1.11 and 22.11105 → 22.11. Then a park whose survey score alone gives x.xx5.
    parks = [_park("A", 1, "0.5", "12.345"), _park("B", 2, "0.1", "12.345")]
    result = scoring.score_cohort(parks, tiny_registry())
    assert result.primary_score("A", "1") == Decimal("3.70")
    registry = scoring.build_registry(
        {
            "id": "T2",
            "title": "t",
            "doc": "d",
            "section": "s",
            "weights_total": "100",
            "primaries": [
                {
                    "code": "1",
                    "name": "P",
                    "weight": "100",
                    "indicators": [
                        {
                            "code": "1.1",
                            "name": "S",
                            "coefficient": "1",
                            "source": "调查",
                            "unit": "分",
                            "direction": "+",
                            "kind": "score",
                            "citation": "",
                        }
                    ],
                }
            ],
        }
    )
    boundary = scoring.score_cohort(
        [{"park_id": "Z", "year": 2020, "indicators": {"1.1": "2.675"}}], registry
    )
    assert round(2.675, 2) == 2.67  # binary floats round the stored 2.67499999… down …
    assert boundary.total("Z") == Decimal("2.68")  # … the exact answer rounds up
    assert boundary.exact_recomputed == 1


def test_competition_ranking_and_unrankable_last() -> None:
    parks = [
        _park("D", 300, "0.40", 90),
        _park("A", 500, "0.20", 80),
        _park("C", None, "0.30", 70),
        _park("B", 500, "0.20", 80),
    ]
    result = scoring.score_cohort(parks, tiny_registry())
    table = result.table()
    assert list(table["park_id"]) == ["A", "B", "D", "C"]  # tie listed by park_id, unrankable last
    assert [None if r is pd.NA else r for r in table["rank"]] == [1, 1, 3, None]


def test_mixed_years_are_refused() -> None:
    with pytest.raises(scoring.CohortError, match="mixes years 2019, 2020"):
        scoring.score_cohort([_park("A", 1, "0.1", 50, 2019), _park("B", 2, "0.2", 60)], tiny_registry())


def test_bad_cell_in_records_names_park_and_field() -> None:
    with pytest.raises(scoring.ParkDataError, match=r"park 'A' indicators '1.2'.*write \"35%\""):
        scoring.score_cohort([_park("A", 1, 35, 50)], tiny_registry())


def test_contributions_and_headroom_sum_exactly(result) -> None:
    for pid in result.cohort.park_ids[:20]:
        ex = result.exact(pid)
        if ex.total is None:
            continue
        assert sum(ex.contribution.values(), Fraction(0)) == ex.total
        assert sum(ex.contribution.values(), Fraction(0)) + sum(ex.headroom.values(), Fraction(0)) == 100


def test_bulk_scores_equal_the_exact_per_park_computation(result) -> None:
    for pid in result.cohort.park_ids:
        ex = result.exact(pid)
        expected = None if ex.total is None else scoring.round_half_away(ex.total)
        assert result.total(pid) == expected
        for code, value in ex.primary_scores.items():
            assert result.primary_score(pid, code) == (
                None if value is None else scoring.round_half_away(value)
            )


def test_audit_record_has_references_and_a_stable_order_free_hash(kit, result) -> None:
    audit = result.audit()
    assert audit["registry"] == "GKFH-2013-388-A2" and audit["method"] == "default"
    assert audit["references"]["2.2"]["L"] is not None and audit["references"]["2.2"]["U"] is not None
    assert audit["synthetic"] is True
    reversed_cohort = scoring.build_cohort(
        [scoring.cohort.to_record(p) for p in reversed(kit.cohort.parks)], kit.registry
    )
    assert reversed_cohort.input_sha256 == result.input_sha256
    assert len(result.input_sha256) == 64


def test_percent_string_and_fraction_give_the_same_hash(registry) -> None:
    a = scoring.build_cohort([{"park_id": "p", "year": 2020, "indicators": {"2.2": "35%"}}], registry)
    b = scoring.build_cohort([{"park_id": "p", "year": 2020, "indicators": {"2.2": 0.35}}], registry)
    assert a.input_sha256 == b.input_sha256


def test_card_matches_the_contract_and_says_synthetic(result) -> None:
    card = scoring.build_card(result, "SYN-001").model_dump()
    for key in (
        "park_id",
        "name",
        "total",
        "rank",
        "cohort_size",
        "rankable",
        "primaries",
        "indicators",
        "flags",
        "registry",
        "method",
        "input_sha256",
        "synthetic",
    ):
        assert key in card
    assert card["synthetic"] is True and "SYNTHETIC" in card["notice"] and "not an official" in card["notice"]
    assert {"code", "name", "weight", "score", "rank"} <= set(card["primaries"][0])
    assert {"code", "name", "value", "normalized", "contribution", "headroom", "status"} <= set(
        card["indicators"][0]
    )
    assert card["rank"] == 1 and len(card["indicators"]) == 40


def test_unrankable_park_card_lists_the_reason(result) -> None:
    card = scoring.build_card(result, "SYN-046")
    assert card.total is None and card.rank is None and not card.rankable
    assert any("一级指标3" in r for r in card.reasons)
    assert any(m.startswith("3.4") for m in card.missing)


def test_derived_indicator_from_base_statistics(registry) -> None:
    cohort = scoring.build_cohort(
        [{"park_id": "p", "year": 2020, "base": {"rd_expenditure": "8亿", "sales": "100亿"}}], registry
    )
    assert cohort.exact[0][registry.codes.index("1.2")] == 800  # 元/万元


def test_explain_lists_where_points_are_lost(result) -> None:
    exp = scoring.explain(result, "SYN-010")
    assert exp.contributions_sum_exactly
    assert exp.losses[0].headroom >= exp.losses[-1].headroom
    assert "approximate" in exp.marginal_note


def test_subset_violation_is_flagged_not_changed(registry) -> None:
    cohort = scoring.build_cohort(
        [{"park_id": "p", "year": 2020, "base": {"employees": 100, "bachelor_plus_employees": 150}}], registry
    )
    assert "subset_violation" in [f.code for f in cohort.flags[0]]
    assert cohort.exact[0][registry.codes.index("1.1")] == 15000


@pytest.mark.parametrize("profile", ["ratio_to_best", "zscore", "percentile", "log1p", "median"])
def test_alternative_profiles_score_within_bounds_and_say_which(kit, profile) -> None:
    res = kit.result(profile)
    assert res.profile.id == profile
    totals = [res.total(pid) for pid in res.cohort.park_ids]
    assert all(t is None or 0 <= t <= 100 for t in totals)
    assert scoring.build_card(res, "SYN-001").method == profile


def test_canonical_input_json_is_plain_sorted_json(kit) -> None:
    import json

    from scoring.cohort import canonical_input_json

    text = canonical_input_json(kit.cohort)
    assert json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False) == text
    assert '"2.10":"80"' in text  # the grade B read as 80; no trailing zeros
