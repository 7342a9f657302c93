"""WeCom AI bot (智能机器人) callbacks with stream replies (BOTS.md W9).

The AI bot posts JSON ``{"encrypt": …}`` (receive id ""). A text message starts an answer in a
worker thread and is answered at once with the first frame of a stream
``{"msgtype": "stream", "stream": {"id", "finish": false, "content": ""}}``; WeCom then polls with
``msgtype: stream`` callbacks and each poll gets the content so far, until ``finish`` is true.
The asker is a principal ``wecom:aibot:<user>`` limited to the parks of ``wecom.parks``; every
question goes through ``Services.stream_answer``.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.assistant.types import AnswerRequest, FinalAnswer, StreamEvent, TextDelta
from bot.channels.refusals import refusal_text
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.messages import aibot_encrypt, parse_aibot_message
from bot.channels.wecom.render import answer_markdown
from bot.dedupe import DedupeStore
from bot.errors import is_domain_error
from bot.principal import ALL_PARKS, Principal

log = logging.getLogger(__name__)

StreamFn = Callable[[AnswerRequest], Iterator[StreamEvent]]  # Services.stream_answer

STREAM_TTL_S = 600
UNSUPPORTED = "您好，ParkBot 目前只能回答文字消息。"


@dataclass
class StreamState:
    content: str = ""
    finish: bool = False
    updated: float = field(default_factory=time.monotonic)


class AiBotChannel:
    def __init__(
        self, crypto: WeComCrypto, dedupe: DedupeStore, stream: StreamFn, executor: Executor | None = None,
        *, parks: Sequence[str] = (ALL_PARKS,),
    ) -> None:
        self.crypto = crypto
        self.dedupe = dedupe
        self.stream = stream
        self.parks = tuple(parks)
        self.executor = executor or ThreadPoolExecutor(max_workers=4, thread_name_prefix="wecom-aibot")
        self.streams: dict[str, StreamState] = {}
        self._lock = threading.Lock()

    # -- protocol ----------------------------------------------------------------------------
    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        return self.crypto.verify_and_decrypt(msg_signature, timestamp, nonce, echostr.replace(" ", "+"))

    def handle(self, msg_signature: str, timestamp: str, nonce: str, body: bytes) -> dict | None:
        """Verify and decrypt a callback; return the encrypted JSON reply, or None for no reply.
        Raises ``WeComCryptoError`` or ``BadPacket`` (naming the field) for a callback that must not run."""
        encrypt = aibot_encrypt(body)
        message = parse_aibot_message(self.crypto.verify_and_decrypt(msg_signature, timestamp, nonce, encrypt))
        kind = message.msgtype
        if kind == "stream":
            return self._frame(message.stream.id, nonce, timestamp)
        if not self.dedupe.first_time(f"wecom:aibot:{message.msgid}"):
            return None
        if kind == "text":
            stream_id = uuid.uuid4().hex
            with self._lock:
                self._expire()
                self.streams[stream_id] = StreamState()
            user = message.sender.userid
            chat = message.chatid or user
            text = message.text.content
            principal = Principal(kind="wecom", name=f"aibot:{user}", parks=self.parks)
            request = AnswerRequest(principal=principal, message=text, conversation_id=f"wecom-aibot:{chat}",
                                    channel="wecom_aibot")
            self.executor.submit(self._run, stream_id, request)
            return self._frame(stream_id, nonce, timestamp)
        if kind in {"image", "mixed", "voice", "file"}:
            return self._encrypted({"msgtype": "text", "text": {"content": UNSUPPORTED}}, nonce, timestamp)
        return None  # events (enter_chat, …) need no reply

    # -- internals ---------------------------------------------------------------------------
    def _run(self, stream_id: str, request: AnswerRequest) -> None:
        state = self.streams[stream_id]
        try:
            for event in self.stream(request):
                if isinstance(event, FinalAnswer):
                    state.content = answer_markdown(event.answer)
                elif isinstance(event, TextDelta):
                    state.content += event.text
                state.updated = time.monotonic()
        except Exception as exc:
            if is_domain_error(exc):  # refused on purpose (too long, …): the reply says why
                log.info("AI bot question refused: %s", exc)
            else:
                log.exception("AI bot answer failed")
            state.content += "\n" + refusal_text(exc)
        finally:
            state.finish = True

    def _frame(self, stream_id: str, nonce: str, timestamp: str) -> dict:
        state = self.streams.get(stream_id) or StreamState(content="", finish=True)
        payload = {"msgtype": "stream", "stream": {"id": stream_id, "finish": state.finish, "content": state.content}}
        return self._encrypted(payload, nonce, timestamp)

    def _encrypted(self, payload: dict, nonce: str, timestamp: str) -> dict:
        encrypt = self.crypto.encrypt(json.dumps(payload, ensure_ascii=False))
        nonce = nonce or secrets.token_hex(8)
        return {
            "encrypt": encrypt,
            "msgsignature": self.crypto.sign(timestamp, nonce, encrypt),
            "timestamp": timestamp,
            "nonce": nonce,
        }

    def _expire(self) -> None:
        cutoff = time.monotonic() - STREAM_TTL_S
        for key in [k for k, s in self.streams.items() if s.finish and s.updated < cutoff]:
            del self.streams[key]

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
