"""docker-compose.yml, read as Docker Compose would (docker itself is not run here): every setting
the README documents reaches the ParkBot containers, var/ is on a volume, and the first API token
can be made with ``docker compose run`` before any token exists — that command path runs in-process
with exactly the environment Compose would give the container."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings, get_settings
from tests.bot.test_docs import README, _setting_names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
PARKBOT = COMPOSE["services"]["parkbot"]
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")


def env_name(setting: str) -> str:
    return "PARKBOT_" + setting.upper().replace(".", "__")


def container_env(shell: dict[str, str]) -> dict[str, str]:
    """The parkbot container's environment as Compose builds it from ``shell``: ``${X:-d}``,
    ``${X:?msg}`` (an error when unset) and ``${X}`` interpolated; a key without a value is taken
    from the shell when set there and left out when not. Like Compose, a ``${X:?msg}`` anywhere in
    the file stops everything while X is unset."""
    for match in _VARIABLE.finditer(COMPOSE_TEXT):
        if match["op"] == ":?" and not shell.get(match["name"]):
            raise LookupError(f"{match['name']}: {match['arg']}")

    def interpolate(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            name, op, arg = match["name"], match["op"], match["arg"]
            if shell.get(name):
                return shell[name]
            if op == ":?":
                raise LookupError(f"{name}: {arg}")
            return arg if op == ":-" else ""

        return _VARIABLE.sub(one, text)

    env: dict[str, str] = {}
    for key, value in PARKBOT["environment"].items():
        if value is None:
            if key in shell:
                env[key] = shell[key]
        else:
            env[key] = interpolate(str(value))
    return env


def test_every_documented_setting_is_passed_to_the_containers() -> None:
    documented = {env_name(s) for s in _setting_names(Settings)} | {"PARKBOT_CONFIG_FILE"}
    assert {"PARKBOT_SLACK__APP_TOKEN", "PARKBOT_WECOM__AIBOT_TOKEN", "PARKBOT_SERVER__PUBLIC_BASE_URL"} <= documented
    missing = sorted(documented - set(PARKBOT["environment"]))
    assert not missing, f"docker-compose.yml does not pass: {missing}"
    unknown = sorted(k for k in PARKBOT["environment"] if k not in documented)
    assert not unknown, f"docker-compose.yml sets settings ParkBot does not have: {unknown}"


def test_an_unset_setting_keeps_its_default_instead_of_an_empty_value() -> None:
    env = container_env({"POSTGRES_PASSWORD": "pw"})
    empty = sorted(k for k, v in env.items() if v == "")
    assert not empty, f"these would override the defaults with an empty value: {empty}"
    assert "PARKBOT_AUTH__TOKENS" not in env and "PARKBOT_SLACK__APP_TOKEN" not in env
    passed = container_env({"POSTGRES_PASSWORD": "pw", "PARKBOT_SLACK__APP_TOKEN": "xapp-1",
                            "PARKBOT_SERVER__PUBLIC_BASE_URL": "https://parkbot.example.org"})
    assert passed["PARKBOT_SLACK__APP_TOKEN"] == "xapp-1"
    assert passed["PARKBOT_SERVER__PUBLIC_BASE_URL"] == "https://parkbot.example.org"


def test_var_is_kept_on_a_volume_shared_by_the_replicas() -> None:
    workdir = re.search(r"^WORKDIR\s+(\S+)", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert workdir is not None
    mounts = {m.split(":")[1]: m.split(":")[0] for m in PARKBOT["volumes"]}
    var = f"{workdir.group(1)}/var"
    assert var in mounts and mounts[var] in COMPOSE["volumes"], "var/ must be a named volume"
    defaults = tomllib.loads((ROOT / "config" / "default.toml").read_text(encoding="utf-8"))
    for relative in (defaults["documents"]["uploads_dir"], defaults["paths"]["index_dir"]):  # originals, the index
        assert Path(relative).parts[0] == "var", relative


def test_the_first_token_can_be_made_with_docker_compose_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """`docker compose run --rm --no-deps parkbot parkbot token create ops` with no token set yet."""
    with pytest.raises(LookupError, match="POSTGRES_PASSWORD"):
        container_env({})  # the one variable Compose insists on
    env = container_env({"POSTGRES_PASSWORD": "pw"})
    assert env["PARKBOT_ENV"] == "production" and "PARKBOT_AUTH__TOKENS" not in env
    result = CliRunner().invoke(app, ["token", "create", "ops", "--manage-documents", "--json"], env=env)
    assert result.exit_code == 0, result.output
    made: dict[str, Any] = json.loads(result.output)
    assert made["entry"]["sha256"] == hashlib.sha256(made["token"].encode()).hexdigest()
    # the printed entry, exported as the README says, is what the next `docker compose up` reads
    shell = {"POSTGRES_PASSWORD": "pw", "PARKBOT_AUTH__TOKENS": json.dumps([made["entry"]])}
    for key, value in container_env(shell).items():
        monkeypatch.setenv(key, value)
    settings = get_settings()
    assert settings.env == "production" and [t.name for t in settings.auth.tokens] == ["ops"]
    assert settings.server.host == "0.0.0.0" and settings.store.url.startswith("postgresql://")


def test_the_readme_and_the_compose_file_say_how_to_make_the_first_token() -> None:
    command = "docker compose run --rm --no-deps parkbot parkbot token create"
    assert command in README and command in COMPOSE_TEXT
    assert "parkbot-var" in README


def test_docker_waits_for_answers_in_progress_before_killing_the_server() -> None:
    """``docker compose stop`` sends SIGTERM, then SIGKILL after stop_grace_period (10 s unless
    set): the grace must outlast the server's drain of Slack/WeCom answers in progress."""
    grace = re.fullmatch(r"(\d+)s", str(PARKBOT.get("stop_grace_period", "10s")))
    assert grace, "stop_grace_period is written in seconds, e.g. 30s"
    assert int(grace[1]) > Settings().server.drain_timeout_s
