"""Request ids and JSON log lines.

Every HTTP request gets an id: the caller's ``X-Request-ID`` if it is a short token of letters,
digits, ``.``, ``_`` and ``-``, otherwise a new one. It is returned in the ``X-Request-ID``
response header and added to every log record written while the request runs (also in
threads the route starts, since contextvars are copied to the thread pool).

:func:`configure_json_logging` makes the root logger write one JSON object per line
(``ts, level, logger, message, request_id`` and any ``extra`` fields) and scrubs secrets: the
values of the configured secrets (tokens, API keys, signing secrets) and anything that looks
like a bearer token, a Slack token or an OpenAI-style key are replaced by ``[redacted]``.
One access line is logged per request (method, route, status, duration, caller name).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, SecretStr

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("parkbot_request_id", default="")
access_log = logging.getLogger("parkbot.access")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SECRET_PATTERNS = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|xox[abposr]-[A-Za-z0-9-]{8,}"
    r"|xapp-[A-Za-z0-9-]{8,}"
    r"|sk-[A-Za-z0-9_-]{12,}"
    r"|pbt_[A-Za-z0-9_-]{16,}"
)
REDACTED = "[redacted]"
_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdMiddleware:
    """Assigns the request id, returns it as ``X-Request-ID`` and logs one access line."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for key, value in scope.get("headers") or ():
            if key == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def with_header(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, with_header)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            principal = (scope.get("state") or {}).get("principal")
            access_log.info(
                "%s %s %s",
                scope.get("method"),
                route,
                status,
                extra={
                    "method": scope.get("method"),
                    "route": route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "caller": getattr(principal, "name", None),
                },
            )
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class Redactor:
    """Replaces configured secret values and well-known token shapes in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _SECRET_PATTERNS.sub(lambda m: (m.group(1) or "") + REDACTED, text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; secrets scrubbed from the message, extras and tracebacks."""

    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__()
        self.redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        rid = getattr(record, "request_id", "") or request_id_var.get()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = self.redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def secret_values(settings: Any) -> list[str]:
    """Every SecretStr value in the settings (nested groups included)."""
    found: list[str] = []

    def walk(obj: Any) -> None:
        if isinstance(obj, SecretStr):
            found.append(obj.get_secret_value())
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name, None))
        elif isinstance(obj, list | tuple):
            for item in obj:
                walk(item)

    walk(settings)
    return [s for s in found if s]


def configure_json_logging(level: str = "INFO", settings: Any = None, stream: Any = None) -> None:
    """Make the root logger (and uvicorn's) write JSON lines with request ids and no secrets."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(Redactor(secret_values(settings) if settings is not None else ())))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access line carries the request id


def install(app: FastAPI, settings: Any) -> None:
    """Add request ids (install last, so it is the outermost middleware)."""
    app.add_middleware(RequestIdMiddleware)
