"""A cohort: the parks of one year under one registry, with values read exactly.

``build_cohort`` reads every value (Decimal), derives indicators from base statistics by the
registry's formulas (exact Fractions), checks the records (ranges, subset relations, plausible
units) and keeps a float matrix beside the exact values for vectorised work. Checks report
flags; they never change a value.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import ValidationError

from scoring.errors import CohortError, ParkDataError, ParkNotFoundError, ValueFormatError
from scoring.quantities import decimal_text
from scoring.records import ParkRecord, ParsedRecord, coerce_records, parse_record
from scoring.registry import Registry

# Reported subset relations: (part, whole) must satisfy part ≤ whole.
SUBSETS = (
    ("masters_phd_employees", "bachelor_plus_employees"),
    ("bachelor_plus_employees", "employees"),
    ("returnee_foreign_employees", "employees"),
    ("hte_export", "total_export"),
    ("total_export", "total_revenue"),
    ("service_revenue", "total_revenue"),
    ("hte_count", "enterprise_count"),
    ("rd_incubator_hte_area", "approved_area"),
    ("leadership_bachelor_plus", "leadership_members"),
)
DERIVED_MISMATCH = Fraction(1, 200)  # 0.5 %: a supplied value and its formula disagree


@dataclass(frozen=True)
class Flag:
    """A data-quality note about one park (or the cohort when ``park_id`` is empty)."""

    code: str
    park_id: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass
class Cohort:
    registry: Registry
    parks: list[ParsedRecord]
    exact: list[list[Fraction | Decimal | None]]  # parks × indicators, in registry order
    values: np.ndarray  # float64 mirror of ``exact`` (NaN = missing)
    flags: list[list[Flag]]
    synthetic: bool = False
    source: str = ""
    derived: list[set[str]] = field(default_factory=list)

    @cached_property
    def park_ids(self) -> list[str]:
        return [p.park_id for p in self.parks]

    @cached_property
    def index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.park_ids)}

    @property
    def year(self) -> int | None:
        years = {p.year for p in self.parks}
        return years.pop() if len(years) == 1 else None

    @cached_property
    def folded_index(self) -> dict[str, int]:
        """Park ids without case (``syn-010`` finds ``SYN-010``); ids are unique without case."""
        return {pid.casefold(): i for i, pid in enumerate(self.park_ids)}

    def position(self, park_id: str) -> int:
        """Where park ``park_id`` (matched without regard to case) is in the cohort."""
        key = str(park_id).strip()
        found = self.index.get(key, self.folded_index.get(key.casefold()))
        if found is None:
            shown = ", ".join(self.park_ids[:5])
            raise ParkNotFoundError(
                f"Park {park_id!r} is not in this cohort ({len(self.parks)} parks: {shown} …)",
                park_id=str(park_id),
                known=self.park_ids,
            )
        return found

    def park(self, park_id: str) -> ParsedRecord:
        return self.parks[self.position(park_id)]

    @cached_property
    def input_sha256(self) -> str:
        """SHA-256 of the canonical input JSON (see ``canonical_input_json``)."""
        return hashlib.sha256(canonical_input_json(self).encode("utf-8")).hexdigest()

    def with_changes(self, park_id: str, changes: dict[str, Any]) -> Cohort:
        """A new cohort with one park's values changed (indicator codes/names or base ids)."""
        i = self.position(park_id)
        records = [to_record(p) for p in self.parks]
        target = records[i]
        for key, value in changes.items():
            if self.registry.find_indicator(key) is not None:
                code = self.registry.indicator(key).code
                target.indicators = {k: v for k, v in target.indicators.items() if k != code}
                target.indicators[code] = value
            elif key in self.registry.base_by_key:
                target.base[self.registry.base_by_key[key].id] = value
            else:
                self.registry.indicator(key)  # raises UnknownKeyError naming the registry
        return build_cohort(records, self.registry, synthetic=self.synthetic, source=self.source)


def _number_text(value: Decimal | Fraction) -> str:
    """Exact decimal text without exponent or trailing zeros (fast path for plain Decimals)."""
    if type(value) is Decimal:
        text = str(value)
        if "E" in text:
            return decimal_text(value)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return decimal_text(value)


def _object(values: dict[str, Decimal]) -> str:
    # Keys are registry codes / base ids (no characters JSON would escape); values are digits.
    return "{" + ",".join(f'"{k}":"{_number_text(v)}"' for k, v in sorted(values.items())) + "}"


