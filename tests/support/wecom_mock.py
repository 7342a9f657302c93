"""A local mock of the WeCom server API (gettoken, message/send) that records every call.

``fail_next`` queues error codes to return from message/send (e.g. 42001 token expired,
45009 rate limited) so tests can force the client's recovery paths.
"""

from __future__ import annotations

import itertools
import threading

from fastapi import FastAPI, Request


class WeComMock:
    def __init__(self) -> None:
        self.app = FastAPI()
        self.tokens_issued: list[str] = []
        self.sent: list[dict] = []
        self.send_attempts: list[dict] = []
        self.fail_next: list[int] = []
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._routes()

    def _routes(self) -> None:
        app = self.app

        @app.get("/cgi-bin/gettoken")
        def gettoken(corpid: str, corpsecret: str) -> dict:
            if corpsecret != "app-secret":
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"tok-{next(self._counter)}"
            self.tokens_issued.append(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

        @app.post("/cgi-bin/message/send")
        async def send(request: Request, access_token: str) -> dict:
            payload = await request.json()
            with self._lock:
                self.send_attempts.append({"token": access_token, **payload})
                if access_token != self.tokens_issued[-1]:
                    return {"errcode": 42001, "errmsg": "access_token expired"}
                if self.fail_next:
                    code = self.fail_next.pop(0)
                    if code == 42001:  # the server side forgets the token: a new one is needed
                        self.tokens_issued.append("revoked")
                    return {"errcode": code, "errmsg": "forced by test"}
                self.sent.append(payload)
            return {"errcode": 0, "errmsg": "ok", "msgid": f"m{len(self.sent)}"}

    def contents(self) -> list[str]:
        return [
            p.get("markdown", p.get("text", {})).get("content", "") for p in self.sent
        ]
