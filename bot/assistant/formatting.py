"""Numbers and tables in answer text: values as the tools give them, markdown tables.

The scoring engine says in which unit a number reads best (``display_unit`` and ``display_scale``
of an indicator or an eligibility target: per cent for shares, 万元/人 for a 50万/人 threshold);
:func:`fmt_shown` and the ``target_*`` helpers show it so, every number of one row in one unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from scoring.eligibility import TargetResult

OPERATORS = {">=": "≥", "<=": "≤"}
MARKS = {True: "✓", False: "✗", None: "?"}

RATIO_UNITS = {"%", "ratio", "fraction", "share", "percent", "比例"}
PLAIN_UNITS = {"count", "score", "amount", "number"}


def fmt_value(value: float | int | str | None, unit: str | None = None) -> str:
    """A tool's number for reading: ratios (unit %, ratio, 比例 …) as per cent, two decimals at most."""
    if value is None or value == "":
        return "—"
    unit = (unit or "").strip()
    try:
        num = float(value)
    except (TypeError, ValueError):
        return str(value)
    if unit in RATIO_UNITS:
        return f"{_trim(num * 100)}%"
    text = _trim(num)
    if unit and unit not in PLAIN_UNITS:
        return f"{text} {unit}"
    return text


def fmt_shown(value: float | int | None, unit: str = "", scale: float = 1.0) -> str:
    """``value / scale`` with ``unit`` (no space before %), two decimals at most."""
    if value is None:
        return "—"
    shown = Decimal(str(value)) / Decimal(str(scale or 1))
    text = _trim(float(shown))
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def target_requirement(t: TargetResult) -> str:
    """What a target asks, in the unit of its row (≥ 50 万元/人); a compound or yes/no target as printed."""
    if t.op in OPERATORS and t.threshold is not None:
        return f"{OPERATORS[t.op]} {fmt_shown(t.threshold, t.display_unit, t.display_scale)}"
    return t.requirement


def target_value(t: TargetResult) -> str:
    """The park's value in the unit of its row; a compound target's parts with what each needs."""
    if t.parts:
        return "；".join(
            f"{p.label} {'?' if p.value is None else p.value}/{p.required} {p.unit}" for p in t.parts
        )
    if t.op == "is_true":
        return "—" if t.value is None else MARKS[bool(t.value)]
    return fmt_shown(t.value, t.display_unit, t.display_scale)


def target_gap(t: TargetResult) -> str:
    """The shortfall of a target not met, in the unit of its row; empty otherwise."""
    if t.met is not False or t.gap is None:
        return ""
    unit = "" if t.parts else t.display_unit
    return fmt_shown(t.gap, unit, 1.0 if t.parts else t.display_scale)


def _trim(num: float) -> str:
    text = f"{num:.2f}".rstrip("0").rstrip(".")
    return text if text not in {"-0", ""} else "0"


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        return str(v).replace("|", "｜").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
