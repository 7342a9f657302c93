"""`parkbot token create NAME`: make an API token and print the settings line that admits it."""

from __future__ import annotations

import json

import typer

from bot.cli.app import app, console

token_app = typer.Typer(help="API tokens for the JSON API and the web page (stored hashed in settings).", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def create(
    name: str = typer.Argument(..., help="Who gets the token, e.g. ops or syn001-staff (shown in logs)"),
    parks: list[str] = typer.Option(None, "--parks", help="Limit to these park ids (repeat or comma-separate); default all"),
    manage_documents: bool = typer.Option(False, "--manage-documents", help="May add or remove policy documents"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (token, settings entry, env value)"),
) -> None:
    """Create a random token. It is printed once; settings keep only its sha256."""
    from bot.http.auth import TokenSpec, hash_token, new_token
    from bot.principal import ALL_PARKS

    park_ids = [p.strip() for item in parks or [] for p in item.split(",") if p.strip()] or [ALL_PARKS]
    token = new_token()
    spec = TokenSpec(name=name, sha256=hash_token(token), parks=park_ids, manage_documents=manage_documents)
    entry = spec.model_dump()
    toml_line = (
        f'{{ name = {json.dumps(spec.name, ensure_ascii=False)}, sha256 = "{spec.sha256}", '
        f"parks = {json.dumps(spec.parks, ensure_ascii=False)}, "
        f"manage_documents = {'true' if spec.manage_documents else 'false'} }},"
    )
    if as_json:
        console.print_json(json.dumps({"token": token, "entry": entry}, ensure_ascii=False))
        return
    console.print(f"Token for [bold]{spec.name}[/bold] (shown once; give it to its holder):\n")
    console.print(token, markup=False, highlight=False, soft_wrap=True)
    console.print("\nAdd this entry to `tokens = [ … ]` under [auth] in your settings file:\n", markup=False, highlight=False)
    console.print(toml_line, markup=False, highlight=False, soft_wrap=True)
    console.print("\nor, as an environment variable (JSON list of all tokens):\n")
    console.print(f"PARKBOT_AUTH__TOKENS='{json.dumps([entry], ensure_ascii=False)}'", markup=False, highlight=False, soft_wrap=True)
