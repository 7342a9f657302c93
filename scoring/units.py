"""The unit a number is shown in: per cent for shares, 万元/亿元 for large sums of money.

Values stay in their declared unit everywhere (ratios are fractions, money is in 元); a card or
a report only says how a reader should see them: ``value / scale`` followed by ``unit``. One
choice per indicator (from the cohort's range) or per target (from its threshold), so the park's
value, the median, the threshold and the gap of one row are always in the same unit.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel

from scoring.quantities import PERCENT_KINDS

RATIO_UNITS = ("比例", "ratio", "%")
# Money in 元 (also 元/人 …) reads better in 万 or 亿 from these magnitudes on.
_MONEY_STEPS = ((Decimal(100_000_000), "亿"), (Decimal(100_000), "万"))
_MONEY_SCALE = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}


class DisplayUnit(BaseModel):
    """Show ``value / scale`` followed by ``unit`` (scale 0.01 and unit "%" for a share)."""

    unit: str
    scale: float


def display_unit(unit: str, kind: str, magnitude: Fraction | Decimal | float | None = None) -> DisplayUnit:
    """How to show values of ``unit`` / ``kind`` whose typical size is ``magnitude`` (a threshold,
    the largest value of a cohort); without a magnitude money stays in 元."""
    if kind in PERCENT_KINDS or unit in RATIO_UNITS:
        return DisplayUnit(unit="%", scale=0.01)
    if unit.startswith("元") and magnitude is not None:
        size = abs(Decimal(str(float(magnitude))))
        for step, prefix in _MONEY_STEPS:
            if size >= step:
                return DisplayUnit(unit=prefix + unit, scale=float(_MONEY_SCALE[prefix]))
    return DisplayUnit(unit=unit, scale=1.0)


def given_or_chosen(unit: str, given: str, scale: float, magnitude: float | None) -> tuple[str, float]:
    """The (display unit, scale) of a result: the ones it was given, else those chosen for its unit."""
    if given or not unit:
        return given, scale
    chosen = display_unit(unit, "", magnitude)
    return chosen.unit, chosen.scale
