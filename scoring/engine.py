"""The scoring pipeline of SCORING.md: reference → normalise → primaries (⅔ rule) → composite
→ round once → competition rank.

Bulk work is vectorised in float64. Every published number is then made exact: coverage is
decided in integer space, and any park whose float score lies within 1e-6 of a rounding
boundary (x.xx5) is recomputed with Fractions, so the rounded numbers and ranks equal those of
an all-exact computation. Cards (``CohortResult.exact``) are always computed exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from scoring.cohort import Cohort, Flag, build_cohort, require_single_year
from scoring.normalise import Reference, build_reference, normalise_column, normalise_exact
from scoring.profiles import MethodProfile, load_profile
from scoring.quantities import decimal_text, round_half_away
from scoring.ranking import competition_ranks
from scoring.registry import Indicator, Registry

ENGINE_VERSION = "1.0.0"
BOUNDARY_WINDOW = 1e-6  # |100·x − (k + ½)| below this → decide the rounding exactly
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CoverageGap:
    """Why a primary has no score: the coefficients present fall short of the coverage rule."""

    present: Decimal  # sum of the coefficients of the indicators present
    total: Decimal  # sum of all the primary's coefficients
    missing: tuple[str, ...]  # codes of the indicators not counted


@dataclass
class ParkExact:
    """One park's numbers in exact arithmetic (Fractions)."""

    normalized: dict[str, Fraction | None]
    status: dict[str, str]
    primary_scores: dict[str, Fraction | None]
    primary_reasons: dict[str, str]
    effective_weight: dict[str, Fraction]
    contribution: dict[str, Fraction]
    headroom: dict[str, Fraction]
    total: Fraction | None
    primary_gaps: dict[str, CoverageGap] = field(default_factory=dict)


@dataclass(frozen=True)
class CohortMedians:
    """Cohort medians (exact): of the totals of the rankable parks, of each primary over the parks
    that have it, and of each indicator's raw value over the parks that report it."""

    total: Fraction | None
    primaries: dict[str, Fraction | None]
    values: dict[str, Fraction | None]


