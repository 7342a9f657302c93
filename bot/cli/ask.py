"""`parkbot ask "QUESTION" [--json] [--draft] [--parks …]`: the full assistant on the command line,
the same answer as the API (it goes through the same ``Services.answer``)."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING

import typer

from bot.cli.app import app, console, err_console, fail_with

if TYPE_CHECKING:
    from bot.principal import Principal


def local_principal(parks: str | None = None) -> Principal:
    """The local user running ``parkbot``: every park, or only ``--parks`` (to see what a limited caller sees)."""
    from bot.principal import ALL_PARKS, Principal

    try:
        name = getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        name = "local"
    scope = tuple(p.strip() for p in (parks or "").split(",") if p.strip()) or (ALL_PARKS,)
    return Principal(kind="cli", name=name, parks=scope, manage_documents=True)


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question, e.g. \"外籍专家63岁了还能办工作许可吗？\""),
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON response (CONTRACT.md POST /api/chat)"),
    draft: bool = typer.Option(False, "--draft", help="Write a formal reply letter to an enterprise enquiry"),
    conversation: str = typer.Option(None, "--conversation", "-c", help="Conversation id, to ask follow-ups"),
    parks: str = typer.Option(None, "--parks", help="Answer as a caller limited to these park ids (comma-separated)"),
) -> None:
    """Ask ParkBot: a cited answer from the policy documents, scores, eligibility checks, drafts."""
    from bot.assistant.types import AnswerRequest
    from bot.channels.citations import citation_label
    from bot.errors import is_domain_error
    from bot.services import Services
    from bot.settings import get_settings

    services = Services(get_settings())
    request = AnswerRequest(principal=local_principal(parks), message=question, conversation_id=conversation,
                            mode="draft" if draft else "answer", channel="cli")
    try:
        answer = services.answer(request)
    except Exception as exc:
        if is_domain_error(exc):
            fail_with(exc)
        raise
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    console.print(answer.answer, markup=False, highlight=False)
    if answer.citations:
        console.print()
        for c in answer.citations:
            console.print(citation_label(c), markup=False, highlight=False)
    for notice in answer.notices:
        err_console.print(f"note: {notice}", markup=False)
    console.print(f"conversation: {answer.conversation_id}", style="dim", markup=False)
