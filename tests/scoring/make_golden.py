"""Regenerate the golden files of the SYNTHETIC sample cohort (run by hand, then review the diff)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import scoring  # noqa: E402
from scoring.tables import indicator_table  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "golden"

if __name__ == "__main__":
    result = scoring.ScoringKit.load().result()
    header = "# SYNTHETIC sample cohort, default profile, registry GKFH-2013-388-A2 (not official results)\n"
    for name, frame in (
        ("sample_scores.csv", result.table()),
        ("sample_indicators.csv", indicator_table(result)),
    ):
        (GOLDEN / name).write_text(header + frame.to_csv(index=False), encoding="utf-8")
    print(f"wrote {GOLDEN}")
