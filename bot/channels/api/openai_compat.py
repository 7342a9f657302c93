"""POST /v1/chat/completions: ParkBot behind the OpenAI chat API, for existing chat front ends.

Messages in, ParkBot's cited answer out. The last user message is the question; the
conversation id comes from the ``X-Conversation-Id`` header, else from ``user`` and the first
user message (a client that resends the whole history keeps one ParkBot conversation). The
model name ``parkbot-draft`` (or ``"mode": "draft"``) asks for a reply letter.

``choices[0].message.content`` is the answer followed by its numbered sources, so any client
shows the citations; the structured answer (citations, tool calls, grounded, notices,
verification) rides in the extra ``parkbot`` field. ``stream: true`` returns
``chat.completion.chunk`` server-sent events ending with ``data: [DONE]``: the answer's text
sentence by sentence as the assistant releases it (only text that has passed the checks), then
the sources and notices, then the ``parkbot`` field with the finish.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.assistant.types import (
    Answer,
    AnswerRequest,
    Citation,
    FinalAnswer,
    StreamEvent,
    TextDelta,
    ToolCall,
    Verification,
)
from bot.channels.citations import sources_text
from bot.errors import BadRequest, error_body, http_status_for, is_domain_error
from bot.http.auth import current_principal

router = APIRouter(tags=["openai-compatible"])
log = logging.getLogger(__name__)

MODEL_NAME = "parkbot"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    user: str | None = None
    mode: Literal["answer", "draft"] | None = None


class ParkBotExtras(BaseModel):
    conversation_id: str
    answer: str
    citations: list[Citation]
    tool_calls: list[ToolCall]
    grounded: bool
    backend: str
    notices: list[str]
    verification: Verification


class ResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: ResponseMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage = Usage()
    parkbot: ParkBotExtras


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text", "")) for part in content if part.get("type", "text") == "text")


def question_and_conversation(req: ChatCompletionRequest, header_id: str | None) -> tuple[str, str]:
    users = [_text(m.content).strip() for m in req.messages if m.role == "user"]
    users = [u for u in users if u]
    if not users:
        raise BadRequest(
            'messages: no user message with text; send at least {"role": "user", "content": "…"}.'
        )
    if header_id:
        return users[-1], header_id
    seed = f"{req.user or ''}\n{users[0]}"
    return users[-1], "oa-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16]


def render_tail(answer: Answer) -> str:
    """What follows the answer text in the message: numbered sources, then notices."""
    parts = [sources_text(answer), "\n".join(f"说明：{n}" for n in answer.notices)]
    return "".join(f"\n\n{p}" for p in parts if p)


def render_content(answer: Answer) -> str:
    """The answer as one message: text, numbered sources, notices (pure; no HTTP)."""
    return answer.answer.strip() + render_tail(answer)


_PIECE = re.compile(r".+?(?:[。！？!?；;\n]+(?:\[\d+\])*\n*|$)", re.S)


def pieces(text: str) -> list[str]:
    """Split content into stream chunks at sentence ends (a marker stays with its sentence)."""
    return [m.group(0) for m in _PIECE.finditer(text) if m.group(0)]


def _extras(answer: Answer) -> ParkBotExtras:
    return ParkBotExtras(
        conversation_id=answer.conversation_id,
        answer=answer.answer,
        citations=answer.citations,
        tool_calls=answer.tool_calls,
        grounded=answer.grounded,
        backend=answer.backend,
        notices=answer.notices,
        verification=answer.verification,
    )


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def stream_events(events: Iterator[StreamEvent], completion_id: str, created: int, model: str) -> Iterator[str]:
    """Chunks of the answer as the assistant releases its text, then the sources and the finish."""
    base = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}

    def chunk(content: str) -> str:
        return _sse({**base, "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]})

    yield _sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
    try:
        for event in events:
            if isinstance(event, TextDelta) and event.text:
                yield chunk(event.text)
            elif isinstance(event, FinalAnswer):
                for piece in pieces(render_tail(event.answer)):
                    yield chunk(piece)
                yield _sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                            "parkbot": _extras(event.answer).model_dump(mode="json")})
    except Exception as exc:  # the status line is sent already: the error goes in the stream
        if not is_domain_error(exc):
            log.exception("chat completion stream failed")
        code = str(getattr(exc, "code", "internal_error")) if is_domain_error(exc) else "internal_error"
        message = str(exc) if is_domain_error(exc) else "ParkBot hit an internal error; the log has the details."
        yield _sse({**error_body(code, message), "status": http_status_for(exc)})
    yield "data: [DONE]\n\n"


@router.post("/v1/chat/completions", response_model=ChatCompletion,
             responses={413: {"description": "the last user message is too long"}})
def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    x_conversation_id: str | None = Header(default=None),
) -> Any:
    """OpenAI-compatible chat: the last user message is answered by ParkBot's answer service."""
    question, conversation_id = question_and_conversation(body, x_conversation_id)
    mode = body.mode or ("draft" if body.model.endswith("draft") else "answer")
    services = request.app.state.services
    ask = AnswerRequest(principal=current_principal(request), message=question, conversation_id=conversation_id,
                        mode=mode, channel="openai")
    completion_id = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    if body.stream:
        events = services.stream_answer(ask)  # refuses a bad request here, before the stream starts
        return StreamingResponse(
            stream_events(events, completion_id, created, body.model),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer: Answer = services.answer(ask)
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[Choice(message=ResponseMessage(content=render_content(answer)))],
        parkbot=_extras(answer),
    )
