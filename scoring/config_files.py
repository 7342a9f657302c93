"""Reading YAML config with line numbers, so errors can name the file and the row.

Every mapping read here carries its 1-based line under the key ``__line__``; ``where()`` turns a
mapping into "path line N" for messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scoring.errors import ConfigError

LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Keep numbers as text: "1.10" must stay "1.10" (a code) and "0.8" must become Decimal("0.8").
for _tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):
    _LineLoader.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


def _construct_bool(loader: _LineLoader, node: yaml.ScalarNode) -> bool | str:
    # YAML 1.1 reads "no"/"yes"/"on"/"off" as booleans; only true/false are booleans here.
    text = loader.construct_scalar(node)
    return {"true": True, "false": False}.get(str(text).lower(), text)  # type: ignore[return-value]


_LineLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def default_config_dir() -> Path:
    """config/scoring of the checkout this package lives in (bot code may pass another)."""
    return Path(__file__).resolve().parent.parent / "config" / "scoring"


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror})") from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def where(path: Path, mapping: dict[str, Any] | None) -> str:
    line = (mapping or {}).get(LINE_KEY)
    return f"{path} line {line}" if line else str(path)


def strip_lines(value: Any) -> Any:
    """A copy without the ``__line__`` keys (for pydantic models)."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
