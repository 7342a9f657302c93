"""A local OpenAI-compatible chat endpoint whose replies are scripted by the test.

Each request to ``POST /v1/chat/completions`` takes the next scripted reply: either tool calls
(``tool("search_policies", query="…")``) or final text (``say("…")``), or a function of the request
body that returns one (a model that answers from the passages it was shown). Requests are
recorded, so a test can check what the model was shown (system prompt, tool results, passages).
With ``"stream": true`` the reply is sent as ``chat.completion.chunk`` server-sent events, text in
pieces of four characters and tool-call arguments split over several chunks like real servers do.

Options of a reply: ``status`` (fail with it), ``delay_s`` / ``hold`` (answer late, or only when
the test sets the event), ``pause_at`` + ``gate`` (stream the text up to that offset, then wait
for the event before the rest: "the first sentence reached the client before the model
finished" is then a fact the test controls, not a timing), ``cps`` (write at that many
characters per second — for benchmarks). ``timeline`` records when each reply started, when
each text piece was sent and when it finished (``time.perf_counter`` seconds).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse


def tool(name: str, **args: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "args": args}]}


def tools(*calls: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": [c["tool_calls"][0] for c in calls]}


def say(text: str, **options: Any) -> dict[str, Any]:
    return {"content": text, **options}


Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


class ScriptedLLM:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.responded = 0  # requests the endpoint has finished waiting on (held or delayed)
        self.finished = 0  # streamed replies sent to their end
        self.timeline: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.app = self._build()

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def tool_messages(self, request_no: int = -1) -> list[str]:
        return [m["content"] for m in self.requests[request_no]["messages"] if m["role"] == "tool"]

    def _next(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if not self.replies:
                return {"content": "（脚本已用完）"}
            reply = self.replies.pop(0)
        return reply(body) if callable(reply) else reply

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Any:
            body = await request.json()
            self.requests.append(body)
            reply = self._next(body)
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

    def _chunks(self, body: dict[str, Any], reply: dict[str, Any], calls: list[dict[str, Any]]) -> Iterator[str]:
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
        cps = reply.get("cps")
        record: dict[str, Any] = {"text": text, "start": time.perf_counter(), "pieces": []}
        self.timeline.append(record)
        pause = reply.get("pause_at") if reply.get("gate") is not None else None
        cuts = sorted({*range(0, len(text), 4), *([pause] if pause else []), len(text)})
        for j, k in itertools.pairwise(cuts):
            if j == pause:
                reply["gate"].wait(30)  # sent this far; the rest only when the test lets it
            piece = text[j:k]
            if cps:
                time.sleep(len(piece) / cps)
            yield event({"content": piece})
            record["pieces"].append((time.perf_counter(), k))
        yield event({}, "tool_calls" if calls else "stop")
        record["end"] = time.perf_counter()
        self.finished += 1
        yield "data: [DONE]\n\n"
