"""Rule packs as data: 附1 category targets, the 2005 纲要 rules, the 国发〔2020〕7号 person rules.

A pack declares its facts (id, printed name, aliases, kind, unit, how to derive them) and rule
sets ("categories"), each saying whom it applies to (park / enterprise / person) and listing
targets with an operator (>=, <=, is_true, clusters_giants), a threshold (or year tiers) and the
clause it comes from. Loading validates all of it and names the file and line of a bad row.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from scoring.config_files import default_config_dir, read_yaml, where
from scoring.errors import ConfigError, UnknownKeyError
from scoring.formulas import Formula, FormulaSyntaxError, parse_formula
from scoring.quantities import KINDS
from scoring.registry import load_base_statistics

Subject = Literal["park", "enterprise", "person"]
OPS = (">=", "<=", "is_true", "clusters_giants")
CLUSTER_TIERS = ("international", "domestic_leading", "domestic_important")
CLUSTER_TIER_NAMES = {
    "international": "具有国际影响力",
    "domestic_leading": "国内领先",
    "domestic_important": "在国内有重要影响力",
}


class FactSpec(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    id: str
    name: str
    kind: str
    unit: str = ""
    unit_scale: Decimal = Decimal(1)
    aliases: tuple[str, ...] = ()
    formula: Formula | None = None
    indicator: str | None = None
    indicator_scale: Fraction = Fraction(1)


class Tier(BaseModel):
    model_config = ConfigDict(frozen=True)
    from_year: int | None
    threshold: Decimal


class GiantsOption(BaseModel):
    model_config = ConfigDict(frozen=True)
    above_yi: Decimal
    count: int


class Target(BaseModel):
    model_config = ConfigDict(frozen=True)
    no: int
    fact: str
    name: str
    requirement: str
    op: str
    section: str
    threshold: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    cluster_tier: str | None = None
    min_clusters: int = 0
    enterprises: tuple[GiantsOption, ...] = ()


class RuleSet(BaseModel):
    """One category (附1 一/二/三) or rule group; ``applies_to`` says whom it concerns."""

    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    applies_to: Subject
    section: str
    tier: int | None = None
    targets: tuple[Target, ...]


class RulePack(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    id: str
    doc: str
    title: str
    applies_to: Subject
    best_fit: bool = False
    facts: dict[str, FactSpec]
    categories: tuple[RuleSet, ...]
    source_path: str = ""

    def citation(self, target: Target, ruleset: RuleSet) -> str:
        if self.best_fit:  # 附1 tables are cited by row number
            return f"{self.doc} {ruleset.section} 序号{target.no}"
        return f"{self.doc} {target.section}"

    @cached_property
    def _category_keys(self) -> dict[str, RuleSet]:
        keys: dict[str, RuleSet] = {}
        for cat in self.categories:
            keys[cat.id] = cat
            keys[cat.name] = cat
        return keys

    def category(self, key: str) -> RuleSet:
        found = self._category_keys.get(str(key).strip())
        if found is None:
            known = ", ".join(f"{c.name} ({c.id})" for c in self.categories)
            raise UnknownKeyError(f"Category {key!r} is not in {self.doc} {self.title} (known: {known})")
        return found

    def find_category(self, key: str) -> RuleSet | None:
        return self._category_keys.get(str(key).strip())

    @cached_property
    def fact_keys(self) -> dict[str, str]:
        """Every accepted key (id, printed name, alias) → fact id."""
        keys: dict[str, str] = {}
        for spec in self.facts.values():
            for key in (spec.id, spec.name, *spec.aliases):
                keys[key] = spec.id
        return keys


def _dec(value: Any, what: str, at: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ConfigError(f"{at}: {what} {value!r} is not a number") from exc


def _target(row: dict[str, Any], facts: dict[str, FactSpec], ruleset_section: str, at: str) -> Target:
    fact = row.get("fact")
    if fact not in facts:
        raise ConfigError(f"{at}: target fact {fact!r} is not declared under 'facts'")
    op = row.get("op")
    if op not in OPS:
        raise ConfigError(f"{at}: op {op!r} must be one of {', '.join(OPS)}")
    if not row.get("requirement"):
        raise ConfigError(f"{at}: requirement (the text as printed) is empty")
    tiers: list[Tier] = []
    threshold = None
    if op in (">=", "<="):
        if row.get("tiers"):
            for tier in row["tiers"]:
                year = tier.get("from_year")
                tiers.append(
                    Tier(
                        from_year=None if year in (None, "") else int(year),
                        threshold=_dec(tier.get("threshold"), "threshold", at),
                    )
                )
            if tiers[0].from_year is not None:
                raise ConfigError(f"{at}: the first tier must have from_year: null")
        elif row.get("threshold") is not None:
            threshold = _dec(row["threshold"], "threshold", at)
        else:
            raise ConfigError(f"{at}: a {op} target needs a threshold or tiers")
        if facts[fact].kind in ("ratio",) and any(
            t > 1 for t in [threshold, *(x.threshold for x in tiers)] if t is not None
        ):
            raise ConfigError(f"{at}: threshold for ratio fact {fact!r} must be a fraction (0.08 for 8%)")
    options: list[GiantsOption] = []
    if op == "clusters_giants":
        if row.get("cluster_tier") not in CLUSTER_TIERS:
            raise ConfigError(f"{at}: cluster_tier must be one of {', '.join(CLUSTER_TIERS)}")
        for opt in row.get("enterprises") or []:
            options.append(
                GiantsOption(above_yi=_dec(opt.get("above_yi"), "above_yi", at), count=int(opt.get("count")))
            )
        if not options:
            raise ConfigError(f"{at}: clusters_giants needs an 'enterprises' list")
    return Target(
        no=int(row.get("no") or 0),
        fact=fact,
        name=str(row.get("name") or facts[fact].name),
        requirement=str(row["requirement"]),
        op=op,
        section=str(row.get("section") or ruleset_section),
        threshold=threshold,
        tiers=tuple(tiers),
        cluster_tier=row.get("cluster_tier"),
        min_clusters=int(row.get("min_clusters") or 0),
        enterprises=tuple(options),
    )


def load_rule_pack(name_or_path: str | Path, config_dir: Path | None = None) -> RulePack:
    config_dir = config_dir or default_config_dir()
    path = Path(name_or_path)
    if not path.suffix:
        path = config_dir / "rules" / f"{name_or_path}.yaml"
        if not path.exists():
            raise UnknownKeyError(
                f"Rule pack {name_or_path!r} is not in {config_dir / 'rules'} (known: {', '.join(list_rule_packs(config_dir))})"
            )
    data = read_yaml(path)
    for key in ("id", "doc", "title", "applies_to", "facts", "categories"):
        if key not in data:
            raise ConfigError(f"{path}: missing top-level key '{key}'")
    stat_ids = {s.id for s in load_base_statistics(config_dir / "base_statistics.yaml")}
    facts: dict[str, FactSpec] = {}
    for fid, spec in data["facts"].items():
        if fid == "__line__":
            continue
        at = where(path, spec)
        kind = spec.get("kind")
        if kind not in (*KINDS, "compound"):
            raise ConfigError(f"{at}: fact {fid!r} kind {kind!r} is not one of {', '.join(KINDS)}, compound")
        formula = None
        if spec.get("formula"):
            try:
                formula = parse_formula(spec["formula"], stat_ids)
            except FormulaSyntaxError as exc:
                raise ConfigError(f"{at}: fact {fid!r}: {exc}") from exc
        facts[fid] = FactSpec(
            id=fid,
            name=str(spec.get("name") or fid),
            kind=kind,
            unit=str(spec.get("unit") or ""),
            aliases=tuple(spec.get("aliases") or ()),
            formula=formula,
            indicator=spec.get("indicator"),
            indicator_scale=Fraction(str(spec.get("indicator_scale") or 1)),
        )
    categories = []
    seen: set[str] = set()
    for cat in data["categories"]:
        at = where(path, cat)
        if not cat.get("id") or cat["id"] in seen:
            raise ConfigError(f"{at}: category id {cat.get('id')!r} is missing or repeated")
        seen.add(cat["id"])
        applies = cat.get("applies_to") or data["applies_to"]
        if applies not in ("park", "enterprise", "person"):
            raise ConfigError(f"{at}: applies_to {applies!r} must be park, enterprise or person")
        section = str(cat.get("section") or "")
        targets = tuple(_target(row, facts, section, where(path, row)) for row in cat.get("targets") or [])
        if not targets:
            raise ConfigError(f"{at}: category {cat['id']!r} has no targets")
        nos = [t.no for t in targets]
        if nos != list(range(1, len(nos) + 1)):
            raise ConfigError(f"{at}: target numbers {nos} should run 1, 2, 3 … as printed")
        categories.append(
            RuleSet(
                id=cat["id"],
                name=str(cat.get("name")),
                applies_to=applies,
                section=section,
                tier=int(cat["tier"]) if cat.get("tier") else None,
                targets=targets,
            )
        )
    return RulePack(
        id=str(data["id"]),
        doc=str(data["doc"]),
        title=str(data["title"]),
        applies_to=data["applies_to"],
        best_fit=bool(data.get("best_fit", False)),
        facts=facts,
        categories=tuple(categories),
        source_path=str(path),
    )


def list_rule_packs(config_dir: Path | None = None) -> list[str]:
    return sorted(p.stem for p in ((config_dir or default_config_dir()) / "rules").glob("*.yaml"))


def load_rule_packs(config_dir: Path | None = None) -> dict[str, RulePack]:
    return {name: load_rule_pack(name, config_dir) for name in list_rule_packs(config_dir)}
