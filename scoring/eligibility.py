"""Three-valued checks of a subject (park / enterprise / person) against a rule set.

Each target is met (True), not met (False) or unknown (None, data missing). The verdict is
``pass`` when all are met, ``fail`` when any is not met (a known failure decides even with other
values missing), otherwise ``incomplete``. Gaps are exact; a near miss is a failed target whose
relative gap is within the profile's ``near_miss`` (5 %). The compound 产业集群与巨型企业数 target
counts clusters cumulatively by tier and firms strictly above each revenue band (超 = ">").

Nothing is dropped without a word: a key of the subject that no fact, base statistic or 附2
indicator knows is named in ``notes`` (with the closest known key), and a value that cannot be
true (a negative count or amount, a share outside 0–1) is named in ``notes`` and left out of
the verdict, so that target stays unknown instead of deciding pass or fail.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, Field, model_validator

from scoring.errors import UnknownKeyError, ValueFormatError
from scoring.quantities import decimal_text, is_missing, parse_flag, parse_value, round_half_away
from scoring.rulepacks import CLUSTER_TIER_NAMES, CLUSTER_TIERS, FactSpec, RulePack, RuleSet, Target
from scoring.units import display_unit, given_or_chosen

NEAR_MISS = Fraction(1, 20)
_CLUSTER_KEYS = {f"clusters_{t}": t for t in CLUSTER_TIERS}
SUBJECT_META_KEYS = ("park_id", "name", "year", "region")
COMPOUND_KEYS = ("clusters", *_CLUSTER_KEYS, "enterprise_revenues_yi", "enterprise_counts_above_yi")


class TargetPart(BaseModel):
    """One count of a compound target: clusters of a tier, or enterprises above a revenue band."""

    label: str
    value: int | None = Field(description="The park's count; None when not given")
    required: int
    unit: str
    met: bool | None
    alternative: bool = Field(
        default=False, description="One of several enterprise bands of which any one suffices"
    )


class TargetResult(BaseModel):
    no: int
    id: str
    name: str
    requirement: str
    threshold: float | None
    unit: str
    value: float | None
    met: bool | None
    gap: float | None
    relative_gap: float | None = None
    attainment: float | None = None
    near_miss: bool = False
    detail: str = ""
    citation: str
    op: str = Field(default=">=", description=">=, <=, is_true or clusters_giants")
    display_unit: str = Field(
        default="", description="Show threshold, value and gap divided by display_scale, followed by this unit"
    )
    display_scale: float = 1.0
    parts: list[TargetPart] = Field(default_factory=list, description="The counts of a compound target")

    @model_validator(mode="after")
    def _default_display(self) -> TargetResult:
        """A result made without a display unit shows its own unit (a share as per cent)."""
        self.display_unit, self.display_scale = given_or_chosen(self.unit, self.display_unit, self.display_scale,
                                                                self.threshold)
        return self


class Citation(BaseModel):
    doc: str
    section: str


class EligibilityReport(BaseModel):
    category: str
    category_id: str
    pack: str
    applies_to: str
    overall: str
    targets: list[TargetResult]
    failing: list[str]
    missing: list[str]
    near_misses: list[str]
    citation: Citation
    notes: list[str] = []
    synthetic: bool = False

    def summary(self) -> str:
        """One Chinese sentence a channel may show; the targets carry the detail."""
        verdict = {"pass": "全部满足", "fail": "未满足", "incomplete": "数据不全，尚不能判定"}[self.overall]
        parts = [f"{self.category}（{self.citation.doc} {self.citation.section}）：{verdict}"]
        if self.failing:
            parts.append("未达标：" + "、".join(self.failing))
        if self.missing:
            parts.append("待确认：" + "、".join(self.missing))
        return "；".join(parts) + "。"


def _num(value: Fraction | Decimal | None, places: int = 6) -> float | None:
    return None if value is None else float(round_half_away(Fraction(value), places))


def _lookup(subject: Mapping[str, Any], keys: Sequence[str]) -> tuple[bool, Any]:
    for key in keys:
        if key in subject:
            value = subject[key]
            if isinstance(value, (list, dict)) or not is_missing(value):
                return True, value
    return False, None


def _flatten(subject: Mapping[str, Any]) -> dict[str, Any]:
    """Nested API shapes ({"base": …, "indicators": …, "facts": …}) become one mapping."""
    flat: dict[str, Any] = {}
    for key, value in subject.items():
        if key in ("base", "indicators", "facts") and isinstance(value, Mapping):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def known_keys(packs: Iterable[RulePack], registry: Any = None) -> set[str]:
    """Every key a subject may use with these packs: facts (id, printed name, aliases), the
    names their formulas read, the compound target's inputs, park meta data and, with a
    registry, its base statistics and 附2 indicators (by code and name)."""
    known: set[str] = {*SUBJECT_META_KEYS, *COMPOUND_KEYS}
    for pack in packs:
        for spec in pack.facts.values():
            known.update((spec.id, spec.name, *spec.aliases))
            if spec.formula is not None:
                known.update(spec.formula.names)
    if registry is not None:
        known.update(registry.base_by_key)
        for ind in registry.indicators:
            known.update((ind.code, ind.name))
    return known


def unknown_keys(subject: Mapping[str, Any], known: set[str], registry: Any = None) -> list[str]:
    """The keys of a (flattened) subject that nothing reads, in the caller's order."""
    return [
        key
        for key in subject
        if str(key) not in known and (registry is None or registry.find_indicator(str(key)) is None)
    ]


