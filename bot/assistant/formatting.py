"""Numbers and tables in answer text: values as the tools give them, markdown tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def _trim(num: float) -> str:
    text = f"{num:.2f}".rstrip("0").rstrip(".")
    return text if text not in {"-0", ""} else "0"


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        return str(v).replace("|", "｜").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
