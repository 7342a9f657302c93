"""Indicator registries (国科发火〔2013〕388号 附2 and later ones) loaded from config/ and validated.

A registry file declares its primaries (weights) and secondaries (coefficient, source, unit,
direction, kind, citation, optional formula over base statistics). Loading checks codes, names,
units, weights and citations and names the file, the line and the problem. A registry whose
weights are not all known loads (so it can be listed) but ``require_complete()`` refuses it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scoring.config_files import default_config_dir, read_yaml, where
from scoring.errors import IncompleteRegistryError, RegistryError, UnknownKeyError
from scoring.formulas import Formula, FormulaSyntaxError, parse_formula
from scoring.quantities import KINDS

SOURCES = ("统计", "调查", "定性")
DEFAULT_REGISTRY = "GKFH-2013-388-A2"
_LEADING_CODE = re.compile(r"^\s*\d+\.\d+")


class BaseStatistic(BaseModel):
    """A raw statistic a park reports (employees, sales, …), in a declared unit."""

    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    unit: str
    kind: str
    unit_scale: Decimal = Decimal(1)


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name: str
    primary: str
    coefficient: Decimal | None
    source: Literal["统计", "调查", "定性"]
    unit: str
    direction: Literal["+", "-"]
    kind: str
    citation: str
    formula: str | None = None
    plausible: tuple[Decimal, Decimal] | None = None
    scale: tuple[Decimal, Decimal] | None = None

    @property
    def statistical(self) -> bool:
        return self.source == "统计"

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "+"


class Primary(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name: str
    weight: Decimal | None
    coefficient_total: Decimal | None = None
    indicators: tuple[Indicator, ...]

    @property
    def coefficient_sum(self) -> Decimal:
        return sum((i.coefficient or Decimal(0) for i in self.indicators), Decimal(0))


class Registry(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    id: str
    title: str
    doc: str
    section: str
    weights_total: Decimal
    primaries: tuple[Primary, ...]
    base_statistics: tuple[BaseStatistic, ...] = ()
    formulas: dict[str, Formula] = Field(default_factory=dict, exclude=True)
    source_path: str = ""

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for p in self.primaries for i in p.indicators)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @cached_property
    def _by_key(self) -> dict[str, Indicator]:
        table: dict[str, Indicator] = {}
        for ind in self.indicators:
            table[ind.code] = ind
            table[ind.name] = ind
            table[f"{ind.code} {ind.name}"] = ind
            table[f"{ind.code}{ind.name}"] = ind
        return table

    @cached_property
    def base_by_key(self) -> dict[str, BaseStatistic]:
        table: dict[str, BaseStatistic] = {}
        for stat in self.base_statistics:
            table[stat.id] = stat
            table[stat.name] = stat
        return table

    def indicator(self, key: str) -> Indicator:
        """Look up by code (``2.2``) or by the name exactly as printed."""
        found = self._by_key.get(str(key).strip())
        if found is None:
            raise UnknownKeyError(
                f"Indicator {key!r} is not in registry {self.id} "
                f"(known: {self.codes[0]} … {self.codes[-1]}, or the names as printed in {self.section})"
            )
        return found

    def find_indicator(self, key: str) -> Indicator | None:
        return self._by_key.get(str(key).strip())

    @property
    def complete(self) -> bool:
        return not self.missing_weights()

    def missing_weights(self) -> list[str]:
        missing = [f"primary {p.code} weight" for p in self.primaries if p.weight is None]
        missing += [f"{i.code} coefficient" for i in self.indicators if i.coefficient is None]
        return missing

    def require_complete(self) -> None:
        missing = self.missing_weights()
        if missing:
            raise IncompleteRegistryError(
                f"Registry {self.id} is incomplete ({', '.join(missing[:6])}"
                f"{' …' if len(missing) > 6 else ''} unknown); the engine scores only with published weights"
            )


def _decimal(value: Any, what: str, at: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise RegistryError(f"{at}: {what} {value!r} is not a number") from exc


def _pair(value: Any, what: str, at: str) -> tuple[Decimal, Decimal] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise RegistryError(f"{at}: {what} must be [low, high], got {value!r}")
    low, high = (_decimal(v, what, at) for v in value)
    assert low is not None and high is not None
    if low >= high:
        raise RegistryError(f"{at}: {what} low {low} must be below high {high}")
    return low, high


def load_base_statistics(path: Path) -> tuple[BaseStatistic, ...]:
    data = read_yaml(path)
    rows = data.get("statistics")
    if not isinstance(rows, list) or not rows:
        raise RegistryError(f"{path}: expected a non-empty list under 'statistics'")
    seen: set[str] = set()
    stats = []
    for row in rows:
        at = where(path, row)
        for key in ("id", "name", "unit", "kind"):
            if not row.get(key):
                raise RegistryError(f"{at}: base statistic lacks '{key}'")
        if row["kind"] not in KINDS:
            raise RegistryError(f"{at}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
        if row["id"] in seen:
            raise RegistryError(f"{at}: base statistic id {row['id']!r} is declared twice")
        seen.add(row["id"])
        scale = _decimal(row.get("unit_scale", 1), "unit_scale", at)
        stats.append(
            BaseStatistic(
                id=row["id"],
                name=row["name"],
                unit=row["unit"],
                kind=row["kind"],
                unit_scale=scale or Decimal(1),
            )
        )
    return tuple(stats)


def expected_citation(doc: str, section: str, code: str, coefficient: Decimal | None, source: str) -> str:
    coef = "?" if coefficient is None else f"{coefficient}"
    return f"{doc} {section} {code}（赋权{coef}，{source}）"


def _indicator(
    row: dict[str, Any], primary: str, position: int, reg: dict[str, Any], path: Path
) -> Indicator:
    at = where(path, row)
    code = str(row.get("code", ""))
    if code != f"{primary}.{position}":
        raise RegistryError(
            f"{at}: indicator code {code!r} should be '{primary}.{position}' (codes run 1.1, 1.2, … in order)"
        )
    at = f"{at} (indicator {code})"
    name = str(row.get("name", "")).strip()
    if not name:
        raise RegistryError(f"{at}: name is empty")
    if _LEADING_CODE.match(name):
        raise RegistryError(f"{at}: name {name!r} starts with a code; write the name without '{code}'")
    source = row.get("source")
    if source not in SOURCES:
        raise RegistryError(f"{at}: source {source!r} must be one of {'/'.join(SOURCES)}")
    kind = row.get("kind")
    if kind not in KINDS or kind == "flag":
        raise RegistryError(f"{at}: kind {kind!r} must be one of ratio, signed, count, amount, score")
    if source != "统计" and kind != "score":
        raise RegistryError(f"{at}: a {source} indicator is a score on a scale; kind must be 'score'")
    direction = str(row.get("direction", ""))
    if direction not in ("+", "-"):
        raise RegistryError(f"{at}: direction {direction!r} must be '+' (higher is better) or '-'")
    if not row.get("unit"):
        raise RegistryError(f"{at}: unit is empty; declare it (e.g. 元/万元, 比例, 个)")
    coefficient = _decimal(row.get("coefficient"), "coefficient", at)
    if coefficient is not None and coefficient <= 0:
        raise RegistryError(f"{at}: coefficient {coefficient} must be positive")
    citation = str(row.get("citation", ""))
    wanted = expected_citation(reg["doc"], reg["section"], code, coefficient, source)
    if coefficient is not None and citation and citation != wanted:
        raise RegistryError(f"{at}: citation {citation!r} does not match the row; expected {wanted!r}")
    return Indicator(
        code=code,
        name=name,
        primary=primary,
        coefficient=coefficient,
        source=source,
        unit=str(row["unit"]),
        direction=direction,  # type: ignore[arg-type]
        kind=kind,
        citation=citation or wanted,
        formula=row.get("formula"),
        plausible=_pair(row.get("plausible"), "plausible", at),
        scale=_pair(row.get("scale"), "scale", at),
    )


def load_registry(name_or_path: str | Path = DEFAULT_REGISTRY, config_dir: Path | None = None) -> Registry:
    """Load and validate a registry by id (``GKFH-2013-388-A2``) or by file path."""
    config_dir = config_dir or default_config_dir()
    path = Path(name_or_path)
    if not path.suffix:
        path = config_dir / "registries" / f"{name_or_path}.yaml"
        if not path.exists():
            known = sorted(p.stem for p in (config_dir / "registries").glob("*.yaml"))
            raise UnknownKeyError(
                f"Registry {name_or_path!r} is not in {config_dir / 'registries'} (known: {', '.join(known)})"
            )
    data = read_yaml(path)
    stats = load_base_statistics(config_dir / "base_statistics.yaml")
    return build_registry(data, path, stats)


def build_registry(
    data: dict[str, Any], path: Path | str = "<registry>", stats: tuple[BaseStatistic, ...] = ()
) -> Registry:
    """Validate a registry given as a mapping (the parsed YAML); tests build small ones this way."""
    path = Path(path)
    for key in ("id", "title", "doc", "section", "weights_total", "primaries"):
        if key not in data:
            raise RegistryError(f"{path}: missing top-level key '{key}'")
    stat_ids = {s.id for s in stats}
    primaries: list[Primary] = []
    names: dict[str, str] = {}
    formulas: dict[str, Formula] = {}
    for p_index, prow in enumerate(data["primaries"], start=1):
        at = where(path, prow)
        code = str(prow.get("code", ""))
        if code != str(p_index):
            raise RegistryError(f"{at}: primary code {code!r} should be '{p_index}'")
        weight = _decimal(prow.get("weight"), "weight", at)
        indicators = []
        for position, row in enumerate(prow.get("indicators") or [], start=1):
            ind = _indicator(row, code, position, data, path)
            if ind.name in names:
                raise RegistryError(
                    f"{where(path, row)}: name {ind.name!r} is also used by {names[ind.name]}"
                )
            names[ind.name] = ind.code
            if ind.formula:
                try:
                    formulas[ind.code] = parse_formula(ind.formula, stat_ids)
                except FormulaSyntaxError as exc:
                    raise RegistryError(f"{where(path, row)} (indicator {ind.code}): {exc}") from exc
            indicators.append(ind)
        if not indicators:
            raise RegistryError(f"{at}: primary {code} has no indicators")
        primary = Primary(
            code=code,
            name=str(prow.get("name", "")),
            weight=weight,
            coefficient_total=_decimal(prow.get("coefficient_total"), "coefficient_total", at),
            indicators=tuple(indicators),
        )
        if primary.coefficient_total is not None and all(i.coefficient is not None for i in indicators):
            if primary.coefficient_sum != primary.coefficient_total:
                raise RegistryError(
                    f"{at}: coefficients of primary {code} sum to {primary.coefficient_sum}, "
                    f"but the table's total is {primary.coefficient_total}; check the rows"
                )
        primaries.append(primary)
    total = _decimal(data["weights_total"], "weights_total", str(path))
    assert total is not None
    weights = [p.weight for p in primaries]
    known = [w for w in weights if w is not None]
    if len(known) == len(weights) and sum(known, Decimal(0)) != total:
        raise RegistryError(
            f"{path}: primary weights {', '.join(str(w) for w in weights)} do not sum to {total}"
        )
    return Registry(
        id=str(data["id"]),
        title=str(data["title"]),
        doc=str(data["doc"]),
        section=str(data["section"]),
        weights_total=total,
        primaries=tuple(primaries),
        base_statistics=stats,
        formulas=formulas,
        source_path=str(path),
    )
