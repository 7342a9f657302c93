"""Method profiles: the choices SCORING.md names, as data (config/scoring/profiles.yaml)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from scoring.config_files import default_config_dir, read_yaml, strip_lines
from scoring.errors import ConfigError, UnknownKeyError

Normalisation = Literal["minmax", "ratio_to_best", "zscore", "percentile", "goalposts", "log1p_minmax"]


class StabilitySettings(BaseModel):
    model_config = ConfigDict(frozen=True)
    draws: int = 1000
    spread: Decimal = Decimal("0.2")
    seed: int = 20130312


class MethodProfile(BaseModel):
    """One documented scoring method. ``default`` is SCORING.md's method."""

    model_config = ConfigDict(frozen=True)
    id: str = "default"
    description: str = ""
    normalisation: Normalisation = "minmax"
    missing: Literal["drop", "zero_fill", "median"] = "drop"
    coverage: Fraction = Fraction(2, 3)
    rounding_places: int = 2
    survey_scale: tuple[Decimal, Decimal] = (Decimal(0), Decimal(100))
    grades: dict[str, Decimal] = {"A": Decimal(100), "B": Decimal(80), "C": Decimal(60), "D": Decimal(40)}
    goalposts: dict[str, tuple[Decimal, Decimal]] = {}
    outlier_robust_z: Decimal = Decimal("3.5")
    near_miss: Decimal = Decimal("0.05")
    stability: StabilitySettings = StabilitySettings()

    @field_validator("coverage", mode="before")
    @classmethod
    def _fraction(cls, value: Any) -> Fraction:
        try:
            result = Fraction(str(value))
        except (ValueError, ZeroDivisionError) as exc:
            raise ValueError(f'coverage {value!r} must be a fraction such as "2/3"') from exc
        if not 0 <= result <= 1:
            raise ValueError(f"coverage {value!r} must be between 0 and 1")
        return result


def load_profiles(config_dir: Path | None = None) -> dict[str, MethodProfile]:
    path = (config_dir or default_config_dir()) / "profiles.yaml"
    raw = read_yaml(path).get("profiles") or {}
    profiles: dict[str, MethodProfile] = {}
    for name, body in raw.items():
        if name == "__line__":
            continue
        merged: dict[str, Any] = {}
        parent = body.get("inherit")
        if parent:
            if parent not in raw:
                raise ConfigError(
                    f"{path} line {body.get('__line__')}: profile {name!r} inherits unknown {parent!r}"
                )
            merged.update(strip_lines(raw[parent]))
        merged.update(strip_lines(body))
        merged.pop("inherit", None)
        try:
            profiles[name] = MethodProfile(id=name, **merged)
        except ValueError as exc:
            raise ConfigError(f"{path} line {body.get('__line__')}: profile {name!r}: {exc}") from exc
    if "default" not in profiles:
        raise ConfigError(f"{path}: no 'default' profile")
    return profiles


def load_profile(name: str | MethodProfile | None = None, config_dir: Path | None = None) -> MethodProfile:
    if isinstance(name, MethodProfile):
        return name
    profiles = load_profiles(config_dir)
    key = name or "default"
    if key not in profiles:
        raise UnknownKeyError(f"Method profile {key!r} is not defined (known: {', '.join(profiles)})")
    return profiles[key]
