"""Everything a caller needs, loaded once: registry, profile, rule packs and (optionally) a cohort.

Bot code builds one ``ScoringKit`` at start-up (``ScoringKit.load(config_dir, parks_path)``)
and passes it to routes and tools; the library itself reads no settings or environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scoring.cohort import Cohort
from scoring.engine import CohortResult, score_cohort
from scoring.errors import InputError
from scoring.importing import load_parks
from scoring.profiles import MethodProfile, load_profile
from scoring.registry import DEFAULT_REGISTRY, Registry, load_registry
from scoring.rulepacks import RulePack, load_rule_packs


def default_parks_path() -> Path:
    """The shipped SYNTHETIC sample cohort of this checkout."""
    return Path(__file__).resolve().parent.parent / "data" / "parks" / "sample_parks.csv"


@dataclass
class ScoringKit:
    registry: Registry
    profile: MethodProfile
    packs: dict[str, RulePack]
    cohort: Cohort | None = None
    _results: dict[str, CohortResult] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls,
        config_dir: Path | None = None,
        parks_path: Path | str | None = None,
        *,
        registry: str = DEFAULT_REGISTRY,
        profile: str = "default",
        with_cohort: bool = True,
    ) -> ScoringKit:
        reg = load_registry(registry, config_dir)
        prof = load_profile(profile, config_dir)
        cohort = load_parks(parks_path or default_parks_path(), reg) if with_cohort else None
        return cls(reg, prof, load_rule_packs(config_dir), cohort)

    def result(self, profile: str | MethodProfile | None = None) -> CohortResult:
        """The loaded cohort's result (cached per profile)."""
        if self.cohort is None:
            raise InputError("no park data is loaded; pass a CSV/Excel file or send the parks")
        prof = self.profile if profile is None else load_profile(profile)
        if prof.id not in self._results:
            self._results[prof.id] = score_cohort(self.cohort, self.registry, prof)
        return self._results[prof.id]
