"""What the bot callback edges (Slack events, WeCom app, WeCom AI bot) share before a platform's code runs.

Every callback is checked in the same order, cheapest first, and never reaches a parser or the
store before it has passed the checks that need neither:

1. the channel is configured (503 naming the settings to set);
2. the request time is a Unix timestamp inside :data:`WINDOW_S` of ours (401 otherwise);
3. the signature matches (401), so unsigned garbage is refused before its body is parsed;
4. the body is UTF-8 and has the platform's shape (400 naming what is wrong);
5. only then the channel runs, in a worker thread (:func:`bot.store.off_loop`): its dedupe
   key and anything else in the store never block the event loop, and a busy store fails that
   callback alone with 503 ``store_busy`` (the platform retries it) inside the platform's window.

Refused callbacks (2–4) count against the caller's IP in the API's rate-limit buckets, so a
flood of forged callbacks gets 429 like any other. Callbacks that pass are never rate-limited:
Slack and WeCom send from many addresses and must not lose a real message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.errors import ParkBotError, error_body
from bot.store import off_loop

log = logging.getLogger(__name__)
T = TypeVar("T")

# Slack refuses requests older than five minutes ("Verifying requests from Slack"). WeCom documents
# no window, so ParkBot uses the same one: WeCom retries an unanswered callback within seconds and
# polls an AI-bot stream with fresh timestamps, so five minutes never refuses a real callback and
# leaves room for a server clock a few minutes off, while a recorded callback replayed later (the
# dedupe keys stop exact replays only for a day) is refused. The same bound applies to the future.
WINDOW_S = 300

_build_lock = threading.Lock()


class CallbackRefused(ParkBotError):
    """A callback that must not run: ``status`` 401 (time, signature) or 400 (body), ``code`` names the check."""

    def __init__(self, message: str, *, code: str, status: int = 401) -> None:
        super().__init__(message, code=code)
        self.status = status


def check_timestamp(value: str, *, name: str, now: float | None = None) -> None:
    """Refuse a request time that is not Unix seconds or lies more than ``WINDOW_S`` from ours."""
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise CallbackRefused(f"{name} must be the request time in Unix seconds, got {value[:20]!r}.",
                              code="bad_timestamp")
    skew = (time.time() if now is None else now) - int(value)
    if abs(skew) > WINDOW_S:
        raise CallbackRefused(
            f"{name} is {abs(skew) / 60:.0f} minutes {'old' if skew > 0 else 'in the future'}; callbacks are "
            f"accepted within {WINDOW_S // 60} minutes of the server's clock (check the server's time if this is a "
            "real callback).",
            code="stale_request",
        )


def utf8(body: bytes, what: str) -> str:
    """The body as text, or 400 naming the first byte that is not UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CallbackRefused(f"{what} is not UTF-8 (byte {exc.start}: {body[exc.start:exc.start + 1]!r}).",
                              code="invalid_utf8", status=400) from None


def refused(request: Request, exc: CallbackRefused) -> JSONResponse:
    """The answer to a refused callback; it counts against the caller's IP (429 once the burst is spent)."""
    from bot.http.limits import count_refusal

    too_many = count_refusal(request.scope)
    if too_many is not None:
        return too_many
    log.warning("%s refused: %s (%s)", request.url.path, exc.code, exc)
    return JSONResponse(status_code=exc.status, content=error_body(exc.code, str(exc)))


async def built(request: Request, key: str, build: Callable[[Request], T]) -> T:
    """``app.state.<key>``, built once by ``build`` in a worker thread (building opens the store)."""
    found = getattr(request.app.state, key, None)
    if found is not None:
        return found

    def build_once() -> T:
        with _build_lock:
            existing = getattr(request.app.state, key, None)
            if existing is not None:
                return existing
            made = build(request)
            setattr(request.app.state, key, made)
            return made

    return await off_loop(build_once)
