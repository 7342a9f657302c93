"""The shapes of the secrets ParkBot is given, checked before a production server starts.

A placeholder or a mangled secret must stop the server with a message, not start it and fail
every callback later (an AES key of ``xxx`` used to give a 500 on each WeCom message). Outside
development, :func:`secret_problems` is run on the settings; each problem names the setting and
the rule it breaks:

* every secret that is set must not contain a placeholder word (``your``, ``xxx``, ``changeme``,
  ``test``, ``example``) — real keys are random and do not;
* the ones whose form the platform fixes must have it: a Slack signing secret is 32 hex digits, a
  bot token starts ``xoxb-``, an app-level token ``xapp-``; a WeCom EncodingAESKey is 43 base64
  characters (it decodes to the 32-byte AES key), a WeCom Token is at most 32 letters or digits;
* a channel that is set up has what it needs to work (Slack: a signing secret, or an app-level
  token for Socket Mode; WeCom: Token and EncodingAESKey; the OpenAI backend: an API key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PLACEHOLDER_WORDS = ("your", "xxx", "changeme", "test", "example")
PLACEHOLDERS = {"change-me", "placeholder", "secret", "token", "key"}  # refused when they are the whole value


@dataclass(frozen=True)
class Shape:
    pattern: re.Pattern[str]
    rule: str


_WECOM_AES = Shape(re.compile(r"[A-Za-z0-9+/]{43}"),
                   "must be the 43-character EncodingAESKey (letters, digits, + or /) from the WeCom admin console")
_WECOM_TOKEN = Shape(re.compile(r"[A-Za-z0-9]{1,32}"),
                     "must be the Token from the WeCom admin console: at most 32 letters or digits")

# (group, key) → shape; the variable is PARKBOT_<GROUP>__<KEY>
SHAPES: dict[tuple[str, str], Shape] = {
    ("slack", "signing_secret"): Shape(re.compile(r"[0-9a-f]{32}"),
                                       "must be the app's Signing Secret: 32 hexadecimal digits (Basic Information → "
                                       "App Credentials)"),
    ("slack", "bot_token"): Shape(re.compile(r"xoxb-[0-9A-Za-z-]{10,}"),
                                  "must be the Bot User OAuth Token, which starts with xoxb- (OAuth & Permissions)"),
    ("slack", "app_token"): Shape(re.compile(r"xapp-[0-9A-Za-z-]{10,}"),
                                  "must be an app-level token, which starts with xapp- (Basic Information → "
                                  "App-Level Tokens)"),
    ("wecom", "aes_key"): _WECOM_AES,
    ("wecom", "aibot_aes_key"): _WECOM_AES,
    ("wecom", "token"): _WECOM_TOKEN,
    ("wecom", "aibot_token"): _WECOM_TOKEN,
}

# every secret setting, checked for placeholder words when set
SECRETS = [("llm", "api_key"), ("embedding", "api_key"), ("slack", "bot_token"), ("slack", "signing_secret"),
           ("slack", "app_token"), ("wecom", "secret"), ("wecom", "token"), ("wecom", "aes_key"),
           ("wecom", "aibot_token"), ("wecom", "aibot_aes_key")]


def variable(group: str, key: str) -> str:
    return f"PARKBOT_{group.upper()}__{key.upper()}"


def _value(settings: Any, group: str, key: str) -> str:
    secret = getattr(getattr(settings, group), key)
    return str(secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret or "")


def secret_problems(settings: Any) -> list[str]:
    """What is wrong with the secrets in ``settings``: one line per setting, naming it and the rule."""
    problems: dict[str, str] = {}
    for group, key in SECRETS:
        value = _value(settings, group, key)
        word = next((w for w in PLACEHOLDER_WORDS if w in value.lower()), None)
        if word or value.lower() in PLACEHOLDERS:
            problems[variable(group, key)] = f"is a placeholder (contains {word or value.lower()!r}); set the real secret"
        elif value and (group, key) in SHAPES and not SHAPES[group, key].pattern.fullmatch(value):
            problems[variable(group, key)] = SHAPES[group, key].rule
    for group, key, rule in _missing(settings):
        problems.setdefault(variable(group, key), rule)
    return [f"{name} {rule}" for name, rule in problems.items()]


def _missing(settings: Any) -> list[tuple[str, str, str]]:
    """Secrets a configured channel cannot work without."""
    missing = []
    if settings.llm.backend == "openai" and not _value(settings, "llm", "api_key"):
        missing.append(("llm", "api_key", "must be set for llm.backend = \"openai\""))
    if _value(settings, "slack", "bot_token") and not (_value(settings, "slack", "signing_secret")
                                                       or _value(settings, "slack", "app_token")):
        missing.append(("slack", "signing_secret", "must be set with the bot token (or an xapp- app token for "
                                                   "Socket Mode)"))
    if settings.wecom.corp_id:
        missing += [("wecom", k, "must be set with wecom.corp_id") for k in ("secret", "token", "aes_key")
                    if not _value(settings, "wecom", k)]
    for a, b in (("aibot_token", "aibot_aes_key"), ("aibot_aes_key", "aibot_token")):
        if _value(settings, "wecom", a) and not _value(settings, "wecom", b):
            missing.append(("wecom", b, f"must be set with wecom.{a}"))
    return missing
