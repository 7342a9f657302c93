"""Tabular views of a result (pandas), used by golden files, the CLI and the workbook."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from scoring.quantities import decimal_text, round_half_away

if TYPE_CHECKING:
    from scoring.engine import CohortResult


def result_table(result: CohortResult) -> pd.DataFrame:
    """Parks in listing order; scores as 2-decimal text (exact), ranks as nullable integers."""
    ids = result.cohort.park_ids
    rows = []
    for i in result.order():
        park = result.cohort.parks[i]
        row: dict[str, object] = {
            "park_id": ids[i],
            "name": park.name,
            "year": park.year,
            "total": _fmt(result.total_cents[i], bool(result.rankable[i])),
            "rank": result.ranks[i],
        }
        for p in result.registry.primaries:
            row[f"P{p.code}"] = _fmt(result.primary_cents[p.code][i], bool(result.primary_valid[p.code][i]))
            row[f"P{p.code}_rank"] = result.primary_ranks[p.code][i]
        row["rankable"] = bool(result.rankable[i])
        rows.append(row)
    frame = pd.DataFrame(rows)
    for col in frame.columns:
        if col == "rank" or col.endswith("_rank"):
            frame[col] = frame[col].astype("Int64")
    frame["year"] = frame["year"].astype("Int64")
    return frame


def _fmt(cents: int, valid: bool) -> str | None:
    if not valid:
        return None
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def indicator_table(result: CohortResult) -> pd.DataFrame:
    """Long table: park × indicator with exact normalised scores, contributions and headroom."""
    rows = []
    for i in result.order():
        ex = result.exact(i)
        pid = result.cohort.park_ids[i]
        for j, ind in enumerate(result.registry.indicators):
            n = ex.normalized[ind.code]
            raw = result.cohort.exact[i][j]
            rows.append(
                {
                    "park_id": pid,
                    "code": ind.code,
                    "value": None
                    if raw is None
                    else decimal_text(raw, 6)
                    if not hasattr(raw, "normalize")
                    else decimal_text(raw),
                    "normalized": None if n is None else str(round_half_away(n)),
                    "contribution": str(round_half_away(ex.contribution[ind.code]))
                    if ind.code in ex.contribution
                    else None,
                    "headroom": str(round_half_away(ex.headroom[ind.code]))
                    if ind.code in ex.headroom
                    else None,
                    "status": ex.status[ind.code],
                }
            )
    return pd.DataFrame(rows)
