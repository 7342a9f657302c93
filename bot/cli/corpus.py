"""`parkbot ingest` and `parkbot docs`: build the policy index and list what it holds."""

from __future__ import annotations

import json
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
from rich.table import Table

from bot.cli.app import app, console, err_console

_PHASES = {"parse": "Reading documents", "embed": "Embedding passages", "write": "Writing the index"}


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to index (default: the shipped corpus)")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Make the index hold only these documents")] = False,
) -> None:
    """Parse and index documents; unchanged ones are skipped, so a repeat run is quick."""
    from bot.logging_setup import configure_logging
    from bot.settings import get_settings
    from retrieval.errors import RetrievalError
    from retrieval.ingest import ingest as run_ingest

    settings = get_settings()
    configure_logging(settings.log_level)
    paths = list(paths or [settings.paths.corpus])
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if total == 0:
                    return
                if phase not in tasks:
                    tasks[phase] = bar.add_task(_PHASES.get(phase, phase), total=total)
                bar.update(tasks[phase], completed=done, total=total)

            report = run_ingest(paths, settings.retrieval_config(), replace=replace, progress=progress)
    except RetrievalError as exc:
        err_console.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from exc

    for failure in report.failed:
        err_console.print(f"[red]failed[/red] {failure.source}: {failure.reason}")
    state = f"new build {report.build_id}" if report.changed else "index already current, nothing written"
    console.print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.failed)} failed — {report.documents} documents, "
        f"{report.chunks} chunks ({report.passages_embedded} passages embedded, {report.vectors_reused} "
        f"reused) in {report.seconds:.1f}s; {state}",
        soft_wrap=True,
    )
    if report.all_failed:
        err_console.print("Nothing could be indexed: fix the files listed above and run `parkbot ingest` again.")
        raise typer.Exit(1)


@app.command()
def docs(as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False) -> None:
    """List the indexed documents: id, title, date, status, chunks."""
    from bot.settings import get_settings
    from retrieval.errors import RetrievalError
    from retrieval.index import indexed_documents

    try:
        build_id, documents = indexed_documents(get_settings().retrieval_config())
    except RetrievalError as exc:
        err_console.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from exc
    if as_json:
        console.print_json(json.dumps({"build": build_id, "documents": documents}, ensure_ascii=False))
        return
    table = Table(title=f"Indexed documents (build {build_id})")
    for column in ("id", "title", "date", "status", "chunks"):
        table.add_column(column, justify="right" if column == "chunks" else "left")
    for d in documents:
        table.add_row(d["doc"], d["title"], d["date"] or "—", d["status"], str(d["chunks"]))
    console.print(table)
