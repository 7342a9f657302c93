"""POST /api/chat: the assistant over HTTP (CONTRACT.md), as JSON or as server-sent events.

With ``Accept: text/event-stream`` the answer streams as it is ready: ``event: tool`` for each
tool call when it returns (``{"name", "args", "ok", "result"}``), ``event: delta`` pieces of the
text (``{"text": "…"}``), then one ``event: answer`` carrying the full JSON response. An error
after the stream has started arrives as ``event: error`` with ``{"error": {"code", "message"},
"status"}``; a request the service refuses (empty or too long message) gets its status code before
any event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from bot.assistant.types import Answer, AnswerRequest, FinalAnswer, Mode, StreamEvent, TextDelta, ToolEvent
from bot.errors import error_body, http_status_for, is_domain_error
from bot.http.auth import current_principal

router = APIRouter(tags=["chat"])
log = logging.getLogger(__name__)


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, description="The question or the enquiry to answer "
                         "(at most limits.max_message_chars characters; longer is refused with 413)")
    conversation_id: str | None = Field(default=None, max_length=200, description="Keeps follow-ups in context")
    mode: Mode = "answer"


class ChatResponse(Answer):
    """The answer (CONTRACT.md): text, citations, typed tool calls, grounded, backend, notices."""


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/api/chat", response_model=ChatResponse, responses={413: {"description": "the message is too long"}})
def chat(body: ChatRequest, request: Request) -> Any:
    """Answer a message (or draft a reply letter), citing the policy passages it rests on."""
    services = request.app.state.services
    ask = AnswerRequest(principal=current_principal(request), message=body.message,
                        conversation_id=body.conversation_id, mode=body.mode, channel="api")
    if "text/event-stream" in request.headers.get("accept", ""):
        events = services.stream_answer(ask)  # refuses a bad request here, before the stream starts
        return StreamingResponse(
            _events(events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return services.answer(ask)


def _events(events: Iterator[StreamEvent]) -> Iterator[str]:
    try:
        for event in events:
            if isinstance(event, TextDelta):
                yield _sse("delta", {"text": event.text})
            elif isinstance(event, ToolEvent):
                yield _sse("tool", event.call.model_dump(mode="json"))
            elif isinstance(event, FinalAnswer):
                yield _sse("answer", event.answer.model_dump(mode="json"))
    except Exception as exc:  # headers are sent already: report the error as an event
        if is_domain_error(exc):
            status = http_status_for(exc)
            yield _sse("error", {**error_body(str(getattr(exc, "code", "error")), str(exc)), "status": status})
        else:
            log.exception("chat stream failed")
            yield _sse("error", error_body("internal_error", "ParkBot hit an internal error; the log has the details."))
