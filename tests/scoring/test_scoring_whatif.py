"""What-if, target solving (verified by recomputation) and seeded rank stability."""

from __future__ import annotations

from decimal import Decimal

import scoring


def test_what_if_is_an_exact_recomputation(result) -> None:
    summary, after = scoring.what_if(result, "SYN-010", {"2.2": "40%"})
    assert summary.total_before == float(result.total("SYN-010"))
    assert summary.total_after == float(after.total("SYN-010"))
    assert summary.rank_after < summary.rank_before
    assert result.total("SYN-010") == Decimal(str(summary.total_before))  # the original is untouched


def test_what_if_beyond_the_maximum_moves_the_reference(result) -> None:
    summary, _ = scoring.what_if(result, "SYN-010", {"1.3": 10_000})
    assert "1.3" in summary.moved_references


def test_solve_single_indicator_for_a_score(result) -> None:
    solution = scoring.solve_target(result, "SYN-010", "1.2", target_score=37)
    assert solution.reachable and solution.verified
    _, after = scoring.what_if(result, "SYN-010", {"1.2": solution.indicators["1.2"]})
    assert after.total("SYN-010") >= Decimal(37)


def test_solve_lower_is_better_indicator_goes_down(result) -> None:
    solution = scoring.solve_target(result, "SYN-010", "4.6", target_score=37)
    assert Decimal(solution.indicators["4.6"]) < Decimal(solution.current["4.6"])
    assert solution.verified


def test_solve_for_a_rank(result) -> None:
    solution = scoring.solve_target(result, "SYN-003", "2.2", target_rank=4)
    assert solution.verified and solution.rank_after <= 4


def test_unreachable_target_is_said_so(result) -> None:
    solution = scoring.solve_target(result, "SYN-010", "1.4", target_score=90)
    assert solution.reachable is False and "cannot" in solution.note


def test_plan_with_several_indicators_is_verified(result) -> None:
    plan = scoring.plan_target(result, "SYN-010", 45)
    assert plan.verified and plan.total_after >= 45 and len(plan.indicators) > 1


def test_rank_stability_is_seeded_and_repeatable(result) -> None:
    first = scoring.rank_stability(result, draws=200, seed=7)
    second = scoring.rank_stability(result, draws=200, seed=7)
    assert first == second
    top = first.rows[0]
    assert top.park_id == "SYN-001" and top.p05 <= top.rank <= top.p95 and 0 <= top.keep_probability <= 1
    assert first.rows[-1].rank is None and first.rows[-1].p05 is None  # unrankable park
