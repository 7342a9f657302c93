"""Slack Socket Mode (S14): for offices without a public URL. Needs the ``xapp-`` app token."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.channels.slack.app import build_slack_app, build_web_client
from bot.errors import Unavailable
from bot.services import Services


def socket_mode_handler(services: Services) -> SocketModeHandler:
    """Build the Socket Mode handler; ``.start()`` blocks, ``.connect()`` returns at once."""
    cfg = services.settings.slack
    if not cfg.bot_token.get_secret_value() or not cfg.app_token.get_secret_value():
        raise Unavailable(
            "Slack Socket Mode needs PARKBOT_SLACK__BOT_TOKEN (xoxb-…) and PARKBOT_SLACK__APP_TOKEN (xapp-…)",
            code="slack_not_configured",
        )
    bolt = build_slack_app(
        signing_secret=None,  # Socket Mode requests are not signed; the app token authenticates
        client=build_web_client(cfg.bot_token.get_secret_value(), cfg.api_base_url),
        dedupe=services.dedupe,
        stream_answer=services.stream_answer,
        record_feedback=services.record_feedback,
        public_base_url=services.settings.server.public_base_url,
        native_stream=cfg.native_stream,
    )
    return SocketModeHandler(bolt, app_token=cfg.app_token.get_secret_value())
