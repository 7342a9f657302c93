"""Production refuses secrets that cannot be right, naming the setting and the rule; development takes anything."""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import Settings
from tests.support.bot_packets import (
    AIBOT_AES_KEY,
    AIBOT_TOKEN,
    SLACK_APP_TOKEN,
    SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET,
    WECOM_AES_KEY,
    WECOM_SECRET,
    WECOM_TOKEN,
)

SLACK = {"bot_token": SLACK_BOT_TOKEN, "signing_secret": SLACK_SIGNING_SECRET}
WECOM = {"corp_id": "ww1234567890abcdef", "secret": WECOM_SECRET, "token": WECOM_TOKEN, "aes_key": WECOM_AES_KEY}


def refusal(**groups: Any) -> str:
    with pytest.raises(ValueError) as caught:
        Settings(env="production", **groups)
    return str(caught.value)


def test_well_formed_secrets_start_in_production() -> None:
    settings = Settings(env="production", slack={**SLACK, "app_token": SLACK_APP_TOKEN},
                        wecom={**WECOM, "aibot_token": AIBOT_TOKEN, "aibot_aes_key": AIBOT_AES_KEY},
                        llm={"backend": "openai", "api_key": "sk-proj-4f9Qk2LmZ8", "base_url": "http://127.0.0.1:9/v1"})
    assert settings.wecom.aes_key.get_secret_value() == WECOM_AES_KEY


@pytest.mark.parametrize(
    ("groups", "setting", "rule"),
    [
        # the probe's findings: each started before
        ({"wecom": {**WECOM, "aes_key": "xxx"}}, "PARKBOT_WECOM__AES_KEY", "placeholder (contains 'xxx')"),
        ({"slack": {**SLACK, "signing_secret": "abc"}}, "PARKBOT_SLACK__SIGNING_SECRET", "32 hexadecimal digits"),
        ({"slack": {**SLACK, "bot_token": "xoxb-your-token"}}, "PARKBOT_SLACK__BOT_TOKEN", "placeholder (contains 'your')"),
        ({"wecom": {**WECOM, "token": "test"}}, "PARKBOT_WECOM__TOKEN", "placeholder (contains 'test')"),
        ({"llm": {"backend": "openai", "api_key": "sk-xxx"}}, "PARKBOT_LLM__API_KEY", "placeholder (contains 'xxx')"),
        # shapes the platforms fix
        ({"wecom": {**WECOM, "aes_key": WECOM_AES_KEY[:42]}}, "PARKBOT_WECOM__AES_KEY", "43-character EncodingAESKey"),
        ({"wecom": {**WECOM, "aes_key": WECOM_AES_KEY[:42] + "!"}}, "PARKBOT_WECOM__AES_KEY", "43-character"),
        ({"wecom": {**WECOM, "token": "a" * 33}}, "PARKBOT_WECOM__TOKEN", "at most 32 letters or digits"),
        ({"slack": {**SLACK, "bot_token": "xoxp-100000000001-2000000"}}, "PARKBOT_SLACK__BOT_TOKEN", "starts with xoxb-"),
        ({"slack": {**SLACK, "signing_secret": SLACK_SIGNING_SECRET.upper()}}, "PARKBOT_SLACK__SIGNING_SECRET",
         "hexadecimal"),
        ({"slack": {"app_token": "xoxb-100000000001-2000000"}}, "PARKBOT_SLACK__APP_TOKEN", "starts with xapp-"),
        ({"wecom": {"aibot_token": AIBOT_TOKEN, "aibot_aes_key": "b" * 44}}, "PARKBOT_WECOM__AIBOT_AES_KEY", "43"),
        # every secret, whatever its platform, and placeholder words in any case
        ({"embedding": {"api_key": "Your-Key-Here"}}, "PARKBOT_EMBEDDING__API_KEY", "placeholder (contains 'your')"),
        ({"wecom": {**WECOM, "secret": "EXAMPLE-secret-123"}}, "PARKBOT_WECOM__SECRET", "contains 'example'"),
        ({"slack": {**SLACK, "signing_secret": "changeme"}}, "PARKBOT_SLACK__SIGNING_SECRET", "contains 'changeme'"),
        # what a configured channel cannot work without
        ({"slack": {"bot_token": SLACK_BOT_TOKEN}}, "PARKBOT_SLACK__SIGNING_SECRET", "must be set with the bot token"),
        ({"wecom": {**WECOM, "aes_key": ""}}, "PARKBOT_WECOM__AES_KEY", "must be set with wecom.corp_id"),
        ({"wecom": {"aibot_token": AIBOT_TOKEN}}, "PARKBOT_WECOM__AIBOT_AES_KEY", "must be set with wecom.aibot_token"),
        ({"llm": {"backend": "openai"}}, "PARKBOT_LLM__API_KEY", "must be set"),
    ],
)
def test_production_names_the_setting_and_the_rule(groups: dict[str, Any], setting: str, rule: str) -> None:
    message = refusal(**groups)
    line = next(line for line in message.splitlines() if setting in line)
    assert rule in line
    assert "PARKBOT_ENV=development" in message  # and how to run locally instead


def test_every_problem_is_named_at_once() -> None:
    message = refusal(slack={"bot_token": "xoxb-your-token", "signing_secret": "abc"}, wecom={**WECOM, "aes_key": "xxx"})
    for setting in ("PARKBOT_SLACK__BOT_TOKEN", "PARKBOT_SLACK__SIGNING_SECRET", "PARKBOT_WECOM__AES_KEY"):
        assert setting in message


def test_the_refusal_never_shows_the_secret() -> None:
    assert "0123456789abcdeZ" not in refusal(slack={**SLACK, "signing_secret": "0123456789abcdeZ"})


def test_development_keeps_working_with_test_values() -> None:
    settings = Settings(env="development", slack={"bot_token": "xoxb-test", "signing_secret": "slack-signing-secret"},
                        wecom={"corp_id": "ww-test", "token": "test", "aes_key": "xxx"})
    assert settings.wecom.token.get_secret_value() == "test"
