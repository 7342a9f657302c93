"""The scoring engine behind the :class:`~bot.assistant.tools.ParkData` port.

``ScoringParkData`` holds one scored cohort (the SYNTHETIC sample, or the user's file) and
answers the tools' questions with the engine's own results, as the JSON shapes of CONTRACT.md:
score cards (``scoring.cards.build_card``), eligibility reports against 附1
(``scoring.eligibility.evaluate`` with rule pack ``GKFH-2013-388-A1``), what-if recomputations
over the whole cohort (``Cohort.with_changes`` + ``score_cohort``), and the enterprise/person rule
packs (``GKFH-2005-16``, ``GUOFA-2020-7``). No number is computed here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.assistant.router import IndicatorRef, ParkRef

log = logging.getLogger(__name__)

CATEGORY_PACK = "GKFH-2013-388-A1"
# rule id of config/assistant/intents.yaml → (rule pack, rule set, fact the number goes to)
RULES: dict[str, tuple[str, str, str]] = {
    "enterprise_rd_share": ("GKFH-2005-16", "hte_rd_intensity", "rd_intensity"),
    "foreign_talent_work_permit_age": ("GUOFA-2020-7", "work_permit_age", "age"),
    "foreign_talent_residence_years": ("GUOFA-2020-7", "residence_permit", "residence_years"),
}
# the router's fact names → the rule pack's fact ids
FACT_ALIASES = {"rd_share": "rd_intensity", "years": "residence_years"}


class ScoringParkData:
    """One cohort, scored once; what-if results are recomputed per call (exact, never estimated)."""

    def __init__(
        self, cohort: Any, *, registry: Any = None, profile: Any = None, packs: dict[str, Any] | None = None,
        result: Any = None,
    ) -> None:
        from scoring.engine import score_cohort

        self.cohort = cohort
        self.registry = registry or cohort.registry
        self.profile = profile
        self.result = result if result is not None else score_cohort(cohort, self.registry, profile)
        self._packs: dict[str, Any] = dict(packs or {})
        self._lock = threading.Lock()

    @classmethod
    def from_kit(cls, kit: Any) -> ScoringParkData:
        """Share the loaded ``scoring.ScoringKit`` (cohort, registry, rule packs, cached result) with the API."""
        return cls(kit.cohort, registry=kit.registry, profile=kit.profile, packs=kit.packs, result=kit.result())

    @classmethod
    def from_file(cls, path: str | Path, *, profile: str | None = None) -> ScoringParkData:
        from scoring.importing import load_parks
        from scoring.registry import load_registry

        registry = load_registry()
        return cls(load_parks(path, registry), registry=registry, profile=profile)

    # -- the port ----------------------------------------------------------------------------

    def parks(self) -> list[ParkRef]:
        synthetic = bool(self.cohort.synthetic)
        return [ParkRef(park_id=p.park_id, name=p.name or p.park_id, year=p.year, synthetic=synthetic)
                for p in self.cohort.parks]

    def indicators(self) -> list[IndicatorRef]:
        return [IndicatorRef(code=i.code, name=i.name) for i in self.registry.indicators]

    def indicator_system(self) -> dict[str, Any]:
        """The registry's structure: primaries with weights and their secondaries (config data)."""
        reg = self.registry
        return {
            "registry": reg.id,
            "title": reg.title,
            "doc": reg.doc,
            "section": reg.section,
            "primaries": [
                {
                    "code": p.code,
                    "name": p.name,
                    "weight": None if p.weight is None else float(p.weight),
                    "indicators": [
                        {"code": i.code, "name": i.name, "source": i.source,
                         "coefficient": None if i.coefficient is None else float(i.coefficient)}
                        for i in p.indicators
                    ],
                }
                for p in reg.primaries
            ],
        }

    def score_card(self, park_id: str) -> dict[str, Any]:
        from scoring.cards import build_card

        return build_card(self.result, park_id).model_dump(mode="json")

    def eligibility(self, park_id: str, category: str) -> dict[str, Any]:
        from scoring.cohort import to_record
        from scoring.eligibility import evaluate

        record = to_record(self.cohort.park(park_id)).model_dump()
        report = evaluate(self._pack(CATEGORY_PACK), category, record, year=record.get("year"),
                          registry=self.registry, synthetic=bool(self.cohort.synthetic))
        return report.model_dump(mode="json")

    def what_if(self, park_id: str, changes: Mapping[str, str]) -> dict[str, Any]:
        from scoring.cards import build_card
        from scoring.engine import score_cohort

        changed = self.cohort.with_changes(park_id, dict(changes))
        after = build_card(score_cohort(changed, self.registry, self.profile), park_id).model_dump(mode="json")
        before = self.score_card(park_id)
        by_code = {i["code"]: i for i in before.get("indicators", [])}
        rows = []
        for a in after.get("indicators", []):
            b = by_code.get(a["code"], {})
            if a.get("value") != b.get("value") or a["code"] in changes:
                delta = None
                if a.get("contribution") is not None and b.get("contribution") is not None:
                    delta = round(a["contribution"] - b["contribution"], 2)
                rows.append({"code": a["code"], "name": a["name"], "before": b.get("value"), "after": a.get("value"),
                             "contribution_delta": delta})
        return {"before": before, "after": after, "indicators": rows}

    def check_rule(self, rule: str, facts: Mapping[str, Any]) -> dict[str, Any]:
        from scoring.eligibility import evaluate
        from scoring.errors import UnknownKeyError

        if rule not in RULES:
            raise UnknownKeyError(f"Rule {rule!r} is not known (known: {', '.join(RULES)})")
        pack_id, ruleset, _fact = RULES[rule]
        subject = {FACT_ALIASES.get(k, k): v for k, v in facts.items()}
        report = evaluate(self._pack(pack_id), ruleset, subject).model_dump(mode="json")
        report["rule"] = rule
        return report

    def _pack(self, pack_id: str) -> Any:
        with self._lock:
            if pack_id not in self._packs:
                from scoring.rulepacks import load_rule_pack

                self._packs[pack_id] = load_rule_pack(pack_id)
            return self._packs[pack_id]
