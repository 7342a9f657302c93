"""Score cards: the JSON shape of CONTRACT.md, built from a ``CohortResult`` exactly.

Numbers are rounded once, half away from zero, to 2 decimals (raw values to 6). The exact
contributions sum to the exact total; rounded ones may differ from the rounded total by a few
hundredths, which ``rounding_note`` says.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, model_validator

from scoring.quantities import round_half_away
from scoring.units import display_unit, given_or_chosen

if TYPE_CHECKING:
    from scoring.engine import CohortResult

SYNTHETIC_NOTICE = "SYNTHETIC sample data (fictional parks): for demonstration only, not real statistics."
METHOD_NOTICE = (
    "ParkBot's documented method on the official 附2 structure and weights; not an official "
    "Torch Center (火炬中心) result."
)
SYNTHETIC_NOTICE_ZH = "SYNTHETIC 示例数据：园区与数值均为虚构，仅供演示，不是真实统计。"
METHOD_NOTICE_ZH = "得分由 ParkBot 按国科发火〔2013〕388号 附2 的结构和权重、以公开的方法计算，并非火炬中心官方评价结果。"


class PrimaryScore(BaseModel):
    code: str
    name: str
    weight: float
    score: float | None
    rank: int | None
    reason: str | None = None
    ranked: int = Field(default=0, description="Parks with a score on this primary: what `rank` is out of")
    median: float | None = Field(default=None, description="The cohort median of this primary's scores")


class IndicatorScore(BaseModel):
    code: str
    name: str
    unit: str
    source: str
    value: float | None
    normalized: float | None
    contribution: float | None
    headroom: float | None
    effective_weight: float | None
    status: str
    reference: dict[str, float | None]
    citation: str
    median: float | None = Field(default=None, description="The cohort median of the raw value (reporting parks)")
    display_unit: str = Field(default="", description="Show value / display_scale followed by this unit")
    display_scale: float = 1.0

    @model_validator(mode="after")
    def _default_display(self) -> IndicatorScore:
        """A card made without a display unit shows the indicator's own unit (a share as per cent)."""
        self.display_unit, self.display_scale = given_or_chosen(self.unit, self.display_unit, self.display_scale,
                                                                self.median)
        return self


class CoverageGap(BaseModel):
    """A primary without a score: its indicators present carry too little of its coefficients."""

    code: str
    name: str
    present: float = Field(description="Sum of the coefficients of the indicators present")
    total: float = Field(description="Sum of all the primary's coefficients")
    required: str = Field(description="The share of the coefficients needed, e.g. 2/3")
    missing: list[str] = Field(description="Codes of the indicators not counted")


    def text(self) -> str:
        """In Chinese: 一级指标3「…」缺 3.4、3.7 的数据（现有赋权 5.3 / 10，不足 2/3）."""
        return (
            f"一级指标{self.code}「{self.name}」缺 {'、'.join(self.missing)} 的数据"
            f"（现有赋权 {self.present:g} / {self.total:g}，不足 {self.required}）"
        )


class UnrankedPark(BaseModel):
    """A park of the cohort without a total, and why."""

    park_id: str
    name: str
    reason: str
    gaps: list[CoverageGap]

    def text(self) -> str:
        """Why the park has no total, in Chinese (the engine's own reason when no gap is known)."""
        return "；".join(g.text() for g in self.gaps) or self.reason


class ScoreCard(BaseModel):
    park_id: str
    name: str
    year: int | None
    total: float | None
    rank: int | None
    cohort_size: int
    rankable: bool
    primaries: list[PrimaryScore]
    indicators: list[IndicatorScore]
    missing: list[str]
    reasons: list[str]
    flags: list[dict[str, str]]
    registry: str
    method: str
    engine_version: str
    input_sha256: str
    synthetic: bool
    notice: str
    rounding_note: str = Field(
        default="Exact contributions sum to the exact total; each number is rounded once to 2 decimals."
    )
    rankable_count: int = Field(default=0, description="Parks with a total: what `rank` is out of")
    median_total: float | None = Field(default=None, description="The median total of the rankable parks")
    unrankable: list[UnrankedPark] = Field(
        default_factory=list, description="The cohort's parks without a total (those the caller may see)"
    )

    def visible_to(self, may_read: Callable[[str], bool]) -> ScoreCard:
        """This card for a caller who may read only some parks: the unranked parks it may not read
        are left out (``cohort_size - rankable_count`` still counts them)."""
        kept = [u for u in self.unrankable if may_read(u.park_id)]
        return self if len(kept) == len(self.unrankable) else self.model_copy(update={"unrankable": kept})


class CohortInfo(BaseModel):
    size: int
    year: int | None
    registry: str
    method: str
    engine_version: str
    input_sha256: str
    synthetic: bool
    notice: str


