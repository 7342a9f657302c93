"""`parkbot ingest`: build the policy index (`parkbot docs …` is in bot/cli/documents.py).

Ingest goes through `bot.documents.DocumentService`, so it takes the same lock as uploads from
the web page, applies the corrections staff made (status, dates…), keeps documents deleted
through ParkBot deleted unless their files are named explicitly, and records what it changed.
A metadata sidecar ``<file>.meta.toml`` beside a file (or ``--meta FILE`` for one file) sets
status, superseded_by, issue and effective dates. The progress bars and the log lines both go to
stderr, the log lines above the bars; the summary goes to stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from bot.cli.app import app, console, err_console, fail_with

_PHASES = {"parse": "Reading documents", "embed": "Embedding passages", "write": "Writing the index"}


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to index (default: the shipped corpus)")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Make the index hold only these documents")] = False,
    meta: Annotated[Path | None, typer.Option("--meta", help="Metadata sidecar (TOML: status, superseded_by, "
                                              "date, effective_date…) for the one file given")] = None,
) -> None:
    """Parse and index documents; unchanged ones are skipped, so a repeat run is quick."""
    from bot.documents import DocumentService
    from bot.errors import ParkBotError
    from bot.logging_setup import configure_logging, logs_above
    from bot.settings import get_settings
    from retrieval.errors import RetrievalError

    settings = get_settings()
    configure_logging(settings.log_level)
    service = DocumentService.from_settings(settings)
    explicit = bool(paths)
    paths = list(paths or [settings.paths.corpus, *([service.uploads] if service.uploads.is_dir() else [])])
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    try:
        # the bars and the log lines share stderr: logs print above the bars, never inside them
        with Progress(*columns, console=err_console, transient=True) as bar, logs_above(bar.console):
            tasks: dict[str, TaskID] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if total == 0:
                    return
                if phase not in tasks:
                    tasks[phase] = bar.add_task(_PHASES.get(phase, phase), total=total)
                bar.update(tasks[phase], completed=done, total=total)

            report, skipped = service.ingest_paths(paths, actor=actor_name(None), replace=replace, progress=progress,
                                                   meta_file=meta, restore_deleted=explicit)
    except (RetrievalError, ParkBotError) as exc:
        fail_with(exc, exit_code=1)

    for failure in report.failed:
        err_console.print(f"[red]failed[/red] {failure.source}: {failure.reason}")
    for doc in skipped:
        err_console.print(f"skipped {doc}: deleted through ParkBot (`parkbot docs history`); name its file to restore it")
    state = f"new build {report.build_id}" if report.changed else "index already current, nothing written"
    console.print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.failed)} failed — {report.documents} documents, "
        f"{report.chunks} chunks ({report.passages_embedded} passages embedded, {report.vectors_reused} "
        f"reused) in {report.seconds:.1f}s; {state}",
        soft_wrap=True,
    )
    if report.all_failed and not skipped:
        err_console.print("Nothing could be indexed: fix the files listed above and run `parkbot ingest` again.")
        raise typer.Exit(1)


from bot.cli.documents import actor_name  # noqa: E402 - also registers `parkbot docs …`
