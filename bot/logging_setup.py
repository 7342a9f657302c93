"""Logging configuration, applied once by the entry points (CLI, server)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )


class _ConsoleHandler(logging.Handler):
    """Log records printed through a Rich console: while it shows a live display (progress bars),
    each record lands on its own line above the bars instead of inside them."""

    def __init__(self, console: Console, formatter: logging.Formatter | None, level: int) -> None:
        super().__init__(level)
        self.console = console
        self.setFormatter(formatter or logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)
        except Exception:  # a log line must never break the command
            self.handleError(record)


@contextmanager
def logs_above(console: Console) -> Iterator[None]:
    """While the block runs, the root logger writes through ``console`` (the progress bars' own,
    on stderr), with the same format and level as before; afterwards its handlers are restored."""
    root = logging.getLogger()
    saved = root.handlers[:]
    formatter = next((h.formatter for h in saved if h.formatter is not None), None)
    level = min((h.level for h in saved), default=logging.NOTSET)
    root.handlers = [_ConsoleHandler(console, formatter, level)]
    try:
        yield
    finally:
        root.handlers = saved
