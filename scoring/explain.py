"""Why a park scored what it did: contributions (points earned) and headroom (points lost).

contribution_j = w*_j·n_j/100 and headroom_j = w*_j·(100 − n_j)/100 with the effective weight
w*_j = W_i·a_j/Σ_present a. Exactly, contributions sum to the total and contributions plus
headroom to 100. The per-unit hint d·w*/(U − L) is a marginal estimate, labelled approximate.
"""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel

from scoring.cards import notice_for
from scoring.engine import CohortResult
from scoring.quantities import round_half_away


class IndicatorEffect(BaseModel):
    code: str
    name: str
    contribution: float
    headroom: float
    normalized: float
    points_per_unit: float | None
    unit: str
    citation: str


class Explanation(BaseModel):
    park_id: str
    name: str
    total: float | None
    rank: int | None
    cohort_size: int
    strengths: list[IndicatorEffect]
    losses: list[IndicatorEffect]
    reasons: list[str]
    missing: list[str]
    contributions_sum_exactly: bool
    marginal_note: str = (
        "points_per_unit is an approximate marginal estimate d·w*/(U−L); use what-if for the exact answer"
    )
    registry: str
    method: str
    synthetic: bool
    notice: str


def _r(value: Fraction) -> float:
    return float(round_half_away(value, 2))


def points_per_unit(result: CohortResult, code: str, weight: Fraction) -> Fraction | None:
    """Marginal points per unit of raw value under min-max (approximate; L/U may move)."""
    ref = result.references[code]
    if ref.lo is None or ref.hi is None or ref.hi == ref.lo or ref.method not in ("minmax", "survey"):
        return None
    ind = result.registry.indicator(code)
    sign = 1 if ind.higher_is_better else -1
    return sign * weight / (ref.hi - ref.lo)


def explain(result: CohortResult, park_id: str, top: int = 5) -> Explanation:
    ex = result.exact(park_id)
    i = result.cohort.position(park_id)
    park_id = result.cohort.park_ids[i]  # as the data spells it (ids are matched without case)
    effects = []
    for ind in result.registry.indicators:
        if ind.code not in ex.contribution:
            continue
        n = ex.normalized[ind.code]
        assert n is not None
        ppu = points_per_unit(result, ind.code, ex.effective_weight[ind.code])
        effects.append(
            IndicatorEffect(
                code=ind.code,
                name=ind.name,
                contribution=_r(ex.contribution[ind.code]),
                headroom=_r(ex.headroom[ind.code]),
                normalized=_r(n),
                points_per_unit=None if ppu is None else float(ppu),
                unit=ind.unit,
                citation=ind.citation,
            )
        )
    exact_sum = sum(ex.contribution.values(), Fraction(0))
    strengths = sorted(effects, key=lambda e: (-e.contribution, e.code))[:top]
    losses = sorted(effects, key=lambda e: (-e.headroom, e.code))[:top]
    total = result.total(park_id)
    return Explanation(
        park_id=park_id,
        name=result.cohort.parks[i].name,
        total=None if total is None else float(total),
        rank=result.ranks[i],
        cohort_size=result.size,
        strengths=strengths,
        losses=losses,
        reasons=list(ex.primary_reasons.values()),
        missing=[
            f"{ind.code} {ind.name}"
            for ind in result.registry.indicators
            if ex.status[ind.code] in ("missing", "no_reference")
        ],
        contributions_sum_exactly=ex.total is None or exact_sum == ex.total,
        registry=result.registry.id,
        method=result.profile.id,
        synthetic=result.synthetic,
        notice=notice_for(result.synthetic),
    )