def unknown_key_note(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.75)
    hint = f"；是否指 {close[0]!r}？" if close else "；请使用事实代码（如 rd_intensity）、附1/附2中的名称或基础统计量代码"
    return f"字段 {key!r} 未识别，已忽略（不是本规则包的事实、基础统计量或附2指标）{hint}"


def resolve_fact(spec: FactSpec, subject: Mapping[str, Any], registry: Any = None) -> tuple[Any, str]:
    """The subject's value of one fact and where it came from (given / formula / indicator)."""
    found, raw = _lookup(subject, (spec.id, spec.name, *spec.aliases))
    if spec.kind == "compound":
        return _compound_input(subject, spec), "given"
    if found:
        if spec.kind == "flag":
            return parse_flag(raw, spec.name), "given"
        value = parse_value(raw, spec.kind, field=spec.name, unit=spec.unit, unit_scale=spec.unit_scale)
        return (None if value is None else Fraction(value)), "given"
    if spec.formula is not None:
        base: dict[str, Fraction | None] = {}
        for name in spec.formula.names:
            raw_base = subject.get(name)
            stat = registry.base_by_key.get(name) if registry is not None else None
            if raw_base is None and stat is not None:
                raw_base = subject.get(stat.name)
            if is_missing(raw_base):
                base[name] = None
                continue
            kind, unit = (stat.kind, stat.unit) if stat is not None else ("amount", "")
            read = parse_value(raw_base, kind, field=name, unit=unit)
            base[name] = None if read is None else Fraction(read)
        computed, _ = spec.formula.evaluate(base)
        if computed is not None:
            return computed, "formula"
    if spec.indicator and registry is not None:
        ind = registry.indicator(spec.indicator)
        for key in (ind.code, ind.name):
            if key in subject and not is_missing(subject[key]):
                parsed = parse_value(subject[key], ind.kind, field=f"{ind.code} {ind.name}", unit=ind.unit)
                if parsed is not None:
                    return Fraction(parsed) * spec.indicator_scale, f"indicator {ind.code}"
    return None, "missing"


