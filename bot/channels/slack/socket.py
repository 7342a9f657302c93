"""Slack Socket Mode (S14): for offices without a public URL. Needs the ``xapp-`` app token."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.channels.slack.app import slack_app_for
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
    # Socket Mode requests are not signed; the app token authenticates the connection
    bolt = slack_app_for(services, signing_secret=None)
    return SocketModeHandler(bolt, app_token=cfg.app_token.get_secret_value())
