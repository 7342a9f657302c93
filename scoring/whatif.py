"""What-if (exact recomputation) and "how much must X improve" (solved, then verified).

A what-if rescores the whole cohort with the changed values, so min/max may move. A target is
solved for a single indicator by Δx = ΔS·(U − L)/w* (within the cohort range) or, when the park
would become the new maximum, by bisection on recomputed scores; for several indicators the
cheapest relative effort is filled first. Every answer is checked by recomputation.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from scoring.cards import notice_for
from scoring.engine import CohortResult, score_cohort
from scoring.errors import InputError
from scoring.quantities import decimal_text, round_half_away

HALF_CENT = Fraction(1, 200)


class WhatIfResult(BaseModel):
    park_id: str
    changes: dict[str, str]
    total_before: float | None
    total_after: float | None
    delta: float | None
    rank_before: int | None
    rank_after: int | None
    moved_references: list[str]
    registry: str
    method: str
    synthetic: bool
    notice: str


def what_if(result: CohortResult, park_id: str, changes: dict[str, Any]) -> tuple[WhatIfResult, CohortResult]:
    """Recompute the cohort with one park's values changed; returns the summary and new result."""
    if not changes:
        raise InputError('what-if needs at least one change, e.g. {"2.2": "40%"}')
    park_id = result.cohort.park(park_id).park_id  # as the data spells it (ids are matched without case)
    cohort = result.cohort.with_changes(park_id, changes)
    after = score_cohort(cohort, result.registry, result.profile)
    moved = [
        code
        for code, ref in after.references.items()
        if (ref.lo, ref.hi) != (result.references[code].lo, result.references[code].hi)
    ]
    before_total, after_total = result.total(park_id), after.total(park_id)
    summary = WhatIfResult(
        park_id=park_id,
        changes={k: str(v) for k, v in changes.items()},
        total_before=None if before_total is None else float(before_total),
        total_after=None if after_total is None else float(after_total),
        delta=None if before_total is None or after_total is None else float(after_total - before_total),
        rank_before=result.rank(park_id),
        rank_after=after.rank(park_id),
        moved_references=moved,
        registry=result.registry.id,
        method=result.profile.id,
        synthetic=result.synthetic,
        notice=notice_for(result.synthetic),
    )
    return summary, after


class IndicatorChange(BaseModel):
    """One indicator of a what-if: its raw value before and after, and the exact change of its contribution."""

    code: str
    name: str
    before: float | None
    after: float | None
    contribution_delta: float | None


def changed_indicators(
    before: CohortResult, after: CohortResult, park_id: str, changes: dict[str, Any] | None = None
) -> list[IndicatorChange]:
    """The park's indicators whose raw value changed (or that ``changes`` names), with the change of
    each contribution computed on the exact values and rounded once (half away from zero)."""
    named = {before.registry.indicator(code).code for code in (changes or {})}
    i = before.cohort.position(park_id)
    ex_before, ex_after = before.exact(park_id), after.exact(park_id)
    rows = []
    for j, ind in enumerate(before.registry.indicators):
        x0, x1 = before.cohort.exact[i][j], after.cohort.exact[i][j]
        if x0 == x1 and ind.code not in named:
            continue
        c0, c1 = ex_before.contribution.get(ind.code), ex_after.contribution.get(ind.code)
        delta = None if c0 is None or c1 is None else float(round_half_away(c1 - c0, 2))
        rows.append(
            IndicatorChange(
                code=ind.code,
                name=ind.name,
                before=None if x0 is None else float(round_half_away(Fraction(x0), 6)),
                after=None if x1 is None else float(round_half_away(Fraction(x1), 6)),
                contribution_delta=delta,
            )
        )
    return rows


class TargetSolution(BaseModel):
    park_id: str
    goal: str
    indicators: dict[str, str]  # code → required value (decimal text, in the indicator's unit)
    current: dict[str, str | None]
    reachable: bool
    verified: bool
    total_before: float | None
    total_after: float | None
    rank_before: int | None
    rank_after: int | None
    note: str = ""
    synthetic: bool
    notice: str


def _goal_met(res: CohortResult, park_id: str, score: Decimal | None, rank: int | None) -> bool:
    total = res.total(park_id)
    if total is None:
        return False
    if score is not None and total < score:
        return False
    r = res.rank(park_id)
    return not (rank is not None and (r is None or r > rank))