def _compound_input(subject: Mapping[str, Any], spec: FactSpec) -> dict[str, Any]:
    source: Mapping[str, Any] = subject
    if isinstance(subject.get(spec.name), Mapping):
        source = subject[spec.name]
    elif isinstance(subject.get(spec.id), Mapping):
        source = subject[spec.id]
    clusters: dict[str, int | None] = {t: None for t in CLUSTER_TIERS}
    given = source.get("clusters")
    if given is not None and not isinstance(given, Mapping):
        raise ValueFormatError(
            f"clusters: {given!r} is not a mapping; give "
            '{"international": n, "domestic_leading": n, "domestic_important": n}',
            field="clusters",
            value=given,
        )
    if isinstance(given, Mapping):
        for tier, count in given.items():
            if tier not in CLUSTER_TIERS:
                raise UnknownKeyError(f"clusters: tier {tier!r} is not one of {', '.join(CLUSTER_TIERS)}")
            clusters[tier] = _count(count, f"clusters.{tier}")
    for key, tier in _CLUSTER_KEYS.items():
        if key in source and not is_missing(source[key]):
            clusters[tier] = _count(source[key], key)
    revenues = source.get("enterprise_revenues_yi")
    parsed_revenues: list[Decimal] | None = None
    if isinstance(revenues, str) and not is_missing(revenues):
        revenues = [r for r in revenues.replace("；", ";").replace(",", ";").split(";") if r.strip()]
    if isinstance(revenues, (list, tuple)):
        parsed_revenues = []
        for k, r in enumerate(revenues):
            value = parse_value(
                r,
                "amount",
                field=f"enterprise_revenues_yi[{k}]",
                unit="亿元",
                unit_scale=Decimal(100_000_000),
            )
            if value is None:
                raise ValueFormatError(
                    f"enterprise_revenues_yi[{k}] is empty; list only the enterprises you know"
                )
            parsed_revenues.append(value)
    counts = source.get("enterprise_counts_above_yi")
    parsed_counts = None
    if isinstance(counts, Mapping):
        parsed_counts = {
            _band(k): _count(v, f"enterprise_counts_above_yi.{k}") for k, v in counts.items()
        }
    return {"clusters": clusters, "revenues": parsed_revenues, "counts_above": parsed_counts}


def _impossible(value: Fraction, kind: str) -> str | None:
    """Why a value of this kind cannot be true (a share outside 0–1, a negative count), or None."""
    if kind == "ratio" and not 0 <= value <= 1:
        return "占比应在0–1之间（0.085 或 \"8.5%\"）"
    if kind == "count" and value < 0:
        return "数量不能为负"
    return None


def _band(raw: Any) -> Decimal:
    field = f"enterprise_counts_above_yi key {raw!r}"
    value = parse_value(raw, "amount", field=field, unit="亿元", unit_scale=Decimal(100_000_000))
    if value is None:
        raise ValueFormatError(f"{field}: name the revenue band in 亿元, e.g. \"500\"", field=field, value=raw)
    return value


def _year(raw: Any) -> int:
    value = parse_value(raw, "count", field="year")
    if value is None or value != value.to_integral_value() or not 1900 <= value <= 2200:
        raise ValueFormatError(f"year: {raw!r} is not a year such as 2020", field="year", value=raw)
    return int(value)


def _count(raw: Any, field: str) -> int | None:
    value = parse_value(raw, "count", field=field)
    if value is None:
        return None
    if value != value.to_integral_value() or value < 0:
        raise ValueFormatError(f"{field}: {raw!r} must be a whole number ≥ 0", field=field, value=raw)
    return int(value)


