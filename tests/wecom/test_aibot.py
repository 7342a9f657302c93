"""The WeCom AI bot stream sequence through a real uvicorn server, with wechatpy as the peer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

from bot.assistant.types import Answer, AnswerRequest, FinalAnswer, StreamEvent, TextDelta
from bot.channels.wecom.crypto import signature
from bot.server import create_app
from bot.settings import get_settings
from tests.support.bot_packets import AIBOT_TOKEN
from tests.support.fakes import CITATION, FakeAnswerServices
from tests.support.servers import running_server, wait_until

pytestmark = pytest.mark.enable_socket

TOKEN = AIBOT_TOKEN
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class StreamingServices(FakeAnswerServices):
    """Streams the first piece, then holds the rest until the test has seen that piece arrive."""

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.rest_may_follow = threading.Event()
        self.__dict__["assistant"] = self  # the assistant behind Services.stream_answer is stream() below

    def stream(self, request: AnswerRequest) -> Iterator[StreamEvent]:
        self.record(request)
        yield TextDelta(text="可以。")
        self.rest_may_follow.wait(timeout=60)
        yield from (TextDelta(text="年龄可放宽"), TextDelta(text="至65岁[1]。"))
        yield FinalAnswer(answer=Answer(conversation_id=request.conversation_id or "x",
                                        answer="可以。年龄可放宽至65岁[1]。", citations=[CITATION]))


def _post(base: str, payload: dict) -> httpx.Response:
    encrypt = PrpCrypto(WeChatCrypto(TOKEN, AES_KEY, "").key).encrypt(json.dumps(payload, ensure_ascii=False), "")
    encrypt = encrypt.decode() if isinstance(encrypt, bytes) else encrypt
    now = str(int(time.time()))
    params = {"msg_signature": signature(TOKEN, now, "nn", encrypt), "timestamp": now, "nonce": "nn"}
    return httpx.post(f"{base}/wecom/aibot", params=params, content=json.dumps({"encrypt": encrypt}))


def _open(reply: dict) -> dict:
    peer = WeChatCrypto(TOKEN, AES_KEY, "")
    plain = peer.decrypt_message({"Encrypt": reply["encrypt"]}, reply["msgsignature"], reply["timestamp"], reply["nonce"])
    return json.loads(plain)


def test_ai_bot_streams_the_answer_progressively_until_finished(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = get_settings(
        store={"url": f"sqlite:///{tmp_path}/s.db"},
        wecom={"aibot_token": TOKEN, "aibot_aes_key": AES_KEY},
    )
    services = StreamingServices(settings)
    with running_server(create_app(settings, services)) as base:
        message = {
            "msgid": "m-1",
            "aibotid": "bot",
            "chattype": "single",
            "from": {"userid": "wangwu"},
            "msgtype": "text",
            "text": {"content": "外籍专家63岁还能办工作许可吗"},
        }
        first = _open(_post(base, message).json())
        assert first["msgtype"] == "stream" and first["stream"]["finish"] is False
        stream_id = first["stream"]["id"]

        def poll() -> dict:
            frame = _open(_post(base, {"msgid": "poll", "msgtype": "stream", "stream": {"id": stream_id}}).json())
            return frame["stream"]

        # the first piece is shown while the rest of the answer is still being written
        assert wait_until(lambda: "可以。" in poll()["content"])
        partial = poll()
        assert partial["finish"] is False and "65岁" not in partial["content"]

        services.rest_may_follow.set()
        assert wait_until(lambda: poll()["finish"])
        final = poll()
        assert "65岁[1]" in final["content"] and "国发〔2020〕7号" in final["content"]
        # a retried delivery of the same message starts nothing new
        assert _post(base, message).text == ""
        assert services.questions == [("外籍专家63岁还能办工作许可吗", "wecom-aibot:wangwu")]


def test_an_over_long_ai_bot_message_gets_a_short_too_long_reply(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = get_settings(store={"url": f"sqlite:///{tmp_path}/s.db"}, wecom={"aibot_token": TOKEN, "aibot_aes_key": AES_KEY},
                            limits={"max_message_chars": 200})
    services = FakeAnswerServices(settings)
    with running_server(create_app(settings, services)) as base:
        message = {"msgid": "m-long", "from": {"userid": "wangwu"}, "msgtype": "text", "text": {"content": "园" * 201}}
        stream_id = _open(_post(base, message).json())["stream"]["id"]

        def poll() -> dict:
            return _open(_post(base, {"msgid": "poll", "msgtype": "stream", "stream": {"id": stream_id}}).json())["stream"]

        assert wait_until(lambda: poll()["finish"])
        assert poll()["content"].strip() == "问题太长，请精简到 200 字以内。"
        assert services.questions == []
