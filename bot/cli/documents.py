"""`parkbot docs …`: list documents with their status, show one, retire, delete, history.

    parkbot docs [--json]                              the indexed documents and their status
    parkbot docs show ID [--json] [--passages]         metadata and the parsed outline (or every passage)
    parkbot docs retire ID --superseded-by ID2         or --status repealed|expired
    parkbot docs delete ID --yes
    parkbot docs history [ID] [--limit 50] [--json]    who changed what, when

ID is a doc id (文号 in any bracket style, or the title) or the short slug `parkbot docs` prints.
Changes go through the same `bot.documents.DocumentService` as the API and are recorded as
``cli:<login name>`` unless ``--by`` names someone.
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any

import typer
from rich.table import Table

from bot.cli.app import app, console, fail_with

docs_app = typer.Typer(help="List, inspect, retire and delete policy documents; show the change history.",
                       no_args_is_help=False)
app.add_typer(docs_app, name="docs")

ByOption = Annotated[str | None, typer.Option("--by", help="Who makes the change (default: cli:<login name>)")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


def _service() -> Any:
    from bot.documents import DocumentService
    from bot.logging_setup import configure_logging
    from bot.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    return DocumentService.from_settings(settings)


def actor_name(by: str | None) -> str:
    if by:
        return by
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _fail(exc: Exception) -> typer.Exit:
    fail_with(exc, exit_code=1)


def _errors() -> tuple[type[Exception], ...]:
    from bot.errors import ParkBotError
    from retrieval.errors import RetrievalError

    return (ParkBotError, RetrievalError)


@docs_app.callback(invoke_without_command=True)
def docs(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the indexed documents: id, title, date, status, chunks."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.documents import state
    from bot.documents.models import slug_of
    from bot.settings import get_settings
    from retrieval.errors import IndexMissing
    from retrieval.versions import status_label

    try:
        config = get_settings().retrieval_config()
        build_id, entries = state.current(config)
        if build_id is None:
            raise IndexMissing(config.index_dir)
    except _errors() as exc:
        raise _fail(exc) from exc
    documents = []
    for doc, entry in entries.items():
        meta = entry["meta"]
        status = meta.get("status", "in_force")
        documents.append({"doc": doc, "slug": slug_of(doc), "title": meta["title"], "date": meta.get("date"),
                          "effective_date": meta.get("effective_date"), "status": status,
                          "status_label": status_label(status, meta.get("superseded_by")),
                          "superseded_by": meta.get("superseded_by"), "chunks": entry["chunks"],
                          "source": meta.get("source", "")})
    if as_json:
        console.print_json(json.dumps({"build": build_id, "documents": documents}, ensure_ascii=False))
        return
    table = Table(title=f"Indexed documents (build {build_id})")
    for column in ("id", "slug", "title", "date", "status", "chunks"):
        table.add_column(column, justify="right" if column == "chunks" else "left")
    for d in documents:
        style = None if d["status"] == "in_force" else "dim"
        table.add_row(d["doc"], d["slug"], d["title"], d["date"] or "—", d["status_label"], str(d["chunks"]),
                      style=style)
    console.print(table)


@docs_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Doc id, 文号 or slug")],
    as_json: JsonOption = False,
    passages: Annotated[bool, typer.Option("--passages", help="Print every passage (section and text) "
                                           "in reading order instead of the outline")] = False,
) -> None:
    """One document: metadata, status and the outline of headings the parser found (or its passages)."""
    try:
        service = _service()
        detail = service.get(ref)
        found = service.passages(detail.id) if passages else None
    except _errors() as exc:
        raise _fail(exc) from exc
    if as_json:
        console.print_json(found.model_dump_json() if found is not None else detail.model_dump_json())
        return
    place = f"{detail.jurisdiction.place}（{detail.jurisdiction.level}）" if detail.jurisdiction else "—"
    console.print(f"[bold]{detail.title}[/bold]  {detail.id}  ({detail.slug})", highlight=False)
    console.print(f"发文机关 {detail.issuer or '—'} · 成文日期 {detail.date or '—'} · 施行日期 "
                  f"{detail.effective_date or '—'} · 适用范围 {place} · 状态 {detail.status_label} · "
                  f"{detail.chunks} passages", highlight=False)
    for line in detail.history:
        console.print(f"  {line}", highlight=False)
    for rel in detail.related:
        console.print(f"  {rel.relation}: {rel.doc}", highlight=False)
    if found is not None:
        for n, passage in enumerate(found.passages, 1):
            console.print(f"\n[bold]{n}. {passage.section or '（正文）'}[/bold]  {passage.chunk_id}", highlight=False)
            console.print(passage.text, highlight=False, markup=False)
        return
    for entry in detail.outline:
        console.print("  " * max(0, entry.level - 1) + entry.heading, highlight=False)


@docs_app.command("retire")
def retire(
    ref: Annotated[str, typer.Argument(help="The document to retire: doc id, 文号 or slug")],
    superseded_by: Annotated[str | None, typer.Option("--superseded-by", help="The document that replaces it")] = None,
    status: Annotated[str | None, typer.Option("--status", help="repealed or expired (without --superseded-by)")] = None,
    by: ByOption = None,
) -> None:
    """Mark a document superseded by another (or repealed / expired); search ranks it below in-force ones."""
    try:
        result = _service().retire(ref, actor=actor_name(by), superseded_by=superseded_by, status=status)
    except _errors() as exc:
        raise _fail(exc) from exc
    doc = result.document
    if result.change is None:
        console.print(f"{doc.id if doc else ref}: already {doc.status_label if doc else status}; nothing changed")
        return
    console.print(f"{doc.id if doc else ref}: {result.change.summary} (build {result.build})")


@docs_app.command("delete")
def delete(
    ref: Annotated[str, typer.Argument(help="Doc id, 文号 or slug")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
    by: ByOption = None,
) -> None:
    """Remove a document and all its passages from the index."""
    service = _service()
    try:
        doc = service.resolve(ref)
        if not yes and not typer.confirm(f"Delete {doc} from the index?"):
            raise typer.Exit(1)
        result = service.delete(doc, actor=actor_name(by))
    except _errors() as exc:
        raise _fail(exc) from exc
    console.print(f"{doc}: {result.change.summary} (build {result.build})")


@docs_app.command("history")
def history(
    ref: Annotated[str | None, typer.Argument(help="Only this document (id, 文号 or slug)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """Every change to the corpus, newest first: when, who, what."""
    try:
        changes = _service().history(ref, limit)
    except _errors() as exc:
        raise _fail(exc) from exc
    if as_json:
        console.print_json(json.dumps([c.model_dump() for c in changes], ensure_ascii=False, default=str))
        return
    table = Table(title="Document changes")
    for column in ("when (UTC)", "who", "action", "document", "what"):
        table.add_column(column)
    for c in changes:
        table.add_row(c.at, c.actor, c.action, c.doc, c.summary)
    console.print(table)