def _and(*values: bool | None) -> bool | None:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _or(*values: bool | None) -> bool | None:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def evaluate_clusters_giants(
    target: Target, facts: dict[str, Any]
) -> tuple[bool | None, Fraction | None, str, list[TargetPart]]:
    assert target.cluster_tier is not None
    tiers = CLUSTER_TIERS[: CLUSTER_TIERS.index(target.cluster_tier) + 1]  # higher tiers count too
    counts = [facts["clusters"][t] for t in tiers]
    known = sum(c for c in counts if c is not None)
    if known >= target.min_clusters:
        clusters_ok: bool | None = True
    else:
        clusters_ok = None if any(c is None for c in counts) else False
    cluster_gap = max(0, target.min_clusters - known)
    shown_clusters = known if not any(c is None for c in counts) or clusters_ok else None
    tier_label = f"{CLUSTER_TIER_NAMES[target.cluster_tier]}（含更高层级）的集群"
    parts = [f"{tier_label} {'?' if shown_clusters is None else shown_clusters} 个（需{target.min_clusters}个）"]
    typed = [TargetPart(label=tier_label, value=shown_clusters, required=target.min_clusters, unit="个",
                        met=clusters_ok)]
    options: list[bool | None] = []
    shortfalls: list[int] = []
    for opt in target.enterprises:
        if facts["revenues"] is not None:
            above: int | None = sum(1 for r in facts["revenues"] if r > opt.above_yi)  # 超 = strictly greater
        elif facts["counts_above"] is not None and opt.above_yi in facts["counts_above"]:
            above = facts["counts_above"][opt.above_yi]
        else:
            above = None
        options.append(None if above is None else above >= opt.count)
        if above is not None:
            shortfalls.append(max(0, opt.count - above))
        parts.append(
            f"超{decimal_text(opt.above_yi)}亿元企业 {'?' if above is None else above} 家（需{opt.count}家）"
        )
        typed.append(TargetPart(label=f"超{decimal_text(opt.above_yi)}亿元企业", value=above, required=opt.count,
                                unit="家", met=options[-1], alternative=len(target.enterprises) > 1))
    giants_ok = _or(*options)
    met = _and(clusters_ok, giants_ok)
    gap = None
    if clusters_ok is not None and giants_ok is not None:
        gap = Fraction(cluster_gap + (min(shortfalls) if shortfalls else 0))
    return met, gap, "；".join(parts), typed


def _origin_text(origin: str, spec: FactSpec) -> str:
    if origin == "formula" and spec.formula is not None:
        return f"由基础统计量计算：{spec.formula.text}"
    if origin.startswith("indicator"):
        return f"取自附2指标{origin.split()[1]}"
    return ""


def _threshold(target: Target, year: int | None) -> tuple[Decimal | None, str | None]:
    if not target.tiers:
        return target.threshold, None
    if year is None:
        latest = target.tiers[-1]
        return (
            latest.threshold,
            f"年份未知，按{latest.from_year}年起的要求（{decimal_text(latest.threshold * 100)}%）判断",
        )
    chosen = [t for t in target.tiers if t.from_year is None or t.from_year <= year][-1]
    return chosen.threshold, None


