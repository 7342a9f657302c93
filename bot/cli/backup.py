"""`parkbot backup --out DIR` and `parkbot restore DIR`: the store and the index, safely copied."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.app import app, console, err_console


@app.command()
def backup(
    out: Path = typer.Option(..., "--out", help="A new (or empty) directory for the backup"),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON"),
) -> None:
    """Copy the store (SQLite) and the current index build while the server keeps running."""
    from bot.backup import backup as run_backup
    from bot.errors import ParkBotError
    from bot.settings import get_settings

    try:
        report = run_backup(get_settings(), out)
    except ParkBotError as exc:
        err_console.print(f"[red]backup failed:[/red] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        console.print_json(report.model_dump_json())
        return
    console.print(f"Backup written to [bold]{report.out}[/bold]")
    console.print(f"  store: {report.store}")
    console.print(f"  index: {report.index}")
    console.print(f"  files: {len(report.files)} (checksums in manifest.json)")
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {note}", soft_wrap=True)


@app.command()
def restore(
    src: Path = typer.Argument(..., help="A directory written by `parkbot backup`"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before replacing the current store and index"),
) -> None:
    """Check a backup's checksums, then restore its store and publish its index build."""
    from bot.backup import restore as run_restore
    from bot.backup import verify
    from bot.errors import ParkBotError
    from bot.settings import get_settings

    settings = get_settings()
    try:
        report = verify(src)
    except ParkBotError as exc:
        err_console.print(f"[red]restore refused:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"Backup of {report.created_at}: store {report.store}; index {report.index}")
    if not yes and not typer.confirm(
        "Replace the current store and index with this backup? (stop `parkbot serve` first)", default=False
    ):
        raise typer.Exit(1)
    try:
        done = run_restore(settings, src)
    except ParkBotError as exc:
        err_console.print(f"[red]restore failed:[/red] {exc}")
        raise typer.Exit(1) from None
    for line in done:
        console.print(line, soft_wrap=True)
