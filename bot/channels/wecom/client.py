"""WeCom server API client: access token cache and message/send (BOTS.md W6, W7).

All calls go through an injectable ``httpx.Client`` so tests point it at a local mock server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.channels.wecom.render import APP_MESSAGE_LIMIT, split_utf8

log = logging.getLogger(__name__)

TOKEN_EXPIRED = {40014, 42001}   # invalid / expired access_token: refresh once and retry
RATE_LIMITED = {45009, 45033}    # API frequency limits: back off and retry


class WeComAPIError(Exception):
    code = "wecom_api"

    def __init__(self, errcode: int, errmsg: str, path: str) -> None:
        super().__init__(f"WeCom API {path} failed: errcode {errcode} ({errmsg})")
        self.errcode = errcode


class WeComClient:
    def __init__(
        self,
        api_base: str,
        corp_id: str,
        secret: str,
        agent_id: str,
        http: httpx.Client | None = None,
        *,
        timeout_s: float = 10.0,
        backoff_s: tuple[float, ...] = (1.0, 2.0, 4.0),
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.http = http or httpx.Client(timeout=timeout_s)
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.clock = clock
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = threading.Lock()

    # -- token -------------------------------------------------------------------------------
    def access_token(self, *, force: bool = False) -> str:
        with self._lock:
            if force or not self._token or self.clock() >= self._token_expires:
                started = time.monotonic()
                resp = self.http.get(
                    f"{self.api_base}/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
                )
                body = resp.json()
                if body.get("errcode", 0) != 0:
                    raise WeComAPIError(body.get("errcode", -1), body.get("errmsg", ""), "gettoken")
                self._token = body["access_token"]
                # refresh five minutes early so a token never expires mid-send
                self._token_expires = self.clock() + max(60, int(body.get("expires_in", 7200)) - 300)
                log.info("wecom gettoken ok in %.0f ms", (time.monotonic() - started) * 1000)
            return self._token

    # -- calls -------------------------------------------------------------------------------
    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST with the token; refresh once on expiry errors, back off on rate limits."""
        refreshed = False
        attempts = 0
        while True:
            token = self.access_token()
            started = time.monotonic()
            resp = self.http.post(f"{self.api_base}{path}", params={"access_token": token}, json=payload)
            body = resp.json()
            errcode = body.get("errcode", 0)
            log.info("wecom %s errcode=%s in %.0f ms", path, errcode, (time.monotonic() - started) * 1000)
            if errcode == 0:
                return body
            if errcode in TOKEN_EXPIRED and not refreshed:
                refreshed = True
                self.access_token(force=True)
                continue
            if errcode in RATE_LIMITED and attempts < len(self.backoff_s):
                self.sleep(self.backoff_s[attempts])
                attempts += 1
                continue
            raise WeComAPIError(errcode, body.get("errmsg", ""), path)

    def send_markdown(self, touser: str, content: str) -> list[dict[str, Any]]:
        """Send ``content`` as one or more markdown messages within the byte limit."""
        return [
            self.post(
                "/cgi-bin/message/send",
                {"touser": touser, "agentid": self.agent_id, "msgtype": "markdown", "markdown": {"content": piece}},
            )
            for piece in split_utf8(content, APP_MESSAGE_LIMIT)
        ]

    def send_text(self, touser: str, content: str) -> list[dict[str, Any]]:
        return [
            self.post(
                "/cgi-bin/message/send",
                {"touser": touser, "agentid": self.agent_id, "msgtype": "text", "text": {"content": piece}},
            )
            for piece in split_utf8(content, APP_MESSAGE_LIMIT)
        ]
