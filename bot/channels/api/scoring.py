"""Scores and eligibility over HTTP (CONTRACT.md): thin routes around the ``scoring`` library.

The loaded cohort and config come from ``request.app.state.services.scoring`` (a
``scoring.ScoringKit``); until the lead wires it, ``_kit`` builds one lazily from settings and
keeps it on ``app.state``. Library errors propagate to bot/errors.py (4xx input, 404 unknown park).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

import scoring
from bot.http.auth import check_parks, require_park_access, visible_parks
from bot.principal import Principal
from scoring import ScoreCard
from scoring.cards import CohortInfo
from scoring.checks import refuse_unknown_facts
from scoring.eligibility import EligibilityReport

router = APIRouter(prefix="/api", tags=["scoring"])


def _kit(request: Request) -> scoring.ScoringKit:
    services = getattr(request.app.state, "services", None)
    kit = getattr(services, "scoring", None)
    if kit is None:
        kit = getattr(request.app.state, "scoring_kit", None)
    if kit is None:
        from bot.settings import get_settings

        settings = getattr(services, "settings", None) or get_settings()
        kit = scoring.ScoringKit.load(settings.paths.config / "scoring", settings.paths.parks)
        request.app.state.scoring_kit = kit
    return kit


class ParkSummary(BaseModel):
    park_id: str
    name: str
    year: int | None
    synthetic: bool


class ParksResponse(BaseModel):
    parks: list[ParkSummary]
    synthetic: bool
    notice: str


class ParkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    park_id: str = Field(min_length=1)
    name: str = ""
    year: StrictInt | None = Field(default=None, ge=1980, le=2100)
    region: str | None = None
    indicators: dict[str, Any] = Field(
        default_factory=dict, description='Keys: 附2 codes ("1.2") or names as printed'
    )
    base: dict[str, Any] = Field(
        default_factory=dict, description="Base statistics by id (employees, sales, …)"
    )
    facts: dict[str, Any] = Field(
        default_factory=dict, description="Eligibility inputs (clusters, enterprise_revenues_yi)"
    )


class ScoreRequest(BaseModel):
    parks: list[ParkIn] = Field(min_length=1)
    profile: str | None = None


class ScoreResponse(BaseModel):
    cards: list[ScoreCard]
    cohort: CohortInfo


class EligibilityRequest(BaseModel):
    category: str = Field(
        description="世界一流高科技园区 / 创新型科技园区 / 创新型特色园区 or world_class / innovative_sci_tech / innovative_featured"
    )
    park: dict[str, Any] | None = None
    park_id: str | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> EligibilityRequest:
        if (self.park is None) == (self.park_id is None):
            raise ValueError("give exactly one of 'park' (the park's values) or 'park_id'")
        return self


class EligibilityResponse(EligibilityReport):
    overall: Literal["pass", "fail", "incomplete"]  # type: ignore[assignment]


@router.get("/parks", response_model=ParksResponse)
def list_parks(request: Request) -> ParksResponse:
    kit = _kit(request)
    cohort = kit.cohort
    assert cohort is not None
    allowed = set(visible_parks(request, [p.park_id for p in cohort.parks]))
    parks = [
        ParkSummary(park_id=p.park_id, name=p.name, year=p.year, synthetic=cohort.synthetic)
        for p in cohort.parks
        if p.park_id in allowed
    ]
    return ParksResponse(
        parks=parks, synthetic=cohort.synthetic, notice=scoring.cards.notice_for(cohort.synthetic)
    )


@router.get("/parks/{park_id}/score", response_model=ScoreCard)
def park_score(park_id: str, request: Request, principal: Principal = Depends(require_park_access)) -> ScoreCard:
    return scoring.build_card(_kit(request).result(), park_id).visible_to(principal.may_read_park)


@router.post("/score", response_model=ScoreResponse)
def score_parks(body: ScoreRequest, request: Request) -> dict[str, Any]:
    kit = _kit(request)
    profile = scoring.load_profile(body.profile) if body.profile else kit.profile
    records = [scoring.ParkRecord(**p.model_dump()) for p in body.parks]
    refuse_unknown_facts(records, kit.packs, kit.registry)
    result = scoring.score_cohort(
        scoring.build_cohort(records, kit.registry, grades=profile.grades), kit.registry, profile
    )
    return scoring.cards_payload(result)


@router.post("/eligibility", response_model=EligibilityResponse)
def eligibility(body: EligibilityRequest, request: Request) -> EligibilityReport:
    if body.park_id is not None:
        check_parks(request, [body.park_id])
    kit = _kit(request)
    subject: Any = body.park_id if body.park_id is not None else body.park
    return scoring.check_eligibility(
        subject, body.category, kit.packs, registry=kit.registry, cohort=kit.cohort
    )