def _step(ind_kind: str) -> Decimal:
    return Decimal("0.0001") if ind_kind in ("ratio", "signed") else Decimal("0.01")


def _as_text(value: Fraction, kind: str, up: bool) -> Decimal:
    """Round the requirement to a sensible precision, in the direction that keeps it sufficient."""
    step = _step(kind)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(step, rounding=ROUND_CEILING if up else ROUND_FLOOR)


def solve_target(
    result: CohortResult,
    park_id: str,
    indicator: str,
    *,
    target_score: Decimal | float | str | None = None,
    target_rank: int | None = None,
    max_factor: int = 1000,
) -> TargetSolution:
    """How far must one indicator move to reach a rounded score ≥ S* and/or rank ≤ r*."""
    if target_score is None and target_rank is None:
        raise InputError("give target_score (e.g. 60) or target_rank (e.g. 3)")
    score = None if target_score is None else Decimal(str(target_score))
    ind = result.registry.indicator(indicator)
    j = result.registry.codes.index(ind.code)
    i = result.cohort.position(park_id)
    park_id = result.cohort.park_ids[i]
    current = result.cohort.exact[i][j]
    base: dict[str, Any] = dict(
        park_id=park_id,
        goal=" and ".join(
            x
            for x in (
                score is not None and f"total ≥ {score}" or "",
                target_rank and f"rank ≤ {target_rank}" or "",
            )
            if x
        ),
        current={ind.code: None if current is None else decimal_text(current, 6)},
        total_before=None if result.total(park_id) is None else float(result.total(park_id)),  # type: ignore[arg-type]
        rank_before=result.rank(park_id),
        synthetic=result.synthetic,
        notice=notice_for(result.synthetic),
    )
    if _goal_met(result, park_id, score, target_rank):
        return TargetSolution(
            **base,
            indicators={},
            reachable=True,
            verified=True,
            total_after=base["total_before"],
            rank_after=base["rank_before"],
            note="the goal is already met",
        )
    up = ind.higher_is_better
    ref = result.references[ind.code]
    x0 = Fraction(current) if current is not None else (ref.lo if up else ref.hi) or Fraction(0)

    def attempt(x: Fraction) -> CohortResult:
        value = _as_text(x, ind.kind, up)
        return score_cohort(
            result.cohort.with_changes(park_id, {ind.code: str(value)}), result.registry, result.profile
        )

    # Closed form inside the cohort range (min-max, the park's coverage unchanged).
    ex = result.exact(i)
    candidate: Fraction | None = None
    if (
        score is not None
        and target_rank is None
        and ind.code in ex.effective_weight
        and ex.total is not None
        and ref.lo is not None
        and ref.hi != ref.lo
        and ref.method == "minmax"
    ):
        need = Fraction(score) - HALF_CENT - ex.total  # rounding half up: S ≥ S* − 0.005 suffices
        delta = need * (ref.hi - ref.lo) / ex.effective_weight[ind.code]  # type: ignore[operator]
        candidate = x0 + delta if up else x0 - delta
    if candidate is not None and (ref.lo <= candidate <= ref.hi):  # type: ignore[operator]
        after = attempt(candidate)
        if _goal_met(after, park_id, score, target_rank):
            return _solution(
                base,
                ind.code,
                _as_text(candidate, ind.kind, up),
                after,
                park_id,
                "closed form Δx = ΔS·(U − L)/w*, verified by recomputation",
                True,
            )
    # Bisection on recomputed scores (the score is monotone in the indicator).
    span = (
        (ref.hi - ref.lo)
        if ref.lo is not None and ref.hi is not None and ref.hi != ref.lo
        else max(abs(x0), Fraction(1))
    )
    lo_x, hi_x = x0, None
    step = span
    for _ in range(40):
        trial = x0 + step if up else x0 - step
        if ind.kind == "ratio" and not 0 <= trial <= 1:
            trial = Fraction(1) if up else Fraction(0)
        after = attempt(trial)
        if _goal_met(after, park_id, score, target_rank):
            hi_x = trial
            break
        if step > span * max_factor or (ind.kind == "ratio" and trial in (0, 1)):
            break
        lo_x, step = trial, step * 2
    if hi_x is None:
        return TargetSolution(
            **base,
            indicators={},
            reachable=False,
            verified=True,
            total_after=None,
            rank_after=None,
            note=f"{ind.code} alone cannot reach the goal (its headroom is not enough); combine indicators",
        )
    for _ in range(60):
        mid = (lo_x + hi_x) / 2
        if abs(hi_x - lo_x) <= Fraction(_step(ind.kind)) / 2:
            break
        if _goal_met(attempt(mid), park_id, score, target_rank):
            hi_x = mid
        else:
            lo_x = mid
    final = attempt(hi_x)
    ok = _goal_met(final, park_id, score, target_rank)
    return _solution(
        base,
        ind.code,
        _as_text(hi_x, ind.kind, up),
        final,
        park_id,
        "bisection on recomputed scores (the reference moves), verified",
        ok,
    )


