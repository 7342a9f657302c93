"""A local mock of the Slack Web API that records calls (like slack-bolt's own test server).

Answers ``{"ok": true}`` with plausible fields; ``rate_limit_next`` makes the next call of a
method answer 429 with ``Retry-After``; ``native_stream=False`` makes chat.startStream fail as
in a workspace without streaming.
"""

from __future__ import annotations

import itertools
import json
import threading
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class SlackMock:
    def __init__(self, native_stream: bool = True) -> None:
        self.app = FastAPI()
        self.calls: list[tuple[str, dict]] = []
        self.rate_limit_next: dict[str, int] = {}
        self.native_stream = native_stream
        self.socket_url = ""
        self.uploads: list[bytes] = []  # file bodies posted to the upload URLs (files_upload_v2)  # what apps.connections.open hands out (Socket Mode tests)
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._routes()

    def _routes(self) -> None:
        @self.app.post("/api/{method}")
        async def api(method: str, request: Request) -> JSONResponse:
            raw = await request.body()
            if request.headers.get("content-type", "").startswith("application/json"):
                args = json.loads(raw or b"{}")
            else:
                args = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                for key in ("blocks", "chunks"):
                    if isinstance(args.get(key), str):
                        args[key] = json.loads(args[key])
            with self._lock:
                if self.rate_limit_next.get(method):
                    retry_after = self.rate_limit_next.pop(method)
                    self.calls.append((method + ":429", args))
                    return JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429, headers={"Retry-After": str(retry_after)})
                self.calls.append((method, args))
                ts = f"1700000000.{next(self._ts):06d}"
            if method == "auth.test":
                return JSONResponse({"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "parkbot"})
            if method == "files.getUploadURLExternal":
                upload = f"{request.base_url}upload/{len(self.uploads)}"
                return JSONResponse({"ok": True, "upload_url": upload, "file_id": f"F{len(self.uploads)}"})
            if method == "files.completeUploadExternal":
                return JSONResponse({"ok": True, "files": [{"id": "F0", "title": "chart"}]})
            if method == "apps.connections.open":
                return JSONResponse({"ok": True, "url": self.socket_url})
            if method.startswith("chat.") and method.endswith("Stream") and not self.native_stream:
                return JSONResponse({"ok": False, "error": "unknown_method"})
            return JSONResponse({"ok": True, "ts": args.get("ts") or ts, "channel": args.get("channel", "C1")})

        @self.app.post("/upload/{n}")
        async def upload(n: str, request: Request) -> JSONResponse:
            with self._lock:
                self.uploads.append(await request.body())
            return JSONResponse({"ok": True})

        @self.app.post("/response_url/{token}")
        async def response_url(token: str, request: Request) -> JSONResponse:
            with self._lock:
                self.calls.append(("response_url", json.loads(await request.body())))
            return JSONResponse({"ok": True})

    def named(self, method: str) -> list[dict]:
        with self._lock:
            return [args for name, args in self.calls if name == method]

    def answers(self) -> list[dict]:
        """Final answer messages: chat.update with blocks, or chat.stopStream, or postMessage with blocks."""
        with self._lock:
            return [
                args
                for name, args in self.calls
                if name == "chat.stopStream" or (name in ("chat.update", "chat.postMessage") and args.get("blocks"))
            ]
