"""Golden files for the SYNTHETIC sample cohort (regenerate deliberately with
``.venv/bin/python tests/scoring/make_golden.py`` after a reviewed method change)."""

from __future__ import annotations

import io

import pandas as pd
from pandas.testing import assert_frame_equal

from scoring.tables import indicator_table
from tests.scoring.conftest import GOLDEN


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False)


def _golden(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / name, dtype=str, keep_default_na=False, comment=None, skiprows=1)


def test_scores_and_ranks_match_the_golden_file(result) -> None:
    assert_frame_equal(_as_text(result.table()), _golden("sample_scores.csv"))


def test_indicator_detail_matches_the_golden_file(result) -> None:
    assert_frame_equal(_as_text(indicator_table(result)), _golden("sample_indicators.csv"))
