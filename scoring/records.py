"""Park-year records as users give them, and reading their values against a registry.

A record has ``park_id``, ``name``, ``year``, optional ``region`` and values in three groups:
``indicators`` keyed by registry code (``"2.2"``) or by the name as printed in 附2; ``base``
statistics keyed by id (``employees``) or Chinese name (``从业人员数``); and ``facts`` used only
by eligibility checks (cluster counts, large enterprises' revenues in 亿元, 附1 values).
Missing is missing: an absent key, ``None`` or an empty string is never read as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scoring.errors import UnknownKeyError, ValueFormatError
from scoring.profiles import MethodProfile
from scoring.quantities import is_missing, parse_value
from scoring.registry import Registry

META_KEYS = ("park_id", "name", "year", "region")
DEFAULT_GRADES = MethodProfile().grades
FACT_KEYS = (
    "clusters",
    "clusters_international",
    "clusters_domestic_leading",
    "clusters_domestic_important",
    "enterprise_revenues_yi",
    "enterprise_counts_above_yi",
)


class ParkRecord(BaseModel):
    """One park-year as given by a user, a file or the API (values not yet read)."""

    model_config = ConfigDict(extra="forbid")
    park_id: str = Field(min_length=1)
    name: str = ""
    year: int | None = None
    region: str | None = None
    indicators: dict[str, Any] = Field(default_factory=dict)
    base: dict[str, Any] = Field(default_factory=dict)
    facts: dict[str, Any] = Field(default_factory=dict)

    @field_validator("park_id", mode="before")
    @classmethod
    def _text_id(cls, value: Any) -> Any:
        return str(value).strip() if value is not None else value

    @classmethod
    def from_flat(cls, row: Mapping[str, Any], registry: Registry) -> ParkRecord:
        """Sort a flat mapping (a CSV row, an API ``park``) into indicators / base / facts.

        Unknown keys are kept as facts (eligibility may know them as 附1 names or ids).
        """
        meta: dict[str, Any] = {}
        indicators: dict[str, Any] = {}
        base: dict[str, Any] = {}
        facts: dict[str, Any] = {}
        for key, value in row.items():
            key = str(key).strip()
            if key in META_KEYS:
                meta[key] = value
            elif key in ("indicators", "base", "facts") and isinstance(value, Mapping):
                {"indicators": indicators, "base": base, "facts": facts}[key].update(value)
            elif registry.find_indicator(key) is not None:
                indicators[key] = value
            elif key in registry.base_by_key:
                base[key] = value
            else:
                facts[key] = value
        if is_missing(meta.get("year")):
            meta["year"] = None
        meta.setdefault("park_id", meta.get("name") or "park")
        return cls(**meta, indicators=indicators, base=base, facts=facts)


@dataclass
class ParsedRecord:
    """A record's values read exactly: indicator code → Decimal, base id → Decimal."""

    park_id: str
    name: str
    year: int | None
    region: str | None
    indicators: dict[str, Decimal] = field(default_factory=dict)
    base: dict[str, Decimal] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class KeyProblem:
    """A value that could not be read; ``key`` is the caller's own key (for column mapping)."""

    group: str
    key: str
    problem: str


def parse_record(
    record: ParkRecord, registry: Registry, grades: dict[str, Decimal] | None = None
) -> tuple[ParsedRecord, list[KeyProblem]]:
    """Read every value of a record in its declared unit; collect (not raise) the problems."""
    grades = grades if grades is not None else DEFAULT_GRADES
    parsed = ParsedRecord(record.park_id, record.name, record.year, record.region, facts=dict(record.facts))
    problems: list[KeyProblem] = []
    for key, raw in record.indicators.items():
        ind = registry.find_indicator(key)
        if ind is None:
            problems.append(KeyProblem("indicators", key, str(_unknown_indicator(key, registry))))
            continue
        try:
            value = parse_value(raw, ind.kind, field=f"{ind.code} {ind.name}", unit=ind.unit, grades=grades)
        except ValueFormatError as exc:
            problems.append(KeyProblem("indicators", key, exc.message))
            continue
        if value is not None:
            if ind.code in parsed.indicators:
                problems.append(
                    KeyProblem(
                        "indicators", key, f"indicator {ind.code} is given twice (by code and by name)"
                    )
                )
            parsed.indicators[ind.code] = value
    for key, raw in record.base.items():
        stat = registry.base_by_key.get(str(key).strip())
        if stat is None:
            problems.append(
                KeyProblem(
                    "base",
                    key,
                    f"base statistic {key!r} is not declared (known ids: {', '.join(s.id for s in registry.base_statistics[:6])} …)",
                )
            )
            continue
        try:
            value = parse_value(
                raw, stat.kind, field=f"{stat.id} {stat.name}", unit=stat.unit, unit_scale=stat.unit_scale
            )
        except ValueFormatError as exc:
            problems.append(KeyProblem("base", key, exc.message))
            continue
        if value is not None:
            parsed.base[stat.id] = value
    return parsed, problems


def _unknown_indicator(key: str, registry: Registry) -> UnknownKeyError:
    try:
        registry.indicator(key)
    except UnknownKeyError as exc:
        return exc
    raise AssertionError("unreachable")  # pragma: no cover


def coerce_records(records: Any, registry: Registry) -> list[ParkRecord]:
    """Accept ParkRecords, nested dicts (API shape) or flat dicts (table rows)."""
    out = []
    for item in records:
        if isinstance(item, ParkRecord):
            out.append(item)
        elif isinstance(item, Mapping):
            if any(k in item for k in ("indicators", "base", "facts")) and all(
                k in META_KEYS or k in ("indicators", "base", "facts") for k in item
            ):
                out.append(ParkRecord(**item))
            else:
                out.append(ParkRecord.from_flat(item, registry))
        else:
            raise ValueFormatError(f"park records must be mappings, got {type(item).__name__}")
    return out
