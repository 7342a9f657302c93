"""Reading values in declared units; rounding once, half away from zero."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from scoring import ValueFormatError, parse_value, round_half_away


@pytest.mark.parametrize(
    ("raw", "kind", "unit", "expected"),
    [
        ("8.5%", "ratio", "比例", Decimal("0.085")),
        (0.085, "ratio", "比例", Decimal("0.085")),
        ("８．５％", "ratio", "比例", Decimal("0.085")),
        ("72万", "amount", "元/人", Decimal("720000")),
        ("72万元/人", "amount", "元/人", Decimal("720000")),
        ("1200亿", "amount", "元", Decimal("120000000000")),
        ("8%", "amount", "元/万元", Decimal("800")),
        ("1,234", "count", "人", Decimal("1234")),
        ("-2%", "signed", "比例", Decimal("-0.02")),
        (0, "count", "个", Decimal("0")),
    ],
)
def test_values_are_read_in_the_declared_unit(raw, kind, unit, expected) -> None:
    assert parse_value(raw, kind, field="f", unit=unit) == expected


def test_yi_field_keeps_its_own_unit() -> None:
    assert parse_value("1200亿", "amount", field="rev", unit="亿元", unit_scale=Decimal(10**8)) == Decimal(
        1200
    )


@pytest.mark.parametrize("raw", [None, "", "  ", float("nan")])
def test_missing_is_missing_never_zero(raw) -> None:
    assert parse_value(raw, "ratio", field="f") is None


@pytest.mark.parametrize("raw", [8.5, "8.5", "35"])
def test_bare_number_above_one_for_a_ratio_is_refused_with_the_fix(raw) -> None:
    with pytest.raises(ValueFormatError) as err:
        parse_value(raw, "ratio", field="2.2 服务收入占营业总收入比例")
    assert '%"' in err.value.message and "2.2" in err.value.message
    assert err.value.code == "bad_value"


def test_unreadable_text_names_the_value() -> None:
    with pytest.raises(ValueFormatError, match="七十万"):
        parse_value("七十万", "amount", field="x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(12345, 1000), "12.35"),
        (Fraction(-12345, 1000), "-12.35"),
        (Fraction(113, 3), "37.67"),
        (Decimal("0.004999"), "0.00"),
    ],
)
def test_round_half_away_from_zero(value, expected) -> None:
    assert str(round_half_away(value)) == expected
