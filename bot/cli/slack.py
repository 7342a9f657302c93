"""`parkbot slack --socket`: run the Slack bot over Socket Mode (no public URL needed)."""

from __future__ import annotations

import typer

from bot.cli.app import app, console, err_console


@app.command()
def slack(
    socket: bool = typer.Option(False, "--socket", help="Connect to Slack over Socket Mode (needs the xapp- app token)"),
) -> None:
    """Run the Slack bot. HTTP mode needs no command: `parkbot serve` answers at /slack/events."""
    if not socket:
        console.print(
            "HTTP mode runs inside `parkbot serve` at /slack/events. Use `parkbot slack --socket` for Socket Mode."
        )
        raise typer.Exit(0)
    from bot.channels.slack.socket import socket_mode_handler
    from bot.errors import Unavailable
    from bot.logging_setup import configure_logging
    from bot.services import Services
    from bot.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    services = Services(settings)
    try:
        handler = socket_mode_handler(services)
    except Unavailable as exc:
        err_console.print(str(exc))
        raise typer.Exit(2) from exc
    services.warm_up()
    console.print("ParkBot is connected to Slack over Socket Mode. Ctrl-C stops it.")
    handler.start()
