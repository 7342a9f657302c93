"""WeCom group robot webhook (BOTS.md W8): push text or markdown to a group chat.

Limits: text ≤ 2048 bytes, markdown ≤ 4096 bytes per message, 20 messages per minute per robot.
Longer content is split on UTF-8 boundaries; the sender waits instead of exceeding the rate.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Literal

import httpx

from bot.channels.wecom.render import ROBOT_MARKDOWN_LIMIT, ROBOT_TEXT_LIMIT, split_utf8

log = logging.getLogger(__name__)

MESSAGES_PER_MINUTE = 20


class WebhookError(Exception):
    code = "wecom_webhook"


class RobotWebhook:
    def __init__(
        self,
        url: str,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise WebhookError(f"webhook URL must start with http:// or https://, got {url!r}")
        self.url = url
        self.http = http or httpx.Client(timeout=10.0)
        self.sleep = sleep
        self.clock = clock
        self._sent: deque[float] = deque()

    def _wait_for_slot(self) -> None:
        while len(self._sent) >= MESSAGES_PER_MINUTE:
            wait = 60.0 - (self.clock() - self._sent[0])
            if wait <= 0:
                self._sent.popleft()
                continue
            log.info("group robot rate limit: waiting %.1f s", wait)
            self.sleep(wait)

    def push(self, content: str, kind: Literal["markdown", "text"] = "markdown") -> int:
        """Send ``content``; return the number of messages it took."""
        limit = ROBOT_MARKDOWN_LIMIT if kind == "markdown" else ROBOT_TEXT_LIMIT
        pieces = split_utf8(content, limit)
        for piece in pieces:
            self._wait_for_slot()
            resp = self.http.post(self.url, json={"msgtype": kind, kind: {"content": piece}})
            self._sent.append(self.clock())
            try:
                body = resp.json()
            except ValueError as exc:
                raise WebhookError(f"webhook answered HTTP {resp.status_code} without JSON") from exc
            if body.get("errcode", 0) != 0:
                raise WebhookError(f"webhook refused the message: errcode {body.get('errcode')} ({body.get('errmsg')})")
        return len(pieces)
