"""Normalisation of raw values to n ∈ [0, 100], vectorised (float) and exact (Fraction).

The float path scores a whole column at once; the exact path computes one value with rationals
(z-score and log1p use 50-digit decimals, since they are irrational). Both follow the same
formulas; the engine uses the exact path wherever rounding could differ.

Statistical indicators (统计) use the profile's method with the cohort reference:
  minmax          higher-better 100·(x−L)/(U−L); lower-better 100·(U−x)/(U−L); U = L → 100
  ratio_to_best   higher-better min(100, 100·x/U); lower-better min(100, 100·L/x); clipped at 0
  zscore          50 ± 10·(x−mean)/sd (population sd), clipped to [0, 100]; sd = 0 → 100
  percentile      100·(#worse + ½·(#equal − 1))/(N − 1); N = 1 → 100
  goalposts       fixed [lo, hi] per indicator from the profile, clipped
  log1p_minmax    minmax on ln(1 + x) for count/amount indicators (others plain minmax)
Survey (调查) and qualitative (定性) scores: fixed goalposts on the declared scale, clipped.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np

from scoring.errors import ConfigError
from scoring.profiles import MethodProfile
from scoring.registry import Indicator

HUNDRED = Fraction(100)
_LOG_KINDS = ("count", "amount")


@dataclass
class Reference:
    """What a column is normalised against; L/U (``lo``/``hi``) go into the audit record."""

    code: str
    method: str
    count: int = 0
    lo: Fraction | None = None
    hi: Fraction | None = None
    mean: Fraction | None = None
    sd: Fraction | None = None
    sorted_exact: list[Fraction] = field(default_factory=list)
    median: Fraction | None = None
    constant: bool = False


def _exact_extreme(col: np.ndarray, exact_col: Callable[[int], Any], pick_min: bool) -> Fraction:
    """The exact min/max: take the float extreme, then compare exactly among near-equal floats."""
    target = np.nanmin(col) if pick_min else np.nanmax(col)
    tol = abs(target) * 1e-12 + 1e-300
    near = np.flatnonzero(np.abs(col - target) <= tol)
    candidates = [Fraction(exact_col(int(i))) for i in near]
    return min(candidates) if pick_min else max(candidates)


def _dec(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _ln1p(value: Fraction) -> Fraction:
    with localcontext() as ctx:
        ctx.prec = 50
        return Fraction((1 + _dec(value)).ln())


def _sqrt(value: Fraction) -> Fraction:
    with localcontext() as ctx:
        ctx.prec = 50
        return Fraction(_dec(value).sqrt())


def method_for(ind: Indicator, profile: MethodProfile) -> str:
    if not ind.statistical:
        return "survey"
    if profile.normalisation == "log1p_minmax" and ind.kind not in _LOG_KINDS:
        return "minmax"
    return profile.normalisation


def build_reference(
    ind: Indicator, col: np.ndarray, exact_col: Callable[[int], Any], profile: MethodProfile
) -> Reference:
    """``exact_col(i)`` gives park i's exact value; it is called only where exactness matters."""
    method = method_for(ind, profile)
    ref = Reference(ind.code, method)
    if method == "survey":
        lo, hi = ind.scale or profile.survey_scale
        ref.lo, ref.hi = Fraction(lo), Fraction(hi)
        ref.count = int(np.count_nonzero(~np.isnan(col)))
        return ref
    present = ~np.isnan(col)
    ref.count = int(present.sum())
    if ref.count == 0:
        return ref
    if method == "goalposts":
        if ind.code not in profile.goalposts:
            raise ConfigError(
                f"Profile {profile.id!r} uses goalposts but declares none for indicator {ind.code}"
            )
        lo, hi = profile.goalposts[ind.code]
        ref.lo, ref.hi = Fraction(lo), Fraction(hi)
        return ref
    ref.lo = _exact_extreme(col, exact_col, True)
    ref.hi = _exact_extreme(col, exact_col, False)
    ref.constant = ref.lo == ref.hi
    if method == "log1p_minmax" and ref.lo <= -1:
        ref.method = method = "minmax"  # ln(1+x) is undefined; fall back, the audit shows it
    needs_all = method in ("zscore", "percentile") or profile.missing == "median"
    if needs_all:
        values = sorted(Fraction(exact_col(int(i))) for i in np.flatnonzero(present))
        ref.sorted_exact = values
        mid = len(values) // 2
        ref.median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
        if method == "zscore":
            ref.mean = sum(values, Fraction(0)) / len(values)
            var = sum(((v - ref.mean) ** 2 for v in values), Fraction(0)) / len(values)
            ref.sd = _sqrt(var) if var else Fraction(0)
            ref.constant = var == 0
    return ref


