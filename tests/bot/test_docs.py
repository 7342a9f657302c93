"""The README documents every command, endpoint and setting (so a newcomer finds them)."""

from __future__ import annotations

from pathlib import Path

import typer.main
from pydantic import BaseModel

from bot.cli import app as cli_app
from bot.server import create_app
from bot.settings import Settings, get_settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(command, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for name, sub in getattr(command, "commands", {}).items():
        full = f"{prefix} {name}".strip()
        found.append(full)
        found.extend(_commands(sub, full))
    return found


def test_every_cli_command_is_in_the_readme() -> None:
    commands = _commands(typer.main.get_command(cli_app))
    assert len(commands) >= 10
    missing = [c for c in commands if f"parkbot {c}" not in README]
    assert not missing, f"README does not show: {missing}"


def test_every_http_endpoint_is_in_the_readme() -> None:
    paths = list(create_app(get_settings()).openapi()["paths"]) + ["/slack/events", "/metrics", "/readyz"]
    missing = [p for p in paths if p not in README]
    assert not missing, f"README does not document: {missing}"


def _setting_names(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names.extend(_setting_names(annotation, f"{prefix}{name}."))
        else:
            names.append(f"{prefix}{name}")
    return names


def test_every_setting_is_in_the_readme() -> None:
    names = _setting_names(Settings)
    assert "llm.base_url" in names
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing, f"README does not explain settings: {missing}"