def _num(value: Fraction | Decimal | None, places: int = 2) -> float | None:
    return None if value is None else float(round_half_away(Fraction(value), places))


def notice_for(synthetic: bool) -> str:
    return f"{SYNTHETIC_NOTICE} {METHOD_NOTICE}" if synthetic else METHOD_NOTICE


def notice_zh(synthetic: bool) -> str:
    """The notice in Chinese, for Chinese exports and the command line."""
    return f"{SYNTHETIC_NOTICE_ZH}{METHOD_NOTICE_ZH}" if synthetic else METHOD_NOTICE_ZH


def unranked_parks(result: CohortResult) -> list[UnrankedPark]:
    """Every park of the cohort without a total, with the primaries that lack coverage."""
    reg = result.registry
    names = {p.code: p.name for p in reg.primaries}
    out = []
    for i, park in enumerate(result.cohort.parks):
        if result.rankable[i]:
            continue
        ex = result.exact(i)
        gaps = [
            CoverageGap(
                code=code,
                name=names[code],
                present=float(gap.present),
                total=float(gap.total),
                required=str(result.profile.coverage),
                missing=list(gap.missing),
            )
            for code, gap in ex.primary_gaps.items()
        ]
        out.append(
            UnrankedPark(
                park_id=park.park_id,
                name=park.name,
                reason="；".join(ex.primary_reasons.values()),
                gaps=gaps,
            )
        )
    return out


def build_card(result: CohortResult, park_id: str) -> ScoreCard:
    i = result.cohort.position(park_id)
    park = result.cohort.parks[i]
    park_id = park.park_id
    ex = result.exact(i)
    reg = result.registry
    medians = result.medians()
    primaries = [
        PrimaryScore(
            code=p.code,
            name=p.name,
            weight=float(p.weight),  # type: ignore[arg-type]
            score=float(result.primary_score(park_id, p.code)) if result.primary_valid[p.code][i] else None,  # type: ignore[arg-type]
            rank=result.primary_ranks[p.code][i],
            reason=ex.primary_reasons.get(p.code),
            ranked=result.ranked_count(p.code),
            median=_num(medians.primaries[p.code]),
        )
        for p in reg.primaries
    ]
    indicators = []
    for j, ind in enumerate(reg.indicators):
        ref = result.references[ind.code]
        mid = medians.values[ind.code]
        shown = display_unit(ind.unit, ind.kind, mid)
        indicators.append(
            IndicatorScore(
                code=ind.code,
                name=ind.name,
                unit=ind.unit,
                source=ind.source,
                value=_num(result.cohort.exact[i][j], 6),
                normalized=_num(ex.normalized[ind.code]),
                contribution=_num(ex.contribution.get(ind.code)),
                headroom=_num(ex.headroom.get(ind.code)),
                effective_weight=_num(ex.effective_weight.get(ind.code), 4),
                status=ex.status[ind.code],
                reference={"L": _num(ref.lo, 6), "U": _num(ref.hi, 6)},
                citation=ind.citation,
                median=_num(mid, 6),
                display_unit=shown.unit,
                display_scale=shown.scale,
            )
        )
    total = result.total(park_id)
    return ScoreCard(
        park_id=park.park_id,
        name=park.name,
        year=park.year,
        total=None if total is None else float(total),
        rank=result.ranks[i],
        cohort_size=result.size,
        rankable=bool(result.rankable[i]),
        primaries=primaries,
        indicators=indicators,
        missing=[
            f"{ind.code} {ind.name}"
            for ind in reg.indicators
            if ex.status[ind.code] in ("missing", "no_reference")
        ],
        reasons=[r for r in ex.primary_reasons.values()],
        flags=[f.as_dict() for f in result.flags[i]] + [f.as_dict() for f in result.cohort_flags],
        registry=reg.id,
        method=result.profile.id,
        engine_version=result.engine_version,
        input_sha256=result.input_sha256,
        synthetic=result.synthetic,
        notice=notice_for(result.synthetic),
        rankable_count=result.rankable_count,
        median_total=_num(medians.total),
        unrankable=unranked_parks(result),
    )


def cohort_info(result: CohortResult) -> CohortInfo:
    return CohortInfo(
        size=result.size,
        year=result.cohort.year,
        registry=result.registry.id,
        method=result.profile.id,
        engine_version=result.engine_version,
        input_sha256=result.input_sha256,
        synthetic=result.synthetic,
        notice=notice_for(result.synthetic),
    )


def cards_payload(result: CohortResult) -> dict[str, Any]:
    """``{"cards": [...], "cohort": {...}}`` in listing order (the POST /api/score answer)."""
    cards = [build_card(result, result.cohort.park_ids[i]).model_dump() for i in result.order()]
    return {"cards": cards, "cohort": cohort_info(result).model_dump()}
