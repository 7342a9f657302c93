"""Hypothesis properties: bounded, monotone, order-independent, repeatable."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import scoring
from tests.scoring.conftest import tiny_registry

REGISTRY = tiny_registry()
amount = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)
ratio = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)
score = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False)
park = st.tuples(amount, ratio, score)


def _records(rows):
    return [
        {"park_id": f"P{k:03d}", "year": 2020, "indicators": {"1.1": str(a), "1.2": str(b), "1.3": str(c)}}
        for k, (a, b, c) in enumerate(rows)
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(park, min_size=1, max_size=12))
def test_scores_are_bounded(rows) -> None:
    result = scoring.score_cohort(_records(rows), REGISTRY)
    for pid in result.cohort.park_ids:
        assert Decimal(0) <= result.primary_score(pid, "1") <= Decimal(100)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(park, min_size=2, max_size=10), st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2)
)
def test_monotone_in_a_higher_better_indicator(rows, bump) -> None:
    records = _records(rows)
    before = scoring.score_cohort(records, REGISTRY).primary_score("P000", "1")
    records[0]["indicators"]["1.1"] = str(Decimal(records[0]["indicators"]["1.1"]) + bump)
    after = scoring.score_cohort(records, REGISTRY).primary_score("P000", "1")
    assert after >= before


@settings(max_examples=40, deadline=None)
@given(st.lists(park, min_size=1, max_size=10), st.randoms(use_true_random=False))
def test_independent_of_row_order_and_repeatable(rows, rnd) -> None:
    records = _records(rows)
    first = scoring.score_cohort(records, REGISTRY)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    second = scoring.score_cohort(shuffled, REGISTRY)
    again = scoring.score_cohort(records, REGISTRY)
    for pid in first.cohort.park_ids:
        assert first.total(pid) == second.total(pid) == again.total(pid)
        assert first.rank(pid) == second.rank(pid) == again.rank(pid)
    assert first.input_sha256 == second.input_sha256