def _solution(
    base: dict[str, Any],
    code: str,
    value: Decimal,
    after: CohortResult,
    park_id: str,
    note: str,
    goal_ok: bool,
) -> TargetSolution:
    total = after.total(park_id)
    return TargetSolution(
        **base,
        indicators={code: f"{value.normalize():f}"},
        reachable=True,
        verified=goal_ok,
        total_after=None if total is None else float(total),
        rank_after=after.rank(park_id),
        note=note,
    )


def plan_target(
    result: CohortResult,
    park_id: str,
    target_score: Decimal | float | str,
    indicators: list[str] | None = None,
) -> TargetSolution:
    """Reach S* with several indicators, filling the cheapest relative effort first.

    Relative effort of indicator j per point: (U − L)/(w*_j·|x_j|) (the share by which x must
    grow to gain one point); each is raised at most to the cohort's best value (n = 100).
    """
    score = Decimal(str(target_score))
    ex = result.exact(park_id)
    i = result.cohort.position(park_id)
    park_id = result.cohort.park_ids[i]
    if ex.total is None:
        raise InputError(
            f"park {park_id} is not rankable ({'; '.join(ex.primary_reasons.values())}); fill the missing data first"
        )
    codes = (
        [result.registry.indicator(c).code for c in indicators]
        if indicators
        else [ind.code for ind in result.registry.indicators if ind.statistical]
    )
    options = []
    for code in codes:
        ref = result.references[code]
        if code not in ex.effective_weight or ref.lo is None or ref.hi == ref.lo or ref.method != "minmax":
            continue
        j = result.registry.codes.index(code)
        x = Fraction(result.cohort.exact[i][j])  # type: ignore[arg-type]
        per_point = (ref.hi - ref.lo) / ex.effective_weight[code]  # type: ignore[operator]
        scale = abs(x) if x else (ref.hi - ref.lo)  # type: ignore[operator]
        options.append((per_point / scale, code, x, per_point))
    options.sort()
    need = Fraction(score) - HALF_CENT - ex.total
    changes: dict[str, str] = {}
    current: dict[str, str | None] = {}
    for _, code, x, per_point in options:
        if need <= 0:
            break
        ind = result.registry.indicator(code)
        ref = result.references[code]
        gain = ex.headroom[code]
        take = min(gain, need)
        delta = take * per_point
        new = x + delta if ind.higher_is_better else x - delta
        changes[code] = f"{_as_text(new, ind.kind, ind.higher_is_better).normalize():f}"
        current[code] = decimal_text(x, 6)
        need -= take
    after = (
        score_cohort(result.cohort.with_changes(park_id, changes), result.registry, result.profile)
        if changes
        else result
    )
    total = after.total(park_id)
    ok = total is not None and total >= score
    base_total = result.total(park_id)
    return TargetSolution(
        park_id=park_id,
        goal=f"total ≥ {score}",
        indicators=changes,
        current=current,
        reachable=need <= 0,
        verified=ok,
        total_before=None if base_total is None else float(base_total),
        total_after=None if total is None else float(total),
        rank_before=result.rank(park_id),
        rank_after=after.rank(park_id),
        note="cheapest relative effort first, each indicator at most to the cohort best; verified by recomputation"
        + ("" if ok else "; NOT reached after recomputation"),
        synthetic=result.synthetic,
        notice=notice_for(result.synthetic),
    )
