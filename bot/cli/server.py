"""`parkbot serve`: run the web chat and the HTTP API."""

from __future__ import annotations

import typer

from bot.cli.app import app, console


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default: settings server.host, 127.0.0.1)"),
    port: int = typer.Option(None, help="Port (default: settings server.port, 8000)"),
) -> None:
    """Serve the web chat page and the JSON API (CONTRACT.md)."""
    import uvicorn

    from bot.logging_setup import configure_logging
    from bot.server import create_app
    from bot.settings import get_settings

    settings = get_settings()
    if settings.log_format == "json":
        from bot.http.request_id import configure_json_logging

        configure_json_logging(settings.log_level, settings)
    else:
        configure_logging(settings.log_level)
    host = host or settings.server.host
    port = port or settings.server.port
    console.print(f"ParkBot is serving on [bold]http://{host}:{port}/[/bold]  (API docs: /docs)")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )
