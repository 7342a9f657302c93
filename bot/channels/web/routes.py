"""Routes of the web page: ``/`` and ``/static/…`` (files of ``static/`` only)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from bot.errors import NotFound

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False, tags=["web"])

# The page loads nothing from elsewhere; say so to the browser as well.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
)
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


@router.get("/")
def index(request: Request) -> HTMLResponse:
    """The chat page, told the longest question the server accepts (``limits.max_message_chars``)."""
    limit = request.app.state.services.settings.limits.max_message_chars
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(
        page.replace('data-max-chars=""', f'data-max-chars="{int(limit)}"', 1),
        headers={**_HEADERS, "Content-Security-Policy": _CSP, "Referrer-Policy": "no-referrer"},
    )


@router.get("/static/{path:path}")
def static(path: str) -> FileResponse:
    """A file of the page (scripts, stylesheet, icon); nothing outside ``static/``."""
    target = (STATIC_DIR / path).resolve()
    if not target.is_relative_to(STATIC_DIR.resolve()) or not target.is_file():
        raise NotFound(f"no page asset {path!r}")
    media_type = _TYPES.get(target.suffix)
    if media_type is None:
        raise NotFound(f"no page asset {path!r}")
    return FileResponse(target, media_type=media_type, headers=_HEADERS)
