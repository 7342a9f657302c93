"""The web chat page: one HTML file, a few ES modules and a stylesheet, served at ``/``.

Everything the page needs ships in ``static/`` (no CDN, no external fonts, no build step) so it
works in air-gapped offices. The page talks only to the JSON API (CONTRACT.md).
"""

from bot.channels.web.routes import router

__all__ = ["router"]
