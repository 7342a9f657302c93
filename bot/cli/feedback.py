"""`parkbot feedback export`: ratings from the web page as evaluation cases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.app import app, console, err_console

feedback_app = typer.Typer(help="Feedback that staff gave on answers in the web page.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON-lines file to write")] = Path("cases.jsonl"),
    rating: Annotated[
        str, typer.Option(help="Which ratings to export: all, up (helpful) or down (not helpful)")
    ] = "all",
) -> None:
    """Write stored feedback as evaluation cases in the format of tests/eval/dev_qa.jsonl."""
    from bot.feedback import FeedbackStore, export_cases
    from bot.settings import get_settings
    from bot.store import make_engine

    if rating not in {"all", "up", "down"}:
        err_console.print(f"--rating must be all, up or down (got {rating!r})")
        raise typer.Exit(2)
    engine = make_engine(get_settings().store.resolved_url())
    try:
        written, skipped = export_cases(FeedbackStore(engine), out, None if rating == "all" else rating)  # type: ignore[arg-type]
    finally:
        engine.dispose()
    console.print(f"Wrote {written} evaluation case(s) to {out}")
    if skipped:
        console.print(
            f"Skipped {skipped} rating(s) that cannot be cases: no question stored (e.g. Slack buttons), "
            "or a score/eligibility answer without cited passages."
        )
