"""POST /api/chat: the assistant over HTTP (CONTRACT.md), as JSON or as server-sent events.

With ``Accept: text/event-stream`` the answer streams as ``event: delta`` pieces
(``{"text": "…"}``) followed by one ``event: answer`` carrying the full JSON response; an error
after the stream has started arrives as ``event: error`` with ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from bot.assistant.models import Answer, Citation, ToolCall
from bot.errors import error_body, http_status_for, is_domain_error

router = APIRouter(tags=["chat"])
log = logging.getLogger(__name__)


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=4000, description="The question or the enquiry to answer")
    conversation_id: str | None = Field(default=None, max_length=200, description="Keeps follow-ups in context")
    mode: Literal["answer", "draft"] = "answer"


class ChatResponse(BaseModel):
    conversation_id: str
    answer: str
    citations: list[Citation]
    tool_calls: list[ToolCall]
    grounded: bool
    mode: Literal["answer", "draft"] = "answer"
    backend: str = "offline"
    intent: str = ""
    notices: list[str] = Field(default_factory=list)


def to_response(answer: Answer) -> ChatResponse:
    return ChatResponse.model_validate(answer.model_dump())


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/api/chat", response_model=ChatResponse)
def chat(body: ChatRequest, request: Request) -> Any:
    """Answer a message (or draft a reply letter), citing the policy passages it rests on."""
    assistant = request.app.state.services.assistant
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(
            _events(assistant, body),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return to_response(assistant.answer(body.message, body.conversation_id, body.mode))


def _events(assistant: Any, body: ChatRequest) -> Iterator[str]:
    try:
        for item in assistant.stream(body.message, body.conversation_id, body.mode):
            if isinstance(item, Answer):
                yield _sse("answer", to_response(item).model_dump(mode="json"))
            else:
                yield _sse("delta", {"text": item})
    except Exception as exc:  # headers are sent already: report the error as an event
        if is_domain_error(exc):
            status = http_status_for(exc)
            yield _sse("error", {**error_body(str(getattr(exc, "code", "error")), str(exc)), "status": status})
        else:
            log.exception("chat stream failed")
            yield _sse("error", error_body("internal_error", "ParkBot hit an internal error; the log has the details."))
