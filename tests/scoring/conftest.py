"""Shared fixtures for the scoring tests: the shipped registry/cohort and a tiny test registry."""

from __future__ import annotations

from pathlib import Path

import pytest

import scoring
from scoring.registry import build_registry

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "parks" / "sample_parks.csv"
GOLDEN = Path(__file__).resolve().parent / "golden"


def tiny_registry(x1_kind: str = "amount") -> scoring.Registry:
    """One primary (W = 30): X1 coefficient 1.1 (+), X2 1.0 (−), X3 0.9 survey score 0–100."""
    row = {"source": "统计", "unit": "个", "citation": ""}
    return build_registry(
        {
            "id": "TEST-ONE-PRIMARY",
            "title": "test",
            "doc": "测试",
            "section": "表",
            "weights_total": "30",
            "primaries": [
                {
                    "code": "1",
                    "name": "P",
                    "weight": "30",
                    "indicators": [
                        {
                            **row,
                            "code": "1.1",
                            "name": "X1",
                            "coefficient": "1.1",
                            "direction": "+",
                            "kind": x1_kind,
                        },
                        {
                            **row,
                            "code": "1.2",
                            "name": "X2",
                            "coefficient": "1.0",
                            "direction": "-",
                            "kind": "ratio",
                            "unit": "比例",
                        },
                        {
                            **row,
                            "code": "1.3",
                            "name": "X3",
                            "coefficient": "0.9",
                            "direction": "+",
                            "kind": "score",
                            "source": "调查",
                            "unit": "分",
                        },
                    ],
                }
            ],
        }
    )


@pytest.fixture(scope="session")
def registry() -> scoring.Registry:
    return scoring.load_registry()


@pytest.fixture(scope="session")
def kit() -> scoring.ScoringKit:
    return scoring.ScoringKit.load(parks_path=SAMPLE)


@pytest.fixture(scope="session")
def result(kit: scoring.ScoringKit) -> scoring.CohortResult:
    return kit.result()
