"""Packaging checks: the Dockerfile copies what exists, and the layers import in one direction."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_the_dockerfile_copies_exists() -> None:
    copies = re.findall(r"^COPY\s+(.+?)\s+\S+\s*$", (ROOT / "Dockerfile").read_text(), flags=re.M)
    sources = [src for line in copies for src in line.split()]
    assert sources, "Dockerfile copies nothing"
    missing = [src for src in sources if not (ROOT / src).exists()]
    assert not missing, f"Dockerfile copies files that do not exist: {missing}"


def test_dockerfile_runs_the_same_steps_as_make_run() -> None:
    docker = (ROOT / "Dockerfile").read_text()
    make = (ROOT / "Makefile").read_text()
    assert "requirements.lock" in docker and "RUN parkbot ingest" in docker
    assert '["parkbot", "serve"' in docker
    for step in ("requirements.lock", "parkbot ingest", "parkbot serve"):
        assert step in make, step


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_libraries_import_no_framework_and_no_bot_code() -> None:
    forbidden = {"fastapi", "starlette", "slack_bolt", "slack_sdk", "bot", "uvicorn"}
    for package in ("retrieval", "scoring"):
        for path, names in _imports(package).items():
            assert not (names & forbidden), f"{path} imports {names & forbidden}"
    for path, names in _imports("scoring").items():
        assert "retrieval" not in names, f"{path} imports retrieval"
    for path, names in _imports("retrieval").items():
        assert "scoring" not in names, f"{path} imports scoring"


def test_nothing_imports_a_channel_except_the_server_and_cli() -> None:
    for path, _ in _imports("bot").items():
        if path.startswith(("bot/channels/", "bot/server.py", "bot/cli/")):
            continue
        source = (ROOT / path).read_text(encoding="utf-8")
        assert "bot.channels" not in source, f"{path} imports a channel"


def test_config_holds_no_python() -> None:
    assert not list((ROOT / "config").rglob("*.py"))
