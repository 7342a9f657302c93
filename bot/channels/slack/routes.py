"""HTTP edge of Slack: POST /slack/events (Events API and interactivity, HTTP mode)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from slack_bolt.adapter.starlette.handler import SlackRequestHandler

from bot.channels.slack.app import slack_app_for
from bot.errors import Unavailable

router = APIRouter(tags=["slack"])


def slack_handler(request: Request) -> SlackRequestHandler:
    """The app's bolt handler, built on first use from the settings."""
    handler = getattr(request.app.state, "slack_handler", None)
    if handler is not None:
        return handler
    services = request.app.state.services
    cfg = services.settings.slack
    missing = [
        name
        for name, value in (
            ("PARKBOT_SLACK__BOT_TOKEN", cfg.bot_token.get_secret_value()),
            ("PARKBOT_SLACK__SIGNING_SECRET", cfg.signing_secret.get_secret_value()),
        )
        if not value
    ]
    if missing:
        raise Unavailable("Slack is not configured: set " + ", ".join(missing), code="slack_not_configured")
    handler = SlackRequestHandler(slack_app_for(services, signing_secret=cfg.signing_secret.get_secret_value()))
    request.app.state.slack_handler = handler
    return handler


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request) -> Response:
    return await slack_handler(request).handle(request)
