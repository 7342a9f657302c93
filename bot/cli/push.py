"""`parkbot push`: send a message to a WeCom group robot webhook."""

from __future__ import annotations

import sys

import typer

from bot.cli.app import app, console, err_console


@app.command()
def push(
    message: str = typer.Argument(None, help="Text to send; '-' or omitted reads standard input"),
    webhook: str = typer.Option(..., "--webhook", help="The group robot's webhook URL (…/cgi-bin/webhook/send?key=…)"),
    text: bool = typer.Option(False, "--text", help="Send as plain text instead of markdown"),
) -> None:
    """Push a message to a WeCom group chat through its robot webhook (split within WeCom's limits)."""
    from bot.channels.wecom.webhook import RobotWebhook, WebhookError

    content = sys.stdin.read() if message in (None, "-") else message
    if not content.strip():
        err_console.print("Nothing to send: give a message or pipe one in.")
        raise typer.Exit(2)
    try:
        count = RobotWebhook(webhook).push(content, "text" if text else "markdown")
    except WebhookError as exc:
        err_console.print(f"Push failed: {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Sent {count} message(s).")
