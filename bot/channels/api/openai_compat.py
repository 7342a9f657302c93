"""POST /v1/chat/completions: ParkBot behind the OpenAI chat API, for existing chat front ends.

Messages in, ParkBot's cited answer out. The last user message is the question; the
conversation id comes from the ``X-Conversation-Id`` header, else from ``user`` and the first
user message (a client that resends the whole history keeps one ParkBot conversation). The
model name ``parkbot-draft`` (or ``"mode": "draft"``) asks for a reply letter.

``choices[0].message.content`` is the answer followed by its numbered sources, so any client
shows the citations; the structured answer (citations, tool calls, grounded, notices) rides in
the extra ``parkbot`` field. ``stream: true`` returns ``chat.completion.chunk`` server-sent events
ending with ``data: [DONE]``. The answer is checked by the guards before the first byte is sent
(a sentence cannot be taken back once streamed), so the stream starts when the answer is ready.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.assistant.models import Answer, Citation, ToolCall
from bot.errors import BadRequest

router = APIRouter(tags=["openai-compatible"])

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


def render_content(answer: Answer) -> str:
    """The answer as one message: text, numbered sources, notices (pure; no HTTP)."""
    parts = [answer.answer.strip()]
    if answer.citations:
        lines = ["参考文件："]
        for c in answer.citations:
            doc = f"《{c.title}》" + (f"（{c.doc}）" if c.doc and c.doc != c.title else "")
            lines.append(f"[{c.n}] {doc} {c.section}".rstrip())
        parts.append("\n".join(lines))
    if answer.notices:
        parts.append("\n".join(f"说明：{n}" for n in answer.notices))
    return "\n\n".join(p for p in parts if p)


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
    )


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def stream_events(answer: Answer, completion_id: str, created: int, model: str) -> Iterator[str]:
    base = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
    yield _sse(
        {
            **base,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
        }
    )
    for piece in pieces(render_content(answer)):
        yield _sse({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    yield _sse(
        {
            **base,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "parkbot": _extras(answer).model_dump(mode="json"),
        }
    )
    yield "data: [DONE]\n\n"


@router.post("/v1/chat/completions", response_model=ChatCompletion)
def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    x_conversation_id: str | None = Header(default=None),
) -> Any:
    """OpenAI-compatible chat: the last user message is answered by ParkBot's answer service."""
    question, conversation_id = question_and_conversation(body, x_conversation_id)
    mode = body.mode or ("draft" if body.model.endswith("draft") else "answer")
    answer: Answer = request.app.state.services.assistant.answer(
        question, conversation_id=conversation_id, mode=mode
    )
    completion_id = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    if body.stream:
        return StreamingResponse(
            stream_events(answer, completion_id, created, body.model),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[Choice(message=ResponseMessage(content=render_content(answer)))],
        parkbot=_extras(answer),
    )
