"""A local OpenAI-compatible chat endpoint whose replies are scripted by the test.

Each request to ``POST /v1/chat/completions`` takes the next scripted reply: either tool calls
(``tool("search_policies", query="…")``) or final text (``say("…")``). Requests are recorded, so a
test can check what the model was shown (system prompt, tool results, passages). With
``"stream": true`` the reply is sent as ``chat.completion.chunk`` server-sent events, tool-call
arguments split over several chunks like real servers do.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse


def tool(name: str, **args: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "args": args}]}


def tools(*calls: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": [c["tool_calls"][0] for c in calls]}


def say(text: str) -> dict[str, Any]:
    return {"content": text}


class ScriptedLLM:
    def __init__(self) -> None:
        self.replies: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.responded = 0  # requests the endpoint has finished waiting on (held or delayed)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.app = self._build()

    def script(self, *replies: dict[str, Any]) -> None:
        self.replies = list(replies)

    def tool_messages(self, request_no: int = -1) -> list[str]:
        return [m["content"] for m in self.requests[request_no]["messages"] if m["role"] == "tool"]

    def _next(self) -> dict[str, Any]:
        with self._lock:
            if not self.replies:
                return {"content": "（脚本已用完）"}
            return self.replies.pop(0)

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Any:
            body = await request.json()
            self.requests.append(body)
            reply = self._next()
            if reply.get("delay_s"):  # a slow model: answer only after this many seconds
                await asyncio.sleep(reply["delay_s"])
            if reply.get("hold") is not None:  # a model that answers only when the test lets it
                await asyncio.to_thread(reply["hold"].wait, 60)
            self.responded += 1
            if reply.get("status"):
                return JSONResponse({"error": {"message": "scripted failure"}}, status_code=reply["status"])
            calls = [
                {
                    "id": f"call_{next(self._ids)}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["args"], ensure_ascii=False)},
                }
                for c in reply.get("tool_calls", [])
            ]
            if body.get("stream"):
                return StreamingResponse(self._chunks(body, reply, calls), media_type="text/event-stream")
            message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
            if calls:
                message["tool_calls"] = calls
            return {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model"),
                "choices": [
                    {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }

        return app

    def _chunks(self, body: dict[str, Any], reply: dict[str, Any], calls: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        base = {
            "id": "chatcmpl-scripted",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": body.get("model"),
        }

        def event(delta: dict[str, Any], finish: str | None = None) -> str:
            return (
                "data: "
                + json.dumps(
                    {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]},
                    ensure_ascii=False,
                )
                + "\n\n"
            )

        yield event({"role": "assistant", "content": ""})
        for i, call in enumerate(calls):
            args = call["function"]["arguments"]
            head = {
                "index": i,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""},
            }
            yield event({"tool_calls": [head]})
            for j in range(0, len(args), 7):
                yield event({"tool_calls": [{"index": i, "function": {"arguments": args[j : j + 7]}}]})
        text = reply.get("content") or ""
        for j in range(0, len(text), 4):
            yield event({"content": text[j : j + 4]})
        yield event({}, "tool_calls" if calls else "stop")
        yield "data: [DONE]\n\n"
