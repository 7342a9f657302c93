"""`parkbot` command line. Each domain's commands live in their own module of this package."""

from __future__ import annotations

import importlib
import logging

from bot.cli.app import app, console, err_console

# Command modules register themselves on `app` when imported.
_COMMAND_MODULES = ("bot.cli.server", "bot.cli.corpus", "bot.cli.search", "bot.cli.ask", "bot.cli.eval", "bot.cli.feedback", "bot.cli.scoring", "bot.cli.push", "bot.cli.slack", "bot.cli.tokens", "bot.cli.backup")

for _name in _COMMAND_MODULES:
    importlib.import_module(_name)


def main() -> None:
    """Entry point of the `parkbot` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


__all__ = ["app", "console", "err_console", "main"]
