"""The scoring library's result types, built from the few fields a test cares about.

Fakes and renderer tests write ``score_card(park_id="SYN-001", total=72.35, …)`` and get a real
``scoring.ScoreCard`` (the type the tools and channels carry); fields a test leaves out get neutral
values. SYNTHETIC: every card and report here is made-up sample data.
"""

from __future__ import annotations

from typing import Any

from retrieval.coverage import Coverage
from scoring import EligibilityReport, Explanation, ScoreCard, WhatIfResult
from scoring.cards import notice_for
from scoring.explain import IndicatorEffect


def score_card(**fields: Any) -> ScoreCard:
    primaries = [{"rank": None, "score": None, "weight": 0, **p} for p in fields.pop("primaries", [])]
    indicators = [
        {"unit": "", "source": "统计", "value": None, "normalized": None, "contribution": None, "headroom": None,
         "effective_weight": None, "status": "ok", "reference": {}, "citation": "", **i}
        for i in fields.pop("indicators", [])
    ]
    synthetic = fields.pop("synthetic", True)
    base: dict[str, Any] = {
        "year": None, "total": None, "rank": None, "cohort_size": 1, "rankable": True, "missing": [], "reasons": [],
        "flags": [], "registry": "GKFH-2013-388-A2", "method": "default", "engine_version": "test",
        "input_sha256": "0" * 64, "synthetic": synthetic, "notice": notice_for(synthetic),
    }
    return ScoreCard.model_validate({**base, **fields, "primaries": primaries, "indicators": indicators})


def eligibility_report(**fields: Any) -> EligibilityReport:
    targets = [
        {"id": f"t{t.get('no', i)}", "requirement": "", "unit": "", "threshold": None, "value": None, "met": None,
         "gap": None, "citation": "", **t}
        for i, t in enumerate(fields.pop("targets", []), 1)
    ]
    base: dict[str, Any] = {
        "category_id": "", "pack": "GKFH-2013-388-A1", "applies_to": "park", "overall": "incomplete", "failing": [],
        "missing": [], "near_misses": [], "citation": {"doc": "国科发火〔2013〕388号", "section": "附1"},
    }
    return EligibilityReport.model_validate({**base, **fields, "targets": targets})


def explanation_of(card: ScoreCard, top: int = 3) -> Explanation:
    """What scoring.explain says about a card: the largest headroom and the largest contributions."""
    effects = [
        IndicatorEffect(code=i.code, name=i.name, contribution=i.contribution, headroom=i.headroom,
                        normalized=i.normalized or 0.0, points_per_unit=None, unit=i.unit, citation=i.citation)
        for i in card.indicators
        if i.contribution is not None and i.headroom is not None
    ]
    return Explanation(
        park_id=card.park_id, name=card.name, total=card.total, rank=card.rank, cohort_size=card.cohort_size,
        strengths=sorted(effects, key=lambda e: -e.contribution)[:top],
        losses=sorted(effects, key=lambda e: -e.headroom)[:top],
        reasons=[], missing=[f"{i.code} {i.name}" for i in card.indicators if i.status == "missing"],
        contributions_sum_exactly=True, registry=card.registry, method=card.method, synthetic=card.synthetic,
        notice=card.notice,
    )


def what_if_summary(before: ScoreCard, after: ScoreCard, changes: dict[str, str]) -> WhatIfResult:
    delta = None if before.total is None or after.total is None else round(after.total - before.total, 2)
    return WhatIfResult(
        park_id=before.park_id, changes=dict(changes), total_before=before.total, total_after=after.total, delta=delta,
        rank_before=before.rank, rank_after=after.rank, moved_references=[], registry=before.registry,
        method=before.method, synthetic=before.synthetic, notice=before.notice,
    )


def coverage(covered: bool, score: float = 1.0, threshold: float = 0.3) -> Coverage:
    return Coverage(score=score, covered=covered, dense_top=score, keyword_match=score, threshold=threshold)
