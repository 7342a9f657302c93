"""Headless Chromium for the page tests: Debian's ``chromium`` driven by Playwright's sync API.

A browser is never downloaded. The fixture is module-scoped on purpose: Playwright's sync API
keeps an event loop marked as running on the main thread while it is open, so a browser that
outlived its module would break every later asyncio test (seen in a random-order run).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def headless_chromium() -> Iterator[object]:
    """Yield a launched browser and close it (and Playwright's loop) afterwards."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install the Debian packages chromium and chromium-driver (`make test` does it)"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
