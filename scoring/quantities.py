"""Reading values in declared units, exactly, and rounding them for output.

Every published number goes string → ``Decimal`` → ``Fraction``; never through a binary float.
Kinds: ``ratio`` (a share in [0, 1]), ``signed`` (a fraction that may be negative, e.g. a growth
rate), ``count``, ``amount`` (money or an intensity), ``score`` (a survey/qualitative score),
``flag`` (yes/no). Ratios are fractions (0.085) or per-cent strings ("8.5%"); a bare number
above 1 for a ratio is refused, never reinterpreted as per cent.

Every value must lie in the range the engine scores exactly: a magnitude below 10^18 in the
field's unit (a park's revenue in 元 is below 10^14) and at most 30 decimal places. Values
outside it (``1e22``, ``"1e999999999"``, ``1e-40``) are refused naming the field, never
computed: exact Fractions of such numbers would cost unbounded time and memory.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from scoring.errors import ValueFormatError

KINDS = ("ratio", "signed", "count", "amount", "score", "flag")
PERCENT_KINDS = ("ratio", "signed")

_MULTIPLIERS = {"千": Decimal(1000), "万": Decimal(10_000), "亿": Decimal(100_000_000)}
# Unit words that may follow a number; they carry no scale of their own.
_UNIT_WORDS = ("元/人", "/人", "元", "人", "个", "家", "件", "项", "岁", "年", "吨标准煤/万元", "吨标准煤")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(.*)$")
_TRUE = {"true", "yes", "y", "1", "是", "有", "对", "✓"}
_FALSE = {"false", "no", "n", "0", "否", "无", "不是", "✗"}

MAX_MAGNITUDE = Decimal("1e18")  # |value| must be below this, in the field's unit
MAX_PLACES = 30  # digits after the decimal point

# How a per-cent string maps onto an intensity unit: 8% of sales is 800 元 per 万元 of sales.
PERCENT_SCALE = {"元/万元": Decimal(10_000)}


def is_missing(raw: object) -> bool:
    """An absent value: ``None``, an empty/blank string, NaN or pandas' NA. Zero is not missing."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() in ("", "-", "—", "n/a", "N/A", "NA", "null", "None", "nan")
    if isinstance(raw, float):
        return math.isnan(raw)
    if isinstance(raw, Decimal):
        return raw.is_nan()
    try:
        import pandas as pd

        return bool(pd.isna(raw)) if not isinstance(raw, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _as_decimal(raw: object, field: str) -> tuple[Decimal, str, bool]:
    """Return (number, trailing text, had_percent) for a scalar input."""
    if isinstance(raw, bool):
        raise ValueFormatError(
            f"{field}: {raw!r} is a yes/no value, expected a number", field=field, value=raw
        )
    if isinstance(raw, Decimal):
        return raw, "", False
    if isinstance(raw, int):
        return Decimal(raw), "", False
    if isinstance(raw, float):
        if math.isinf(raw):
            raise ValueFormatError(f"{field}: {raw!r} is not a finite number", field=field, value=raw)
        return Decimal(repr(raw)), "", False  # the shortest repr is the number the user typed
    if hasattr(raw, "item") and not isinstance(raw, str):  # numpy scalars
        return _as_decimal(raw.item(), field)
    if not isinstance(raw, str):
        raise ValueFormatError(f"{field}: {raw!r} is not a number", field=field, value=raw)
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace(" ", "")
    text = text.replace("％", "%")
    match = _NUMBER.match(text)
    if not match:
        raise ValueFormatError(
            f'{field}: {raw!r} is not a number; write digits such as 0.085, "8.5%", "72万" or "1200亿"',
            field=field,
            value=raw,
        )
    try:
        number = Decimal(match.group(1))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise ValueFormatError(f"{field}: {raw!r} is not a number", field=field, value=raw) from exc
    rest = match.group(2)
    return number, rest, rest.startswith("%")


def parse_flag(raw: object, field: str) -> bool | None:
    """Yes/no facts: true/false, 是/否, 1/0. Missing stays ``None``."""
    if is_missing(raw):
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueFormatError(
        f"{field}: {raw!r} is not yes/no; write true/false or 是/否", field=field, value=raw
    )


def parse_value(
    raw: object,
    kind: str,
    *,
    field: str,
    unit: str = "",
    unit_scale: Decimal = Decimal(1),
    grades: dict[str, Decimal] | None = None,
) -> Decimal | None:
    """Read one value exactly in the field's unit. Missing → ``None``; zero stays zero.

    ``unit_scale`` is how many 元 one unit of the field is worth (亿元 fields: 10^8), so
    "1200亿" is 1200 in an 亿元 field and 120000000000 in a 元 field.
    """
    if type(raw) is str and _PLAIN.match(raw):  # fast path: plain decimal text
        number = _in_range(Decimal(raw), raw, field, unit)
        if kind in PERCENT_KINDS and abs(number) > 1:
            return _refuse_bare_ratio(raw, number, field)
        return number
    if is_missing(raw):
        return None
    if kind == "flag":
        flag = parse_flag(raw, field)
        return None if flag is None else Decimal(int(flag))
    if kind == "score" and grades and isinstance(raw, str) and raw.strip().upper() in grades:
        return grades[raw.strip().upper()]
    number, rest, percent = _as_decimal(raw, field)
    _in_range(number, raw, field, unit)
    if percent:
        rest = rest[1:]
        if rest:
            raise ValueFormatError(
                f"{field}: unexpected text {rest!r} after the per-cent sign in {raw!r}",
                field=field,
                value=raw,
            )
        if kind in PERCENT_KINDS:
            return number / 100
        if unit in PERCENT_SCALE:
            return number / 100 * PERCENT_SCALE[unit]
        raise ValueFormatError(
            f"{field}: {raw!r} is a percentage but this field is a {kind} in {unit or 'plain units'}; "
            "write a plain number",
            field=field,
            value=raw,
        )
    if rest:
        multiplier = Decimal(1)
        if rest[0] in _MULTIPLIERS:
            multiplier, rest = _MULTIPLIERS[rest[0]], rest[1:]
        if rest and rest not in _UNIT_WORDS and not (unit and rest == unit):
            raise ValueFormatError(
                f"{field}: cannot read the unit {rest!r} in {raw!r}; this field is in {unit or 'plain units'}",
                field=field,
                value=raw,
            )
        if multiplier != 1:
            if kind in PERCENT_KINDS or kind == "score":
                raise ValueFormatError(
                    f'{field}: {raw!r} uses 万/亿 but this field is a {kind}; write a fraction or "8.5%"',
                    field=field,
                    value=raw,
                )
            number = _in_range(number * multiplier / unit_scale, raw, field, unit)
    if kind in PERCENT_KINDS and abs(number) > 1:
        _refuse_bare_ratio(raw, number, field)
    return number


def _in_range(number: Decimal, raw: object, field: str, unit: str) -> Decimal:
    """``number`` if the engine can score it exactly (see the module docstring), else refuse it."""
    if not number.is_finite():
        raise ValueFormatError(f"{field}: {raw!r} is not a finite number", field=field, value=raw)
    if number and number.adjusted() >= MAX_MAGNITUDE.adjusted():
        raise ValueFormatError(
            f"{field}: {raw!r} is too large; values must be below 10^18 in the field's unit "
            f"({unit or 'plain units'}). Check the unit (元, 万元 or 亿元) and the number of digits.",
            field=field,
            value=raw,
        )
    if number and number.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
        raise ValueFormatError(
            f"{field}: {raw!r} has more than {MAX_PLACES} decimal places; round it to at most {MAX_PLACES}",
            field=field,
            value=raw,
        )
    return number


def _refuse_bare_ratio(raw: object, number: Decimal, field: str) -> Decimal:
    shown = f"{number.normalize():f}"
    raise ValueFormatError(
        f"{field}: {raw!r} is a bare number above 1 for a ratio; ratios are fractions. "
        f'If you mean {shown} per cent, write "{shown}%" (or {(number / 100).normalize():f})',
        field=field,
        value=raw,
    )


def to_fraction(value: Decimal | int | Fraction) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def round_half_away(value: Fraction | Decimal, places: int = 2) -> Decimal:
    """Round once, half away from zero, exactly (no binary floats on the way)."""
    frac = value if isinstance(value, Fraction) else Fraction(value)
    scale = 10**places
    scaled = abs(frac) * scale
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = "-" if frac < 0 and whole else ""
    return Decimal(f"{sign}{whole}E-{places}")  # exact at any size: no context precision involved


def decimal_text(value: Decimal | Fraction, places: int | None = None) -> str:
    """Canonical text of a number: no exponent, no trailing zeros (Fractions to ``places`` digits)."""
    if type(value) is Decimal:
        text = f"{value.normalize():f}"
        return "0" if text == "-0" else text
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        dec = Decimal(value.numerator) / Decimal(value.denominator)
        if places is not None:
            dec = round_half_away(value, places)
        value = dec
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text
