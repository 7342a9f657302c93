"""Request limits: body size, JSON well-formedness and per-caller rate limits.

The chat message length (``limits.max_message_chars``) is not checked here but in
``Services.answer``, so every channel (Slack and WeCom too) refuses a long message the same way.

All refusals are JSON ``{"error": {"code", "message"}}`` (CONTRACT.md):

====  ========================  ==========================================================
413   ``payload_too_large``     the body is larger than ``limits.max_body_bytes``
                                (``limits.max_upload_bytes`` for ``limits.upload_paths``)
400   ``invalid_utf8``          a JSON body that is not UTF-8
400   ``invalid_json``          a JSON body that does not parse (the position is named)
429   ``rate_limited``          more than ``limits.rate_per_minute`` requests (after a burst of
                                ``limits.rate_burst``); ``Retry-After`` says when to retry.
                                Requests refused for a missing or invalid token and
                                refused bot callbacks (bad time, signature or body) count
                                against their IP in the same buckets (:func:`count_refusal`)
====  ========================  ==========================================================

Rate limits are a token bucket per API token (its name), or per client IP for requests without
one. The buckets live in the memory of each process: with several uvicorn workers or replicas
each enforces its own limit, so the effective limit is the per-process limit times the number
of processes. Behind a reverse proxy, run uvicorn with ``--proxy-headers --forwarded-allow-ips``
so the client IP is the caller's and not the proxy's.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.errors import BadRequest, error_body
from bot.settings import LimitSettings

log = logging.getLogger(__name__)

JSON_BODY_PREFIXES = ("/api/", "/v1/", "/session")


def limit_settings(settings: Any) -> LimitSettings:
    value = getattr(settings, "limits", None)
    if value is None:
        return LimitSettings()
    if isinstance(value, LimitSettings):
        return value
    return LimitSettings.model_validate(value.model_dump() if isinstance(value, BaseModel) else value)


class RateLimited(Exception):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"retry after {retry_after_s:.1f} s")
        self.retry_after_s = retry_after_s


class TokenBuckets:
    """In-memory token buckets by key, bounded to ``max_keys`` (least recently used dropped)."""

    def __init__(self, rate_per_s: float, burst: int, max_keys: int = 10_000, clock: Any = time.monotonic) -> None:
        self.rate = rate_per_s
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0.0 if allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait


def read_json_body(raw: bytes) -> Any:
    """Decode a JSON body, or raise BadRequest naming what is wrong (invalid UTF-8, bad JSON)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"The request body is not valid UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 1]!r}); "
            "send JSON encoded as UTF-8.",
            code="invalid_utf8",
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"The request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
            code="invalid_json",
        ) from None
    except (RecursionError, ValueError) as exc:  # absurd nesting, integers with thousands of digits
        raise BadRequest(f"The request body cannot be read as JSON: {type(exc).__name__}.", code="invalid_json") from None


class _TooLarge(Exception):
    pass


def caller_key(scope: MutableMapping[str, Any]) -> str:
    """Whom a request counts against: its token (by name), else its client IP."""
    principal = (scope.get("state") or {}).get("principal")
    if principal is not None:
        return "token:" + principal.name
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


def too_many_requests(config: LimitSettings, wait: float) -> JSONResponse:
    """The 429 answer (counted in the metrics), with ``Retry-After``."""
    _record_rejection("rate_limited")
    retry = max(1, math.ceil(wait))
    return JSONResponse(
        status_code=429,
        content=error_body(
            "rate_limited",
            f"Too many requests: at most {config.rate_per_minute:g} per minute "
            f"(bursts of {config.rate_burst}). Retry after {retry} s.",
        ),
        headers={"Retry-After": str(retry)},
    )


def count_refusal(scope: MutableMapping[str, Any]) -> JSONResponse | None:
    """Count a refused request (bad credentials, a forged bot callback) against its caller in the
    app's buckets: the 429 to send instead once its burst is spent, else None."""
    state = getattr(scope.get("app"), "state", None)
    buckets = getattr(state, "rate_buckets", None)
    wait = buckets.take(caller_key(scope)) if buckets is not None else 0.0
    if state is None or wait <= 0:
        return None
    log.info("rate limited %s after refused requests on %s", caller_key(scope), scope.get("path"))
    return too_many_requests(state.limit_settings, wait)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


class LimitsMiddleware:
    """ASGI middleware enforcing :class:`LimitSettings` (see the module docstring)."""

    def __init__(self, app: Any, settings: Any, buckets: TokenBuckets | None = None) -> None:
        self.app = app
        self.config = limit_settings(settings)
        rate = self.config.rate_per_minute / 60.0
        self.buckets = buckets or (TokenBuckets(rate, self.config.rate_burst) if rate > 0 else None)

    def _max_body(self, path: str) -> int:
        if any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.config.upload_paths):
            return self.config.max_upload_bytes
        return self.config.max_body_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if self.buckets is not None and path.startswith(tuple(self.config.rate_limited_prefixes)):
            caller = caller_key(scope)
            wait = self.buckets.take(caller)
            if wait > 0:
                log.info("rate limited %s on %s for %.1f s", caller, path, wait)
                await too_many_requests(self.config, wait)(scope, receive, send)
                return

        limit = self._max_body(path)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return

        content_type = (_header(scope, b"content-type") or "").lower()
        has_body = scope.get("method") in ("POST", "PUT", "PATCH")
        if has_body and "json" in content_type and path.startswith(JSON_BODY_PREFIXES):
            await self._buffered(scope, receive, send, limit)
            return
        await self._streamed(scope, receive, send, limit)

    async def _buffered(self, scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
        """Read a JSON body (bounded), check UTF-8 and JSON, then replay it."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await self._too_large(scope, receive, send, limit)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        if raw:
            try:
                read_json_body(raw)
            except BadRequest as exc:
                _record_rejection(exc.code)
                await JSONResponse(status_code=400, content=error_body(exc.code, str(exc)))(scope, receive, send)
                return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _streamed(self, scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
        """Pass the body through, counting; refuse with 413 once it passes the limit."""
        size = 0
        started = False

        async def counted() -> dict[str, Any]:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise _TooLarge
            return message

        async def tracked(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, send, limit)

    async def _too_large(self, scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
        _record_rejection("payload_too_large")
        await JSONResponse(
            status_code=413,
            content=error_body(
                "payload_too_large",
                f"The request body is larger than {limit} bytes (the limit for {scope.get('path')}); "
                "send less data or split it.",
            ),
            headers={"Connection": "close"},
        )(scope, receive, send)


def _record_rejection(reason: str) -> None:
    from bot import metrics

    metrics.record_rejection(reason)


def install(app: FastAPI, settings: Any) -> None:
    """Add the limits middleware (install it before ``auth.install`` so it runs inside it). Its
    buckets are ``app.state.rate_buckets``: auth counts refused credentials in the same ones."""
    config = limit_settings(settings)
    app.state.limit_settings = config
    rate = config.rate_per_minute / 60.0
    app.state.rate_buckets = TokenBuckets(rate, config.rate_burst) if rate > 0 else None
    app.add_middleware(LimitsMiddleware, settings=settings, buckets=app.state.rate_buckets)