def _clip_exact(value: Fraction) -> Fraction:
    return min(HUNDRED, max(Fraction(0), value))


def normalise_exact(x: Fraction, ind: Indicator, ref: Reference) -> Fraction:
    """n ∈ [0, 100] for one value, exactly (z-score/log1p to 50 digits)."""
    up = ind.higher_is_better
    method = ref.method
    assert ref.lo is not None and ref.hi is not None
    if method in ("survey", "goalposts"):
        raw = HUNDRED * (x - ref.lo) / (ref.hi - ref.lo)
        return _clip_exact(raw if up else HUNDRED - raw)
    if ref.constant:
        return HUNDRED
    if method == "minmax":
        span = ref.hi - ref.lo
        return HUNDRED * ((x - ref.lo) if up else (ref.hi - x)) / span
    if method == "log1p_minmax":
        lo, hi, t = _ln1p(ref.lo), _ln1p(ref.hi), _ln1p(x)
        return _clip_exact(HUNDRED * ((t - lo) if up else (hi - t)) / (hi - lo))
    if method == "ratio_to_best":
        if up:
            return HUNDRED if ref.hi <= 0 else _clip_exact(HUNDRED * x / ref.hi)
        return HUNDRED if x <= 0 else _clip_exact(HUNDRED * ref.lo / x)
    if method == "zscore":
        assert ref.mean is not None and ref.sd is not None
        z = (x - ref.mean) / ref.sd
        return _clip_exact(50 + 10 * (z if up else -z))
    if method == "percentile":
        values = ref.sorted_exact
        below = bisect.bisect_left(values, x)
        above = len(values) - bisect.bisect_right(values, x)
        equal = len(values) - below - above
        if len(values) == 1:
            return HUNDRED
        worse = below if up else above
        return HUNDRED * (worse + Fraction(equal - 1, 2)) / (len(values) - 1)
    raise ConfigError(f"unknown normalisation {method!r}")  # pragma: no cover


def normalise_column(col: np.ndarray, ind: Indicator, ref: Reference) -> np.ndarray:
    """Vectorised n for a column (NaN stays NaN)."""
    up = ind.higher_is_better
    method = ref.method
    if ref.lo is None or ref.hi is None:
        return np.full_like(col, np.nan)
    lo, hi = float(ref.lo), float(ref.hi)
    if method in ("survey", "goalposts"):
        raw = 100.0 * (col - lo) / (hi - lo)
        return np.clip(raw if up else 100.0 - raw, 0.0, 100.0)
    if ref.constant:
        return np.where(np.isnan(col), np.nan, 100.0)
    if method == "minmax":
        return 100.0 * ((col - lo) if up else (hi - col)) / (hi - lo)
    if method == "log1p_minmax":
        t, tl, th = np.log1p(col), np.log1p(lo), np.log1p(hi)
        return np.clip(100.0 * ((t - tl) if up else (th - t)) / (th - tl), 0.0, 100.0)
    if method == "ratio_to_best":
        with np.errstate(divide="ignore", invalid="ignore"):
            if up:
                out = np.full_like(col, 100.0) if hi <= 0 else np.clip(100.0 * col / hi, 0.0, 100.0)
            else:
                out = np.where(col <= 0, 100.0, np.clip(100.0 * lo / col, 0.0, 100.0))
        return np.where(np.isnan(col), np.nan, out)
    if method == "zscore":
        assert ref.mean is not None and ref.sd is not None
        z = (col - float(ref.mean)) / float(ref.sd)
        return np.clip(50.0 + 10.0 * (z if up else -z), 0.0, 100.0)
    if method == "percentile":
        values = np.array([float(v) for v in ref.sorted_exact])
        below = np.searchsorted(values, col, side="left")
        above = len(values) - np.searchsorted(values, col, side="right")
        equal = len(values) - below - above
        if len(values) == 1:
            return np.where(np.isnan(col), np.nan, 100.0)
        worse = below if up else above
        out = 100.0 * (worse + (equal - 1) / 2.0) / (len(values) - 1)
        return np.where(np.isnan(col), np.nan, out)
    raise ConfigError(f"unknown normalisation {method!r}")  # pragma: no cover
