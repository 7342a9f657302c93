"""`parkbot ask "QUESTION" [--json]`: the full assistant on the command line, same answer as the API."""

from __future__ import annotations

import json

import typer

from bot.cli.app import app, console, err_console


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question, e.g. \"外籍专家63岁了还能办工作许可吗？\""),
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON response (CONTRACT.md POST /api/chat)"),
    draft: bool = typer.Option(False, "--draft", help="Write a formal reply letter to an enterprise enquiry"),
    conversation: str = typer.Option(None, "--conversation", "-c", help="Conversation id, to ask follow-ups"),
) -> None:
    """Ask ParkBot: a cited answer from the policy documents, scores, eligibility checks, drafts."""
    from bot.errors import is_domain_error
    from bot.services import Services
    from bot.settings import get_settings

    services = Services(get_settings())
    try:
        answer = services.assistant.answer(question, conversation, "draft" if draft else "answer")
    except Exception as exc:
        if is_domain_error(exc):
            err_console.print(f"[red]{getattr(exc, 'code', 'error')}[/red]: {exc}")
            raise typer.Exit(2) from exc
        raise
    finally:
        close = getattr(services, "close", None)
        if close:
            close()
    if as_json:
        typer.echo(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    console.print(answer.answer, markup=False, highlight=False)
    if answer.citations:
        console.print()
        for c in answer.citations:
            where = " ".join(p for p in (c.doc, c.section) if p)
            console.print(f"[{c.n}] {c.title}（{where}）", markup=False, highlight=False)
    for notice in answer.notices:
        err_console.print(f"note: {notice}", markup=False)
    console.print(f"conversation: {answer.conversation_id}", style="dim", markup=False)
