"""The WeCom channel: turns verified callbacks into answers sent back through the API.

Acknowledge at once (WeCom's 5-second window, W5), compute in a worker thread, send the
answer with ``message/send``. Each WeCom user's chat is one conversation. Duplicated callbacks
(WeCom retries) are recognised by their dedupe key and never answered twice (W4). The asker is a
principal ``wecom:<corp>:<user>`` limited to the parks of ``wecom.parks``; every question goes
through ``Services.answer``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor

from bot import metrics
from bot.assistant.types import Answer, AnswerRequest
from bot.channels.refusals import refusal_text
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.messages import InboundMessage, envelope_encrypt, parse_message
from bot.channels.wecom.render import answer_markdown
from bot.dedupe import DedupeStore
from bot.errors import is_domain_error
from bot.principal import ALL_PARKS, Principal

log = logging.getLogger(__name__)

AnswerFn = Callable[[AnswerRequest], Answer]  # Services.answer

UNSUPPORTED_REPLY = "您好，ParkBot 目前只能回答文字消息。请直接输入您的问题，例如：外籍人才申请工作许可的年龄上限是多少？"


class WeComChannel:
    def __init__(
        self,
        crypto: WeComCrypto,
        client: WeComClient,
        dedupe: DedupeStore,
        answer: AnswerFn,
        executor: Executor | None = None,
        *,
        parks: Sequence[str] = (ALL_PARKS,),
    ) -> None:
        self.crypto = crypto
        self.client = client
        self.dedupe = dedupe
        self.answer = answer
        self.parks = tuple(parks)
        self.executor = executor or ThreadPoolExecutor(max_workers=4, thread_name_prefix="wecom")

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET callback: verify and return the decrypted echostr (W1).

        An unencoded ``+`` in echostr arrives as a space after query decoding; base64 has no
        spaces, so they are turned back into ``+``.
        """
        echostr = echostr.replace(" ", "+")
        return self.crypto.verify_and_decrypt(msg_signature, timestamp, nonce, echostr)

    def handle_callback(self, msg_signature: str, timestamp: str, nonce: str, body: str) -> Future | None:
        """POST callback: verify, decrypt, dedupe, and schedule the reply. Raises on a bad packet."""
        encrypt = envelope_encrypt(body)
        message = parse_message(self.crypto.verify_and_decrypt(msg_signature, timestamp, nonce, encrypt))
        if not self.dedupe.first_time(message.dedupe_key()):
            log.info("wecom duplicate %s ignored", message.dedupe_key())
            metrics.record_bot_retry("wecom")
            return None
        return self.executor.submit(self._reply, message)

    def _reply(self, message: InboundMessage) -> None:
        try:
            if message.msg_type == "text" and message.content:
                principal = Principal(kind="wecom", name=f"{self.crypto.receive_id}:{message.from_user}", parks=self.parks)
                answer = self.answer(AnswerRequest(principal=principal, message=message.content,
                                                   conversation_id=f"wecom:{message.from_user}", channel="wecom"))
                self.client.send_markdown(message.from_user, answer_markdown(answer))
            elif message.msg_type in {"image", "voice", "video", "file", "location", "link"}:
                self.client.send_text(message.from_user, UNSUPPORTED_REPLY)
            else:
                log.info("wecom %s/%s ignored", message.msg_type, message.event)
        except Exception as exc:
            if is_domain_error(exc):  # refused on purpose (too long, …): the reply says why
                log.info("wecom question from %s refused: %s", message.from_user, exc)
            else:
                log.exception("wecom reply to %s failed", message.from_user)
            try:  # a refusal's message says what to do (e.g. shorten the question); other faults do not
                self.client.send_text(message.from_user, refusal_text(exc))
            except Exception:
                log.exception("wecom failure notice to %s failed too", message.from_user)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