def canonical_input_json(cohort: Cohort) -> str:
    """The canonical input: ``{"parks": [...], "registry": id}`` with parks sorted by park_id,
    values as exact decimal text (no exponent, no trailing zeros), missing values omitted, keys
    sorted, no spaces, UTF-8 (not ASCII-escaped). Identical to ``json.dumps(obj, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` of that object; built by hand for speed."""
    dump = functools.partial(
        json.dumps, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    parts = []
    for park in sorted(cohort.parks, key=lambda p: p.park_id):
        parts.append(
            '{"base":'
            + _object(park.base)
            + ',"facts":'
            + dump(park.facts)
            + ',"indicators":'
            + _object(park.indicators)
            + ',"name":'
            + dump(park.name)
            + ',"park_id":'
            + dump(park.park_id)
            + ',"region":'
            + dump(park.region)
            + ',"year":'
            + dump(park.year)
            + "}"
        )
    return '{"parks":[' + ",".join(parts) + '],"registry":' + dump(cohort.registry.id) + "}"


def to_record(park: ParsedRecord) -> ParkRecord:
    return ParkRecord(
        park_id=park.park_id,
        name=park.name,
        year=park.year,
        region=park.region,
        indicators=dict(park.indicators),
        base=dict(park.base),
        facts=dict(park.facts),
    )


def _check_record(
    parsed: ParsedRecord, registry: Registry, values: list[Fraction | Decimal | None]
) -> list[Flag]:
    flags: list[Flag] = []
    pid = parsed.park_id
    for stat in registry.base_statistics:
        count = parsed.base.get(stat.id)
        if stat.kind == "count" and count is not None and count < 0:
            flags.append(
                Flag("out_of_range", pid, stat.id, f"{stat.id} {stat.name} = {decimal_text(count, 6)} is negative; a count cannot be")
            )
    for part, whole in SUBSETS:
        a, b = parsed.base.get(part), parsed.base.get(whole)
        if a is not None and b is not None and a > b:
            flags.append(
                Flag("subset_violation", pid, part, f"{part} ({a}) exceeds {whole} ({b}); check the figures")
            )
    for ind, value in zip(registry.indicators, values, strict=True):
        if value is None:
            continue
        if ind.kind == "ratio" and not 0 <= value <= 1:
            flags.append(
                Flag(
                    "out_of_range",
                    pid,
                    ind.code,
                    f"{ind.code} {ind.name} = {decimal_text(value, 6)} is outside 0–1",
                )
            )
        elif ind.kind in ("count", "amount") and value < 0:
            flags.append(
                Flag(
                    "out_of_range",
                    pid,
                    ind.code,
                    f"{ind.code} {ind.name} = {decimal_text(value, 6)} is negative",
                )
            )
        if ind.plausible and not ind.plausible[0] <= value <= ind.plausible[1]:
            low, high = ind.plausible
            flags.append(
                Flag(
                    "suspect_unit",
                    pid,
                    ind.code,
                    f"{ind.code} {ind.name} = {decimal_text(value, 6)} {ind.unit} is outside the plausible "
                    f"{low}–{high}; is it in the wrong unit?",
                )
            )
    return flags


def build_cohort(
    records: Iterable[ParkRecord | dict[str, Any]],
    registry: Registry,
    *,
    synthetic: bool = False,
    source: str = "",
    grades: dict[str, Decimal] | None = None,
) -> Cohort:
    """Read, derive and check a list of park-year records. Bad values raise ``ParkDataError``."""
    try:
        recs = coerce_records(records, registry)
    except ValidationError as exc:
        raise ValueFormatError(
            f"park record is malformed: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
        ) from exc
    if not recs:
        raise CohortError("The cohort is empty; give at least one park")
    seen: dict[str, str] = {}
    problems: list[str] = []
    parsed_all: list[ParsedRecord] = []
    for rec in recs:
        first = seen.get(rec.park_id.casefold())
        if first == rec.park_id:
            problems.append(f"park_id {rec.park_id!r} appears twice; each park once per cohort")
        elif first is not None:
            problems.append(
                f"park_id {rec.park_id!r} and {first!r} differ only in case; park ids are read without case, "
                "so give each park an id of its own"
            )
        seen.setdefault(rec.park_id.casefold(), rec.park_id)
        parsed, bad = parse_record(rec, registry, grades)
        problems += [f"park {rec.park_id!r} {p.group} {p.key!r}: {p.problem}" for p in bad]
        parsed_all.append(parsed)
    if problems:
        raise ParkDataError(source or "park records", problems)
    codes = registry.codes
    exact: list[list[Fraction | Decimal | None]] = []
    flags: list[list[Flag]] = []
    derived: list[set[str]] = []
    formulas = registry.formulas
    for parsed in parsed_all:
        row: list[Fraction | Decimal | None] = []
        park_flags: list[Flag] = []
        made: set[str] = set()
        base_exact: dict[str, Fraction | None] | None = None
        for code in codes:
            value: Fraction | Decimal | None = parsed.indicators.get(code)
            formula = formulas.get(code)
            if formula is not None and (value is None or parsed.base):
                if base_exact is None:
                    base_exact = {k: Fraction(v) for k, v in parsed.base.items()}
                computed, reason = formula.evaluate(base_exact)
                if value is None and computed is not None:
                    value = computed
                    made.add(code)
                elif value is None and reason == "division_by_zero":
                    park_flags.append(
                        Flag(
                            "undefined_formula",
                            parsed.park_id,
                            code,
                            f"{code} = {formula.text} divides by zero; left missing",
                        )
                    )
                elif value is not None and computed is not None:
                    if abs(Fraction(value) - computed) > DERIVED_MISMATCH * max(
                        abs(computed), Fraction(1, 10**9)
                    ):
                        park_flags.append(
                            Flag(
                                "derived_mismatch",
                                parsed.park_id,
                                code,
                                f"{code} supplied as {decimal_text(value, 6)} but {formula.text} gives {decimal_text(computed, 6)}; the supplied value is used",
                            )
                        )
            row.append(value)
        park_flags += _check_record(parsed, registry, row)
        exact.append(row)
        flags.append(park_flags)
        derived.append(made)
    values = np.array(
        [[np.nan if v is None else float(v) for v in row] for row in exact], dtype=np.float64
    ).reshape(len(exact), len(codes))
    return Cohort(
        registry, parsed_all, exact, values, flags, synthetic=synthetic, source=source, derived=derived
    )


def require_single_year(cohort: Cohort) -> int | None:
    years = sorted({p.year for p in cohort.parks}, key=lambda y: (y is None, y))
    if len(years) > 1:
        raise CohortError(
            f"The cohort mixes years {', '.join(str(y) for y in years)}; a cohort is the parks of one year. "
            "Filter the data to one year (e.g. --year 2020)."
        )
    return years[0]


def select_year(records: Sequence[ParkRecord], year: int) -> list[ParkRecord]:
    return [r for r in records if r.year == year]
