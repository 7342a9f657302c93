"""The WeCom self-built app callback through a real uvicorn server and a mock WeCom API.

Inbound packets are built by wechatpy (an independent implementation of the protocol).
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.server import create_app
from bot.services import Services
from bot.settings import get_settings
from tests.support.bot_packets import WECOM_TOKEN
from tests.support.fakes import FakeAnswerServices
from tests.support.servers import running_server, wait_until
from tests.support.wecom_mock import WeComMock

pytestmark = pytest.mark.enable_socket

TOKEN = WECOM_TOKEN
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "ww-test-corp"

def _inbound(text: str, msg_id: str, corp_id: str = CORP_ID, user: str = "zhangsan") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    )


def _packet(xml: str, corp_id: str = CORP_ID, timestamp: str | None = None) -> tuple[dict, str]:
    """A signed, encrypted callback as WeCom sends it, stamped now (or at ``timestamp``)."""
    timestamp = timestamp or str(int(time.time()))
    peer = WeChatCrypto(TOKEN, AES_KEY, corp_id)
    envelope = peer.encrypt_message(xml, nonce="nonce1", timestamp=timestamp)
    sig = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    encrypt = envelope.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    body = f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return {"msg_signature": sig, "timestamp": timestamp, "nonce": "nonce1"}, body


@pytest.fixture()
def wecom(tmp_path):  # type: ignore[no-untyped-def]
    mock = WeComMock()
    with running_server(mock.app) as api_base:
        settings = get_settings(
            store={"url": f"sqlite:///{tmp_path}/store.db"},
            wecom={
                "corp_id": CORP_ID,
                "agent_id": "1000002",
                "secret": "app-secret",
                "token": TOKEN,
                "aes_key": AES_KEY,
                "api_base": api_base,
            },
        )
        services = FakeAnswerServices(settings)
        with running_server(create_app(settings, services)) as base:
            yield mock, services, base


def test_url_verification_returns_the_decrypted_echostr(wecom) -> None:  # type: ignore[no-untyped-def]
    _, _, base = wecom
    peer = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    from wechatpy.enterprise.crypto import PrpCrypto

    echostr = PrpCrypto(peer.key).encrypt("echo-4711", CORP_ID).decode()
    from bot.channels.wecom.crypto import signature

    now = str(int(time.time()))
    sig = signature(TOKEN, now, "n", echostr)
    # an unencoded "+" arrives as a space: send it that way on purpose
    raw_query = f"msg_signature={sig}&timestamp={now}&nonce=n&echostr={echostr}"
    resp = httpx.get(f"{base}/wecom/callback?{raw_query}")
    assert resp.status_code == 200
    assert resp.text == "echo-4711"


def test_question_is_acknowledged_at_once_and_answered_once_with_citations(wecom) -> None:  # type: ignore[no-untyped-def]
    mock, services, base = wecom
    params, body = _packet(_inbound("外籍专家63岁还能办工作许可吗", "5001"))
    services.gate = threading.Event()  # the answer cannot be computed until the test opens this
    resp = httpx.post(f"{base}/wecom/callback", params=params, content=body)
    assert resp.status_code == 200 and resp.text == "" and mock.sent == []  # acknowledged first
    services.gate.set()
    assert wait_until(lambda: len(mock.sent) == 1)
    sent = mock.sent[0]
    assert sent["touser"] == "zhangsan" and sent["msgtype"] == "markdown"
    content = sent["markdown"]["content"]
    assert "65岁[1]" in content and "国发〔2020〕7号" in content and "三、（五）" in content
    assert services.questions == [("外籍专家63岁还能办工作许可吗", "wecom:zhangsan")]

    # WeCom retries the same callback: it is acknowledged but never answered a second time
    for _ in range(3):
        assert httpx.post(f"{base}/wecom/callback", params=params, content=body).status_code == 200
    time.sleep(0.5)
    assert len(mock.sent) == 1
    assert len(services.questions) == 1


def test_forged_signature_wrong_corp_and_tampered_ciphertext_run_nothing(wecom) -> None:  # type: ignore[no-untyped-def]
    mock, services, base = wecom
    params, body = _packet(_inbound("问题", "6001"))
    forged = dict(params, msg_signature="0" * 40)
    assert httpx.post(f"{base}/wecom/callback", params=forged, content=body).status_code == 401

    other_params, other_body = _packet(_inbound("问题", "6002", corp_id="ww-other"), corp_id="ww-other")
    assert httpx.post(f"{base}/wecom/callback", params=other_params, content=other_body).status_code == 401

    encrypt = body.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    tampered_encrypt = encrypt[:-8] + ("A" if encrypt[-8] != "A" else "B") + encrypt[-7:]
    from bot.channels.wecom.crypto import signature

    tampered_body = body.replace(encrypt, tampered_encrypt)
    tampered_params = dict(params, msg_signature=signature(TOKEN, params["timestamp"], "nonce1", tampered_encrypt))
    assert httpx.post(f"{base}/wecom/callback", params=tampered_params, content=tampered_body).status_code == 401

    time.sleep(0.3)
    assert services.questions == [] and mock.sent == []


def test_long_chinese_answer_is_split_into_valid_pieces_that_reassemble(wecom) -> None:  # type: ignore[no-untyped-def]
    mock, services, base = wecom
    services.reply = ("国家高新区要坚持创新驱动发展战略，" * 120)[:2000]  # about 6,000 bytes of UTF-8
    assert len(services.reply.encode()) >= 6000
    params, body = _packet(_inbound("长问题", "7001"))
    httpx.post(f"{base}/wecom/callback", params=params, content=body)
    assert wait_until(lambda: len(mock.sent) >= 4)
    pieces = mock.contents()
    assert all(len(p.encode("utf-8")) <= 2048 for p in pieces)
    assert "".join(pieces).startswith(services.reply)


def test_expired_token_is_refreshed_and_rate_limit_is_retried(wecom) -> None:  # type: ignore[no-untyped-def]
    mock, services, base = wecom
    mock.fail_next = [42001, 45009]
    params, body = _packet(_inbound("问题", "8001"))
    httpx.post(f"{base}/wecom/callback", params=params, content=body)
    assert wait_until(lambda: len(mock.sent) == 1, timeout=15)
    assert len([t for t in mock.tokens_issued if t.startswith("tok-")]) == 2
    assert len(mock.send_attempts) == 3


def test_non_text_messages_get_a_polite_reply_and_events_are_ignored(wecom) -> None:  # type: ignore[no-untyped-def]
    mock, services, base = wecom
    image = (
        "<xml><ToUserName>ww</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1700000001</CreateTime>"
        "<MsgType>image</MsgType><PicUrl>http://x</PicUrl><MsgId>9001</MsgId><AgentID>1</AgentID></xml>"
    )
    event = (
        "<xml><ToUserName>ww</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1700000002</CreateTime>"
        "<MsgType>event</MsgType><Event>enter_agent</Event><AgentID>1</AgentID></xml>"
    )
    for xml in (image, event):
        params, body = _packet(xml)
        assert httpx.post(f"{base}/wecom/callback", params=params, content=body).status_code == 200
    assert wait_until(lambda: len(mock.sent) == 1)
    time.sleep(0.3)
    assert len(mock.sent) == 1 and "文字" in mock.contents()[0]
    assert services.questions == []


def test_unconfigured_wecom_says_which_settings_are_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    settings = get_settings(store={"url": f"sqlite:///{tmp_path}/s.db"})
    with TestClient(create_app(settings, Services(settings))) as client:
        resp = client.post("/wecom/callback?msg_signature=a&timestamp=1&nonce=n", content="<xml/>")
    assert resp.status_code == 503
    assert "PARKBOT_WECOM__CORP_ID" in resp.json()["error"]["message"]


def test_an_over_long_message_gets_a_short_too_long_reply(wecom) -> None:  # type: ignore[no-untyped-def]
    mock, services, base = wecom
    params, body = _packet(_inbound("园" * 100_000, "9901"))
    assert httpx.post(f"{base}/wecom/callback", params=params, content=body).status_code == 200
    assert wait_until(lambda: len(mock.sent) == 1)
    assert mock.contents() == ["问题太长，请精简到 4000 字以内。"]
    assert services.questions == []
