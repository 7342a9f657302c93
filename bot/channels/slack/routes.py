"""HTTP edge of Slack: POST /slack/events (Events API and interactivity, HTTP mode).

Before bolt sees a request it passes the checks every callback passes (bot/channels/callbacks.py):
Slack is configured; ``X-Slack-Request-Timestamp`` is Unix seconds within five minutes; the
``X-Slack-Signature`` is the v0 HMAC-SHA256 of the raw body (S1), so unsigned garbage is refused
before it is parsed; the body is UTF-8 and has the shape bolt reads (a JSON object, or a form
whose ``payload`` is one). Each refusal is a 4xx naming the check and counts toward the caller's
rate limit. Bolt then dispatches in a worker thread: its dedupe middleware writes to the store and
a slash command waits for its ``ack``, neither on the event loop. The listeners answer after the
ack in the app's :class:`~bot.workers.AnswerPool`, which the server drains when it stops.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.request.internals import parse_body

from bot.channels.callbacks import CallbackRefused, built, check_timestamp, refused, utf8
from bot.channels.slack.app import slack_app_for
from bot.errors import StoreUnavailable, Unavailable, error_body
from bot.store import off_loop
from bot.workers import AnswerPool, answer_pools

log = logging.getLogger(__name__)
router = APIRouter(tags=["slack"])

ANSWER_WORKERS = 16  # bolt acks slash commands and button clicks from this pool too: keep room for them


def signing_secret(request: Request) -> str:
    """The configured signing secret, or 503 naming what to set."""
    cfg = request.app.state.services.settings.slack
    missing = [name for name, value in (("PARKBOT_SLACK__BOT_TOKEN", cfg.bot_token.get_secret_value()),
                                        ("PARKBOT_SLACK__SIGNING_SECRET", cfg.signing_secret.get_secret_value()))
               if not value]
    if missing:
        raise Unavailable("Slack is not configured: set " + ", ".join(missing), code="slack_not_configured")
    return str(cfg.signing_secret.get_secret_value())


def verify_signature(secret: str, timestamp: str, signature: str, body: bytes) -> None:
    """Slack's request signature (v0): HMAC-SHA256 over ``v0:<timestamp>:<raw body>``."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise CallbackRefused("X-Slack-Signature does not match the body: the request is not from this Slack app "
                              "(or PARKBOT_SLACK__SIGNING_SECRET is not the app's Signing Secret).", code="bad_signature")


def slack_payload(text: str, content_type: str | None) -> dict[str, Any]:
    """The body as bolt will read it (bolt's own parser), or 400 naming why it cannot be read."""
    try:
        payload = parse_body(text, content_type)
    except RecursionError:
        raise CallbackRefused("Slack request body is nested too deeply to read.", code="invalid_body", status=400) from None
    except ValueError as exc:
        raise CallbackRefused(f"Slack request body is not valid JSON: {exc}.", code="invalid_body", status=400) from None
    if not isinstance(payload, dict):
        raise CallbackRefused(f"Slack sends a JSON object (or a form whose payload is one), not a {type(payload).__name__}.",
                              code="invalid_body", status=400)
    return payload


def _bolt_app(request: Request) -> App:
    services = request.app.state.services
    pool = AnswerPool(ANSWER_WORKERS, "slack")
    answer_pools(request.app).append(pool)
    return slack_app_for(services, signing_secret=signing_secret(request), executor=pool)


def _dispatch(app: App, request: Request, text: str) -> Any:
    try:
        bolt_request = BoltRequest(body=text, query=request.url.query, headers=dict(request.headers))
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        # bolt reads ids from many places of a payload, assuming Slack's shapes
        raise CallbackRefused(f"Slack request body has an unexpected shape ({type(exc).__name__}).", code="invalid_body",
                              status=400) from None
    try:
        return app.dispatch(bolt_request)
    except StoreUnavailable:
        raise
    except Exception as exc:  # bolt's own error path failed on this payload (its kwargs read every field)
        log.error("Slack request failed in bolt: %s", exc, exc_info=exc)
        raise CallbackRefused(f"ParkBot could not read this Slack request ({type(exc).__name__}).", code="invalid_body",
                              status=400) from None


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request) -> Response:
    try:
        secret = signing_secret(request)
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        if not timestamp or not signature:
            raise CallbackRefused("X-Slack-Request-Timestamp and X-Slack-Signature are required: Slack signs every "
                                  "request it sends.", code="unsigned_request")
        check_timestamp(timestamp, name="X-Slack-Request-Timestamp")
        body = await request.body()
        verify_signature(secret, timestamp, signature, body)
        text = utf8(body, "Slack request body")
        payload = slack_payload(text, request.headers.get("content-type"))
        app = await built(request, "slack_app", _bolt_app)
        bolt_response = await off_loop(_dispatch, app, request, text)
    except CallbackRefused as exc:
        return refused(request, exc)
    if bolt_response.status == 404:  # bolt's "unhandled request": say which, in the one error shape
        kind = str(payload.get("type") or payload.get("command") or "without a type")[:60]
        return JSONResponse(status_code=404, content=error_body(
            "unhandled_request", f"ParkBot does not handle this Slack request ({kind}); it answers mentions, direct "
            "messages, /parkbot and its feedback buttons (config/slack/manifest.yaml)."))
    return to_starlette_response(bolt_response)
