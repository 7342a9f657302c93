"""Fixtures for the web page: the app on a loopback port (uvicorn in a thread) and headless Chromium.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``), driven by Playwright; a browser is
never downloaded. The server is the real ParkBot app (``create_app``) with the scripted
:class:`FakeAnswerService` as its assistant, so these tests need no index or model.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from bot.server import create_app
from bot.settings import Settings, get_settings
from tests.web.fakes import FakeAnswerService, FakeServices

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
def ensure_routes(app: FastAPI) -> FastAPI:
    """Add the page's routers unless bot/server.py already includes them."""
    from bot.channels import web
    from bot.channels.api import chat, feedback

    have = {(getattr(r, "path", ""), m) for r in app.routes for m in (getattr(r, "methods", None) or ())}
    for router in (web.router, feedback.router, chat.router):
        if not any((getattr(r, "path", ""), m) in have for r in router.routes for m in (r.methods or ())):
            app.include_router(router)
    return app


@dataclass
class LiveServer:
    url: str
    settings: Settings
    assistant: FakeAnswerService | None  # None when the app runs the real services
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(tmp_path: Path, app: FastAPI | None = None, settings: Settings | None = None) -> LiveServer:
    settings = settings or get_settings(store={"url": f"sqlite:///{tmp_path / 'parkbot.db'}"})
    assistant = None
    if app is None:
        assistant = FakeAnswerService()
        app = ensure_routes(create_app(settings, FakeServices(settings, assistant)))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    return LiveServer(f"http://127.0.0.1:{port}", settings, assistant, server, thread)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server: LiveServer) -> Iterator[object]:
    """A fresh browser context (empty localStorage) on the page, Chinese interface."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(live_server.url + "/")
    pg.wait_for_selector("body.ready")
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def screenshot(pg, name: str) -> Path:
    """Save the whole page to test-artifacts/NAME for people to look at (the viewport grows to fit
    it, so the composer pinned to the bottom does not cover the answer)."""
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    size = pg.viewport_size or {"width": 1200, "height": 900}
    height = pg.evaluate("document.documentElement.scrollHeight")
    pg.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 4000))})
    pg.screenshot(path=str(path), full_page=True)
    pg.set_viewport_size(size)
    return path


# Cells and values that hold a number, each shown: the text of those laid out on more than one line.
BROKEN_NUMBERS = """(root) => {
  const broken = [];
  for (const el of root.querySelectorAll("td.num, .kpi-value, .hbar-value, .parts .num")) {
    if (!el.getClientRects().length) continue;  // folded away
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
    if (tops.length && Math.max(...tops) - Math.min(...tops) > 8) broken.push(el.textContent);
  }
  return broken;
}"""
