"""Eligibility entry points: a park against the 附1 categories, an enterprise or a person
against the other rule packs. Subjects are plain mappings (or a cohort's park by id)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scoring.cohort import Cohort
from scoring.eligibility import BestFit, EligibilityReport, best_fit, evaluate, known_keys, unknown_keys
from scoring.errors import UnknownKeyError
from scoring.records import FACT_KEYS, ParkRecord, ParsedRecord
from scoring.registry import Registry
from scoring.rulepacks import RulePack, RuleSet

TARGETS_PACK = "GKFH-2013-388-A1"


def park_subject(park: ParsedRecord) -> dict[str, Any]:
    """A cohort park as an eligibility subject (exact decimal values as text)."""
    subject: dict[str, Any] = {f"{k}": f"{v}" for k, v in park.base.items()}
    subject.update({code: f"{v}" for code, v in park.indicators.items()})
    subject.update(park.facts)
    subject["year"] = park.year
    return subject


def find_rule_set(
    packs: Mapping[str, RulePack], key: str, applies_to: str | None = None
) -> tuple[RulePack, RuleSet]:
    """A category/rule set by Chinese name or id, searched across packs (附1 first)."""
    ordered = sorted(packs.values(), key=lambda p: p.id != TARGETS_PACK)
    for pack in ordered:
        found = pack.find_category(key)
        if found is not None and (applies_to is None or found.applies_to == applies_to):
            return pack, found
    known = [
        f"{c.name} ({c.id})" for p in ordered for c in p.categories if applies_to in (None, c.applies_to)
    ]
    raise UnknownKeyError(f"Category {key!r} is unknown (known: {', '.join(known)})")


def check_eligibility(
    park: Mapping[str, Any] | ParsedRecord | str,
    category: str,
    packs: Mapping[str, RulePack],
    *,
    registry: Registry | None = None,
    cohort: Cohort | None = None,
    near_miss: Any = None,
) -> EligibilityReport:
    """Check a park (a mapping, a parsed record, or a park_id of ``cohort``) against a category."""
    synthetic = False
    if isinstance(park, str):
        if cohort is None:
            raise UnknownKeyError(
                f"park {park!r} given by id but no cohort is loaded; send the park's values instead"
            )
        park = cohort.park(park)
        synthetic = cohort.synthetic
    subject = park_subject(park) if isinstance(park, ParsedRecord) else dict(park)
    pack, rule_set = find_rule_set(packs, category)
    kwargs = {} if near_miss is None else {"near_miss": near_miss}
    return evaluate(pack, rule_set, subject, registry=registry, synthetic=synthetic, **kwargs)


def check_all_categories(
    park: Mapping[str, Any] | ParsedRecord | str,
    packs: Mapping[str, RulePack],
    *,
    registry: Registry | None = None,
    cohort: Cohort | None = None,
) -> tuple[list[EligibilityReport], BestFit]:
    """All three 附1 categories and the best-fitting one."""
    pack = packs[TARGETS_PACK]
    reports = [
        check_eligibility(park, c.id, packs, registry=registry, cohort=cohort) for c in pack.categories
    ]
    return reports, best_fit(reports, {c.id: c.tier or 99 for c in pack.categories})


def check_rules(
    facts: Mapping[str, Any], rule_set: str, packs: Mapping[str, RulePack], *, applies_to: str | None = None
) -> EligibilityReport:
    """An enterprise or a person against one rule set, e.g. ``hte_rd_intensity`` or
    ``work_permit_age``; unstated conditions stay unknown and are listed as missing."""
    pack, found = find_rule_set(packs, rule_set, applies_to)
    return evaluate(pack, found, facts)


def rule_sets_for(packs: Mapping[str, RulePack], applies_to: str) -> list[tuple[str, str, str]]:
    """(pack id, rule-set id, name) of every rule set about parks, enterprises or persons."""
    return [(p.id, c.id, c.name) for p in packs.values() for c in p.categories if c.applies_to == applies_to]


def refuse_unknown_facts(records: Iterable[ParkRecord], packs: Mapping[str, RulePack], registry: Registry) -> None:
    """Raise ``UnknownKeyError`` naming every ``facts`` key that neither scoring nor any rule
    pack reads (a typo would otherwise be carried along unused)."""
    known = known_keys(packs.values(), registry) | set(FACT_KEYS)
    problems = [
        f"park {record.park_id!r} facts {key!r}"
        for record in records
        for key in unknown_keys(record.facts, known, registry)
    ]
    if problems:
        raise UnknownKeyError(
            f"Unknown key(s): {'; '.join(problems)}. facts take the eligibility inputs (clusters, "
            "enterprise_revenues_yi, 附1 fact ids such as rd_intensity or their printed names); "
            "indicators go under 'indicators', base statistics under 'base'."
        )
