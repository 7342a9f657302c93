"""The park data the tools read: a port, and its implementation over the ``scoring`` library.

:class:`ParkData` is what the tools need from scoring; :class:`CohortParks` answers it with the
engine's own functions on one loaded cohort (a ``scoring.ScoringKit``: the SYNTHETIC sample, or the
user's file): ``build_card``, ``explain``, ``what_if`` + ``changed_indicators``,
``check_eligibility`` and ``check_rules``. No number is computed here. Tests pass small fakes
with the same methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bot.assistant.types import (
    CategoryTargets,
    Comparison,
    IndicatorRef,
    IndicatorSystem,
    ParkRef,
    PrimaryIndicator,
    ScoreExplanation,
    ScoreLookup,
    SecondaryIndicator,
    TargetRow,
    WhatIfOutcome,
)
from bot.principal import Principal
from scoring import (
    EligibilityReport,
    Explanation,
    IndicatorChange,
    ScoreCard,
    ScoringKit,
    WhatIfResult,
    build_card,
    changed_indicators,
    check_eligibility,
    check_rules,
    explain,
    rule_sets_for,
    what_if,
)


class ParkData(Protocol):
    """What the tools need from scoring."""

    def parks(self) -> list[ParkRef]: ...

    def indicators(self) -> list[IndicatorRef]: ...

    def indicator_system(self) -> IndicatorSystem: ...

    def rule_sets(self) -> list[tuple[str, str]]: ...

    def categories(self) -> list[CategoryTargets]: ...

    def score_card(self, park_id: str) -> ScoreCard: ...

    def explain(self, park_id: str, top: int) -> Explanation: ...

    def eligibility(self, park_id: str, category: str) -> EligibilityReport: ...

    def what_if(
        self, park_id: str, changes: Mapping[str, str]
    ) -> tuple[WhatIfResult, ScoreCard, ScoreCard, list[IndicatorChange]]: ...

    def check_rule(self, rule_set: str, facts: Mapping[str, Any]) -> EligibilityReport: ...


class CohortParks:
    """One loaded cohort and its rule packs, answered by the scoring engine (thread-safe: read only)."""

    def __init__(self, kit: ScoringKit) -> None:
        if kit.cohort is None:
            raise ValueError("CohortParks needs a ScoringKit with a cohort loaded")
        self.kit = kit
        self.cohort = kit.cohort

    def parks(self) -> list[ParkRef]:
        synthetic = bool(self.cohort.synthetic)
        return [ParkRef(park_id=p.park_id, name=p.name or p.park_id, year=p.year, synthetic=synthetic)
                for p in self.cohort.parks]

    def indicators(self) -> list[IndicatorRef]:
        return [IndicatorRef(code=i.code, name=i.name) for i in self.kit.registry.indicators]

    def indicator_system(self) -> IndicatorSystem:
        reg = self.kit.registry
        return IndicatorSystem(
            registry=reg.id, title=reg.title, doc=reg.doc, section=reg.section,
            primaries=[
                PrimaryIndicator(
                    code=p.code, name=p.name, weight=None if p.weight is None else float(p.weight),
                    indicators=[
                        SecondaryIndicator(code=i.code, name=i.name, source=i.source,
                                           coefficient=None if i.coefficient is None else float(i.coefficient))
                        for i in p.indicators
                    ],
                )
                for p in reg.primaries
            ],
        )

    def rule_sets(self) -> list[tuple[str, str]]:
        """(id, name) of the rule sets about enterprises and persons."""
        return [(rid, name) for kind in ("enterprise", "person") for _pack, rid, name in rule_sets_for(self.kit.packs, kind)]

    def categories(self) -> list[CategoryTargets]:
        """The park categories of the rule packs (附1: the rule sets with a tier) with their targets as
        transcribed (no passages)."""
        return [
            CategoryTargets(category=c.id, name=c.name, doc=pack.doc, title=pack.title, section=c.section,
                            rows=[TargetRow(no=t.no, fact=t.fact, name=t.name, requirement=t.requirement)
                                  for t in c.targets])
            for pack in self.kit.packs.values() for c in pack.categories if c.applies_to == "park" and c.tier is not None
        ]

    def score_card(self, park_id: str) -> ScoreCard:
        return build_card(self.kit.result(), park_id)

    def explain(self, park_id: str, top: int) -> Explanation:
        return explain(self.kit.result(), park_id, top)

    def eligibility(self, park_id: str, category: str) -> EligibilityReport:
        return check_eligibility(park_id, category, self.kit.packs, registry=self.kit.registry, cohort=self.cohort)

    def what_if(
        self, park_id: str, changes: Mapping[str, str]
    ) -> tuple[WhatIfResult, ScoreCard, ScoreCard, list[IndicatorChange]]:
        before = self.kit.result()
        summary, after = what_if(before, park_id, dict(changes))
        rows = changed_indicators(before, after, park_id, dict(changes))
        return summary, build_card(before, park_id), build_card(after, park_id), rows

    def check_rule(self, rule_set: str, facts: Mapping[str, Any]) -> EligibilityReport:
        return check_rules(facts, rule_set, self.kit.packs)


def visible_result(result: Any, principal: Principal) -> Any:
    """A park tool's result as ``principal`` may see it: its score cards name only the unranked
    parks the caller may read (the others are only counted)."""
    may_read = principal.may_read_park
    if isinstance(result, (ScoreLookup, ScoreExplanation)):
        return result.model_copy(update={"card": result.card.visible_to(may_read)})
    if isinstance(result, Comparison):
        return result.model_copy(update={"cards": [c.visible_to(may_read) for c in result.cards]})
    if isinstance(result, WhatIfOutcome):
        return result.model_copy(update={"before": result.before.visible_to(may_read),
                                         "after": result.after.visible_to(may_read)})
    return result
