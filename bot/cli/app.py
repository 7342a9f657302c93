"""The `parkbot` command-line application object, shared by the command modules."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="parkbot",
    help="ParkBot: policy assistant for 国家高新区 staff (policy Q&A, scores, eligibility, drafts).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """ParkBot: policy assistant for 国家高新区 staff."""