def evaluate(
    pack: RulePack,
    ruleset: RuleSet | str,
    subject: Mapping[str, Any],
    *,
    year: int | None = None,
    registry: Any = None,
    near_miss: Fraction | Decimal = NEAR_MISS,
    synthetic: bool = False,
) -> EligibilityReport:
    """Check one subject against one rule set of a pack (values read in each fact's unit)."""
    rs = pack.category(ruleset) if isinstance(ruleset, str) else ruleset
    flat = _flatten(subject)
    if year is None and not is_missing(flat.get("year")):
        year = _year(flat["year"])
    near = Fraction(near_miss)
    results: list[TargetResult] = []
    known = known_keys([pack], registry)
    notes: list[str] = [unknown_key_note(key, known) for key in unknown_keys(flat, known, registry)]
    for target in rs.targets:
        spec = pack.facts[target.fact]
        value, origin = resolve_fact(spec, flat, registry)
        citation = pack.citation(target, rs)
        if isinstance(value, Fraction) and (why := _impossible(value, spec.kind)):
            shown = f"{spec.name} = {decimal_text(value, 6)}"
            if origin != "given":
                shown += f"（{_origin_text(origin, spec)}）"
            impossible = f"{shown}：{why}，不可能为真，未用于判定；请核对数据"
            if impossible not in notes:
                notes.append(impossible)
            value = None
        if target.op == "clusters_giants":
            met, gap, detail, parts = evaluate_clusters_giants(target, value)
            results.append(
                TargetResult(
                    no=target.no,
                    id=spec.id,
                    name=target.name,
                    requirement=target.requirement,
                    threshold=None,
                    unit=spec.unit,
                    value=None,
                    met=met,
                    gap=_num(gap),
                    detail=detail,
                    citation=citation,
                    op=target.op,
                    display_unit=spec.unit,
                    parts=parts,
                )
            )
            continue
        if target.op == "is_true":
            met = None if value is None else bool(value)
            results.append(
                TargetResult(
                    no=target.no,
                    id=spec.id,
                    name=target.name,
                    requirement=target.requirement,
                    threshold=None,
                    unit=spec.unit,
                    value=None if value is None else float(bool(value)),
                    met=met,
                    gap=None,
                    citation=citation,
                    op=target.op,
                    display_unit=spec.unit,
                )
            )
            continue
        threshold, note = _threshold(target, year)
        assert threshold is not None
        if note:
            notes.append(f"{target.name}: {note}")
        T = Fraction(threshold)
        row_unit = display_unit(spec.unit, spec.kind, threshold)
        if value is None:
            results.append(
                TargetResult(
                    no=target.no,
                    id=spec.id,
                    name=target.name,
                    requirement=target.requirement,
                    threshold=float(threshold),
                    unit=spec.unit,
                    value=None,
                    met=None,
                    gap=None,
                    citation=citation,
                    op=target.op,
                    display_unit=row_unit.unit,
                    display_scale=row_unit.scale,
                )
            )
            continue
        if target.op == ">=":
            met, gap = value >= T, max(Fraction(0), T - value)
        else:
            met, gap = value <= T, max(Fraction(0), value - T)
        rel = gap / abs(T) if T else None
        results.append(
            TargetResult(
                no=target.no,
                id=spec.id,
                name=target.name,
                requirement=target.requirement,
                threshold=float(threshold),
                unit=spec.unit,
                value=_num(value),
                met=met,
                gap=_num(gap),
                relative_gap=_num(rel),
                attainment=_num(100 * value / T, 2) if T and target.op == ">=" else None,
                near_miss=bool(not met and rel is not None and rel <= near),
                detail=_origin_text(origin, spec),
                citation=citation,
                op=target.op,
                display_unit=row_unit.unit,
                display_scale=row_unit.scale,
            )
        )
    overall = {True: "pass", False: "fail", None: "incomplete"}[_and(*(r.met for r in results))]
    first_section = rs.section or (rs.targets[0].section if rs.targets else "")
    return EligibilityReport(
        category=rs.name,
        category_id=rs.id,
        pack=pack.id,
        applies_to=rs.applies_to,
        overall=overall,
        targets=results,
        failing=[r.name for r in results if r.met is False],
        missing=[r.name for r in results if r.met is None],
        near_misses=[r.name for r in results if r.near_miss],
        citation=Citation(doc=pack.doc, section=first_section),
        notes=notes,
        synthetic=synthetic,
    )


class BestFit(BaseModel):
    category: str
    category_id: str
    overall: str
    met: int
    total: int
    reason: str


def best_fit(reports: Sequence[EligibilityReport], tiers: Mapping[str, int]) -> BestFit:
    """The highest-tier category passed; else the one with most targets met (ties: mean
    attainment capped at 100, then the higher tier)."""
    ranked = sorted(reports, key=lambda r: tiers.get(r.category_id, 99))
    for report in ranked:
        if report.overall == "pass":
            return BestFit(
                category=report.category,
                category_id=report.category_id,
                overall="pass",
                met=len(report.targets),
                total=len(report.targets),
                reason="满足该类园区的全部目标要求",
            )

    def key(r: EligibilityReport) -> tuple[float, float, int]:
        met = sum(1 for t in r.targets if t.met)
        att = [
            min(100.0, t.attainment) if t.attainment is not None else (100.0 if t.met else 0.0)
            for t in r.targets
        ]
        return (met / len(r.targets), sum(att) / len(att), -tiers.get(r.category_id, 99))

    best = max(ranked, key=key)
    met = sum(1 for t in best.targets if t.met)
    return BestFit(
        category=best.category,
        category_id=best.category_id,
        overall=best.overall,
        met=met,
        total=len(best.targets),
        reason=f"未完全满足任何一类；该类达标比例最高（{met}/{len(best.targets)}）",
    )
