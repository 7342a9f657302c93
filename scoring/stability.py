"""Rank stability: seeded Monte Carlo over the weights.

Each draw multiplies every secondary coefficient a_j and every primary weight W_i by an
independent factor uniform on [1 − spread, 1 + spread] (default ±20 %); primary weights are
rescaled to their original total so scores stay on 0–100. The ⅔ coverage rule is applied with
the drawn coefficients. Reported per park: the rank without perturbation, P05 and P95 of the
drawn ranks, and the share of draws in which it keeps its rank. Deterministic for a seed.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from scoring.cards import notice_for
from scoring.engine import CohortResult


class StabilityRow(BaseModel):
    park_id: str
    rank: int | None
    p05: int | None
    p95: int | None
    keep_probability: float | None


class StabilityReport(BaseModel):
    draws: int
    spread: float
    seed: int
    rows: list[StabilityRow]
    registry: str
    method: str
    synthetic: bool
    notice: str


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Competition ranks per row of a (draws × parks) array of cents; NaN → 0 (unranked)."""
    valid = ~np.isnan(scores)
    filled = np.where(valid, scores, -np.inf)
    ordered = np.sort(filled, axis=1)
    ranks = np.empty(scores.shape, dtype=np.int64)
    for d in range(scores.shape[0]):
        ranks[d] = scores.shape[1] - np.searchsorted(ordered[d], filled[d], side="right") + 1
    return np.where(valid, ranks, 0)


def rank_stability(
    result: CohortResult, *, draws: int | None = None, spread: float | None = None, seed: int | None = None
) -> StabilityReport:
    settings = result.profile.stability
    draws = draws or settings.draws
    spread = float(settings.spread if spread is None else spread)
    seed = settings.seed if seed is None else seed
    rng = np.random.default_rng(seed)
    reg = result.registry
    N = result.normalized  # parks × indicators, NaN = not counted
    present = ~np.isnan(N)
    Nz = np.where(present, N, 0.0)
    coef = np.array([float(i.coefficient) for i in reg.indicators])  # type: ignore[arg-type]
    weights = np.array([float(p.weight) for p in reg.primaries])  # type: ignore[arg-type]
    sizes = [len(p.indicators) for p in reg.primaries]
    bounds = np.cumsum([0, *sizes])
    cov = float(result.profile.coverage)
    a = coef[None, :] * rng.uniform(1 - spread, 1 + spread, size=(draws, len(coef)))
    w = weights[None, :] * rng.uniform(1 - spread, 1 + spread, size=(draws, len(weights)))
    w = w / w.sum(axis=1, keepdims=True) * weights.sum()
    total = np.zeros((draws, N.shape[0]))
    for k in range(len(sizes)):
        sl = slice(bounds[k], bounds[k + 1])
        num = a[:, sl] @ Nz[:, sl].T
        den = a[:, sl] @ present[:, sl].T
        full = a[:, sl].sum(axis=1, keepdims=True)
        ok = (den > 0) & (den >= cov * full - 1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):
            total += w[:, k : k + 1] / 100.0 * np.where(ok, num / den, np.nan)
    cents = np.floor(total * 100.0 + 0.5)
    ranks = _ranks(cents)
    rows = []
    for p in result.order():
        base_rank = result.ranks[p]
        col = ranks[:, p]
        drawn = col[col > 0]
        if base_rank is None or not len(drawn):
            rows.append(
                StabilityRow(
                    park_id=result.cohort.park_ids[p],
                    rank=base_rank,
                    p05=None,
                    p95=None,
                    keep_probability=None,
                )
            )
            continue
        rows.append(
            StabilityRow(
                park_id=result.cohort.park_ids[p],
                rank=base_rank,
                p05=int(np.quantile(drawn, 0.05, method="inverted_cdf")),
                p95=int(np.quantile(drawn, 0.95, method="inverted_cdf")),
                keep_probability=float(np.mean(col == base_rank)),
            )
        )
    return StabilityReport(
        draws=draws,
        spread=spread,
        seed=seed,
        rows=rows,
        registry=reg.id,
        method=result.profile.id,
        synthetic=result.synthetic,
        notice=notice_for(result.synthetic),
    )