def median(values: Iterable[Fraction | Decimal | int]) -> Fraction | None:
    """The exact median (the mean of the two middle values for an even count); None if empty."""
    ordered = sorted(Fraction(v) for v in values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass
class CohortResult:
    """Scores, ranks and the audit record of one cohort under one registry and profile."""

    cohort: Cohort
    registry: Registry
    profile: MethodProfile
    references: dict[str, Reference]
    total_cents: np.ndarray  # int64, rounded totals × 100 (meaningless where not rankable)
    rankable: np.ndarray  # bool
    ranks: list[int | None]
    primary_cents: dict[str, np.ndarray]
    primary_valid: dict[str, np.ndarray]
    primary_ranks: dict[str, list[int | None]]
    flags: list[list[Flag]]
    cohort_flags: list[Flag]
    normalized: np.ndarray  # float n matrix (parks × indicators), NaN where not counted
    exact_recomputed: int = 0
    engine_version: str = ENGINE_VERSION
    _exact_cache: dict[int, ParkExact] = field(default_factory=dict, repr=False)
    _medians: CohortMedians | None = field(default=None, repr=False)

    # -- lookups ---------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self.cohort.parks)

    @property
    def input_sha256(self) -> str:
        return self.cohort.input_sha256

    @property
    def synthetic(self) -> bool:
        return self.cohort.synthetic

    def total(self, park_id: str) -> Decimal | None:
        i = self.cohort.position(park_id)
        return _cents_to_decimal(self.total_cents[i]) if self.rankable[i] else None

    def rank(self, park_id: str) -> int | None:
        return self.ranks[self.cohort.position(park_id)]

    def primary_score(self, park_id: str, code: str) -> Decimal | None:
        i = self.cohort.position(park_id)
        return _cents_to_decimal(self.primary_cents[code][i]) if self.primary_valid[code][i] else None

    def exact(self, park_id: str | int) -> ParkExact:
        i = park_id if isinstance(park_id, int) else self.cohort.position(park_id)
        if i not in self._exact_cache:
            self._exact_cache[i] = exact_park(self.cohort, i, self.references, self.profile)
        return self._exact_cache[i]

    def reasons(self, park_id: str) -> list[str]:
        ex = self.exact(park_id)
        return [ex.primary_reasons[p.code] for p in self.registry.primaries if p.code in ex.primary_reasons]

    @property
    def rankable_count(self) -> int:
        """How many parks have a total (the denominator of every rank)."""
        return int(self.rankable.sum())

    def ranked_count(self, code: str) -> int:
        """How many parks have a score on primary ``code`` (the denominator of its ranks)."""
        return int(self.primary_valid[code].sum())

    def medians(self) -> CohortMedians:
        """The cohort's medians (computed once per result)."""
        if self._medians is None:
            def cents(values: np.ndarray, valid: np.ndarray) -> Fraction | None:
                mid = median(int(c) for c in values[valid])
                return None if mid is None else mid / 100

            self._medians = CohortMedians(
                total=cents(self.total_cents, self.rankable),
                primaries={code: cents(arr, self.primary_valid[code]) for code, arr in self.primary_cents.items()},
                values={
                    ind.code: median(v for row in self.cohort.exact if (v := row[j]) is not None)
                    for j, ind in enumerate(self.registry.indicators)
                },
            )
        return self._medians

    def order(self) -> list[int]:
        """Listing order: rank ascending, ties by park_id; unrankable parks last by park_id."""
        ids = self.cohort.park_ids
        return sorted(range(self.size), key=lambda i: (self.ranks[i] is None, self.ranks[i] or 0, ids[i]))

    # -- audit -----------------------------------------------------------------------------
    def audit(self) -> dict[str, Any]:
        return {
            "engine_version": self.engine_version,
            "registry": self.registry.id,
            "method": self.profile.id,
            "input_sha256": self.input_sha256,
            "cohort_size": self.size,
            "year": self.cohort.year,
            "synthetic": self.synthetic,
            "references": {
                code: {
                    "method": ref.method,
                    "L": None if ref.lo is None else decimal_text(ref.lo, 10),
                    "U": None if ref.hi is None else decimal_text(ref.hi, 10),
                    "reporting": ref.count,
                    "constant_reference": ref.constant,
                }
                for code, ref in self.references.items()
            },
            "flags": [f.as_dict() for f in self.cohort_flags],
        }

    def table(self) -> Any:
        """One row per park in listing order: totals, ranks and primary scores (pandas)."""
        from scoring.tables import result_table

        return result_table(self)


def _cents_to_decimal(cents: int | np.integer) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _coefficients(registry: Registry) -> tuple[np.ndarray, int]:
    """Coefficients as exact integers (scaled by 10^d) and the scale exponent d."""
    places = max(-int(i.coefficient.as_tuple().exponent) for i in registry.indicators)  # type: ignore[union-attr]
    scale = 10 ** max(places, 0)
    return np.array([int(i.coefficient * scale) for i in registry.indicators], dtype=np.int64), scale  # type: ignore[operator]


def _coef(ind: Indicator) -> Fraction:
    assert ind.coefficient is not None  # the engine runs only on complete registries
    return Fraction(ind.coefficient)


def exact_park(cohort: Cohort, i: int, refs: dict[str, Reference], profile: MethodProfile) -> ParkExact:
    registry = cohort.registry
    normalized: dict[str, Fraction | None] = {}
    status: dict[str, str] = {}
    for j, ind in enumerate(registry.indicators):
        raw = cohort.exact[i][j]
        ref = refs[ind.code]
        st = "derived" if ind.code in cohort.derived[i] else "reported"
        if raw is None and profile.missing == "median" and ref.median is not None:
            raw, st = ref.median, "median_imputed"
        if raw is not None and ref.lo is not None:
            normalized[ind.code] = normalise_exact(Fraction(raw), ind, ref)
        elif profile.missing == "zero_fill":
            normalized[ind.code], st = Fraction(0), "zero_filled"
        else:
            normalized[ind.code], st = None, ("missing" if raw is None else "no_reference")
        status[ind.code] = st
    primary_scores: dict[str, Fraction | None] = {}
    reasons: dict[str, str] = {}
    gaps: dict[str, CoverageGap] = {}
    eff: dict[str, Fraction] = {}
    contrib: dict[str, Fraction] = {}
    head: dict[str, Fraction] = {}
    cov = profile.coverage
    for p in registry.primaries:
        total_a = sum((_coef(x) for x in p.indicators), Fraction(0))
        present = [x for x in p.indicators if normalized[x.code] is not None]
        present_a = sum((_coef(x) for x in present), Fraction(0))
        if not present or present_a * cov.denominator < cov.numerator * total_a:
            primary_scores[p.code] = None
            missing = [x.code for x in p.indicators if normalized[x.code] is None]
            shown_present = sum((x.coefficient or Decimal(0) for x in present), Decimal("0.0"))
            shown_total = p.coefficient_sum
            reasons[p.code] = (
                f"一级指标{p.code}「{p.name}」: coefficients present {shown_present} of {shown_total} "
                f"< {cov} (missing {', '.join(missing)}); the primary score is null"
            )
            gaps[p.code] = CoverageGap(shown_present, Decimal(shown_total), tuple(missing))
            continue
        W = Fraction(p.weight or 0)
        counted = {x.code: n for x in present if (n := normalized[x.code]) is not None}
        score = sum((_coef(x) * counted[x.code] for x in present), Fraction(0)) / present_a
        primary_scores[p.code] = score
        for x in present:
            w = W * _coef(x) / present_a
            n = counted[x.code]
            eff[x.code] = w
            contrib[x.code] = w * n / 100
            head[x.code] = w * (100 - n) / 100
    total: Fraction | None = None
    known = {code: v for code, v in primary_scores.items() if v is not None}
    if len(known) == len(primary_scores):
        total = sum((Fraction(p.weight or 0) / 100 * known[p.code] for p in registry.primaries), Fraction(0))
    return ParkExact(normalized, status, primary_scores, reasons, eff, contrib, head, total, gaps)


def _near_boundary(values: np.ndarray) -> np.ndarray:
    scaled = np.abs(values) * 100.0
    frac = scaled - np.floor(scaled)
    return np.abs(frac - 0.5) < BOUNDARY_WINDOW


def _float_cents(values: np.ndarray) -> np.ndarray:
    safe = np.nan_to_num(values, nan=0.0)
    return (np.sign(safe) * np.floor(np.abs(safe) * 100.0 + 0.5)).astype(np.int64)


def _exact_cents(value: Fraction) -> int:
    return int(round_half_away(value, 2).scaleb(2))


def _outlier_flags(cohort: Cohort, registry: Registry, threshold: float) -> list[tuple[int, Flag]]:
    out: list[tuple[int, Flag]] = []
    X = cohort.values
    for j, ind in enumerate(registry.indicators):
        if not ind.statistical:
            continue
        col = X[:, j]
        if np.count_nonzero(~np.isnan(col)) < 5:
            continue
        med = np.nanmedian(col)
        mad = np.nanmedian(np.abs(col - med))
        if not mad > 0:
            continue
        z = 0.6745 * (col - med) / mad
        for i in np.flatnonzero(np.abs(z) > threshold):
            out.append(
                (
                    int(i),
                    Flag(
                        "outlier",
                        cohort.park_ids[i],
                        ind.code,
                        f"{ind.code} {ind.name}: robust z = {z[i]:.1f} (> {threshold}); check the value",
                    ),
                )
            )
    return out


def score_cohort(
    data: Cohort | Iterable[Any],
    registry: Registry | None = None,
    profile: MethodProfile | str | None = None,
) -> CohortResult:
    """Score and rank one cohort (parks of one year). ``data`` is a Cohort or park records."""
    if isinstance(data, Cohort):
        cohort = data
        registry = registry or cohort.registry
    else:
        if registry is None:
            from scoring.registry import load_registry

            registry = load_registry()
        prof = load_profile(profile)
        cohort = build_cohort(data, registry, grades=prof.grades)
    prof = load_profile(profile)
    registry.require_complete()
    if cohort.registry.id != registry.id:
        cohort = build_cohort(
            [_record(p) for p in cohort.parks], registry, synthetic=cohort.synthetic, source=cohort.source
        )
    require_single_year(cohort)
    inds = registry.indicators
    X = cohort.values
    refs: dict[str, Reference] = {}
    N = np.empty_like(X)
    cohort_flags: list[Flag] = []
    flags = [list(f) for f in cohort.flags]
    for j, ind in enumerate(inds):
        col = X[:, j]

        def exact_col(i: int, j: int = j) -> Any:
            return cohort.exact[i][j]

        ref = build_reference(ind, col, exact_col, prof)
        if prof.missing == "median" and ref.median is None and ref.count:
            ref.median = median(v for row in cohort.exact if (v := row[j]) is not None)
        refs[ind.code] = ref
        if prof.missing == "median" and ref.median is not None:
            missing = np.isnan(col)
            if missing.any():
                col = np.where(missing, float(ref.median), col)
                for i in np.flatnonzero(missing):
                    flags[i].append(
                        Flag(
                            "median_imputed",
                            cohort.park_ids[i],
                            ind.code,
                            f"{ind.code} missing; the cohort median is used (profile {prof.id})",
                        )
                    )
        N[:, j] = normalise_column(col, ind, ref)
        if ref.constant and ref.method != "survey":
            cohort_flags.append(
                Flag(
                    "constant_reference",
                    "",
                    ind.code,
                    f"{ind.code}: every reporting park has the same value; all get 100",
                )
            )
        if ref.count == 0:
            cohort_flags.append(
                Flag("no_reporters", "", ind.code, f"{ind.code} {ind.name}: no park reported it")
            )
    if prof.missing == "zero_fill":
        filled = np.isnan(N)
        for i, j in zip(*np.nonzero(filled), strict=True):
            flags[i].append(
                Flag(
                    "zero_filled",
                    cohort.park_ids[i],
                    inds[j].code,
                    f"{inds[j].code} missing; counted as normalised 0 (profile {prof.id})",
                )
            )
        N = np.where(filled, 0.0, N)
    for k, flag in _outlier_flags(cohort, registry, float(prof.outlier_robust_z)):
        flags[k].append(flag)

    present = ~np.isnan(N)
    coef_int, _ = _coefficients(registry)
    coef = np.array([float(i.coefficient) for i in inds])  # type: ignore[arg-type]
    Nz = np.where(present, N, 0.0)
    cov = prof.coverage
    start = 0
    primary_float: dict[str, np.ndarray] = {}
    primary_valid: dict[str, np.ndarray] = {}
    composite = np.zeros(len(cohort.parks))
    for p in registry.primaries:
        sl = slice(start, start + len(p.indicators))
        start += len(p.indicators)
        pres_int = present[:, sl].astype(np.int64) @ coef_int[sl]
        all_int = int(coef_int[sl].sum())
        valid = (pres_int > 0) & (pres_int * cov.denominator >= cov.numerator * all_int)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (Nz[:, sl] @ coef[sl]) / (present[:, sl] @ coef[sl])
        primary_float[p.code] = np.where(valid, score, np.nan)
        primary_valid[p.code] = valid
        composite = composite + float(p.weight or 0) / 100.0 * primary_float[p.code]
    rankable = np.all(np.column_stack(list(primary_valid.values())), axis=1)
    composite = np.where(rankable, composite, np.nan)

    # Round once; decide near-boundary values exactly.
    total_cents = _float_cents(composite)
    primary_cents = {code: _float_cents(arr) for code, arr in primary_float.items()}
    suspects = set(np.flatnonzero(rankable & _near_boundary(composite)).tolist())
    for code, arr in primary_float.items():
        suspects |= set(np.flatnonzero(primary_valid[code] & _near_boundary(arr)).tolist())
    result = CohortResult(
        cohort=cohort,
        registry=registry,
        profile=prof,
        references=refs,
        total_cents=total_cents,
        rankable=rankable,
        ranks=[],
        primary_cents=primary_cents,
        primary_valid=primary_valid,
        primary_ranks={},
        flags=flags,
        cohort_flags=cohort_flags,
        normalized=np.where(present, N, np.nan),
    )
    for k in sorted(int(x) for x in suspects):
        ex = result.exact(k)
        if ex.total is not None:
            total_cents[k] = _exact_cents(ex.total)
        for code, value in ex.primary_scores.items():
            if value is not None:
                primary_cents[code][k] = _exact_cents(value)
    result.exact_recomputed = len(suspects)
    _ = cohort.input_sha256  # the audit needs it; computed once per cohort
    result.ranks = competition_ranks(total_cents, rankable)
    result.primary_ranks = {
        code: competition_ranks(primary_cents[code], primary_valid[code]) for code in primary_cents
    }
    log.debug(
        "scored %d parks (%d decided exactly) under %s/%s", result.size, len(suspects), registry.id, prof.id
    )
    return result


def _record(parsed: Any) -> Any:
    from scoring.cohort import to_record

    return to_record(parsed)
