"""ParkBot's deterministic scoring and eligibility engine (docs/SCORING.md).

Pure library: imports pandas, numpy, pydantic and yaml, nothing of ParkBot's. Public API:

    registry = load_registry()                       # 国科发火〔2013〕388号 附2 (GKFH-2013-388-A2)
    profile = load_profile("default")
    cohort = load_parks("data/parks/sample_parks.csv", registry)   # or build_cohort(records, registry)
    result = score_cohort(cohort, registry, profile)  # CohortResult: totals, ranks, audit()
    card = build_card(result, "SYN-001")              # ScoreCard (CONTRACT.md JSON)
    explain(result, "SYN-001"); what_if(result, "SYN-001", {"2.2": "40%"}); changed_indicators(…)
    solve_target(result, "SYN-010", "1.2", target_score=50); rank_stability(result)
    packs = load_rule_packs()
    check_eligibility(park_mapping_or_id, "创新型科技园区", packs, registry=registry, cohort=cohort)
    check_rules({"rd_intensity": "4.5%"}, "hte_rd_intensity", packs)
    check_rules({"age": 63, "foreign_high_end_talent": True}, "work_permit_age", packs)
"""

from scoring.cards import CohortInfo, ScoreCard, build_card, cards_payload, cohort_info
from scoring.checks import check_all_categories, check_eligibility, check_rules, park_subject, rule_sets_for
from scoring.cohort import Cohort, Flag, build_cohort
from scoring.eligibility import BestFit, EligibilityReport, TargetResult
from scoring.engine import ENGINE_VERSION, CohortResult, score_cohort
from scoring.errors import (
    CohortError,
    ConfigError,
    IncompleteRegistryError,
    InputError,
    NotFoundError,
    ParkDataError,
    ParkNotFoundError,
    RegistryError,
    ScoringError,
    UnknownKeyError,
    ValueFormatError,
)
from scoring.explain import Explanation, explain
from scoring.importing import load_parks, read_park_records
from scoring.kit import ScoringKit, default_parks_path
from scoring.profiles import MethodProfile, load_profile, load_profiles
from scoring.quantities import parse_value, round_half_away
from scoring.records import ParkRecord
from scoring.registry import Registry, build_registry, load_registry
from scoring.rulepacks import RulePack, load_rule_pack, load_rule_packs
from scoring.stability import StabilityReport, rank_stability
from scoring.template import write_template
from scoring.whatif import (
    IndicatorChange,
    TargetSolution,
    WhatIfResult,
    changed_indicators,
    plan_target,
    solve_target,
    what_if,
)

__all__ = [
    "ENGINE_VERSION",
    "BestFit",
    "Cohort",
    "CohortError",
    "CohortInfo",
    "CohortResult",
    "ConfigError",
    "EligibilityReport",
    "Explanation",
    "Flag",
    "IncompleteRegistryError",
    "IndicatorChange",
    "InputError",
    "MethodProfile",
    "NotFoundError",
    "ParkDataError",
    "ParkNotFoundError",
    "ParkRecord",
    "Registry",
    "RegistryError",
    "RulePack",
    "ScoreCard",
    "ScoringError",
    "ScoringKit",
    "StabilityReport",
    "TargetResult",
    "TargetSolution",
    "UnknownKeyError",
    "ValueFormatError",
    "WhatIfResult",
    "build_card",
    "build_cohort",
    "build_registry",
    "cards_payload",
    "changed_indicators",
    "check_all_categories",
    "check_eligibility",
    "check_rules",
    "cohort_info",
    "default_parks_path",
    "explain",
    "load_parks",
    "load_profile",
    "load_profiles",
    "load_registry",
    "load_rule_pack",
    "load_rule_packs",
    "park_subject",
    "parse_value",
    "plan_target",
    "rank_stability",
    "read_park_records",
    "round_half_away",
    "rule_sets_for",
    "score_cohort",
    "solve_target",
    "what_if",
    "write_template",
]
