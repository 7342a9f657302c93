"""`parkbot search "QUESTION" [--k 5] [--json] [--doc 文号]`: hybrid search from the shell."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from bot.cli.app import app, console, fail, fail_with


def _searcher():  # type: ignore[no-untyped-def]
    from bot.services import Services
    from bot.settings import get_settings

    return Services(get_settings()).searcher


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="The question, e.g. 外籍专家63岁了还能办工作许可吗")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="Number of hits")] = 5,
    doc: Annotated[str | None, typer.Option(help="Only this document (文号 or title)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the /api/search response)")] = False,
) -> None:
    """Search the policy corpus (dense + BM25 hybrid) and print the best passages."""
    from retrieval.errors import RetrievalError

    searcher = _searcher()
    if searcher is None:
        fail("还没有检索索引；请先运行 `parkbot ingest` 建立索引", "index_missing")
    try:
        result = searcher.run(question, k, {"doc": doc} if doc else None)
    except RetrievalError as exc:
        fail_with(exc)
    if as_json:
        payload = {
            "hits": [h.model_dump() for h in result.hits],
            "coverage": result.coverage.model_dump(include={"covered", "score", "threshold", "dense_top"}),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not result.coverage.covered:
        console.print("[yellow]The corpus does not seem to cover this question; closest passages:[/yellow]")
    for n, hit in enumerate(result.hits, 1):
        where = " ".join(x for x in (hit.doc, hit.section) if x)
        console.print(f"[bold]{n}. {escape(where)}[/bold]  [dim]{escape(hit.title)} · {hit.date or ''} · "
                      f"score {hit.score:.3f}[/dim]")
        if hit.context:
            console.print(f"   [dim]{escape(hit.context)}[/dim]")
        console.print(f"   {escape(hit.text.strip())}\n")
    if not result.hits:
        console.print("No passages found.")
