"""Bot callbacks as Slack and WeCom send them (signed, encrypted, stamped now), and secrets of the right shape.

Slack bodies are signed here with the documented v0 HMAC (any bytes, also ones that are not UTF-8);
WeCom packets are built by wechatpy, an independent implementation of the protocol. The secrets
have the shapes production checks (bot/secret_shapes.py) and are made up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

from bot.channels.wecom.crypto import signature

SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99edabcd00d1"  # 32 hex digits, as Slack issues them
SLACK_BOT_TOKEN = "xoxb-100000000001-200000000002-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP_TOKEN = "xapp-1-A0000000001-3000000000003-0123456789abcdef"
WECOM_CORP_ID = "ww1234567890abcdef"
WECOM_SECRET = "app-secret"  # what tests/support/wecom_mock.py accepts
WECOM_TOKEN = "QDG6eK3ouA1q9F"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
AIBOT_TOKEN = "Rk2Pq8sYv3LmN0"
AIBOT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def bot_settings(slack_api: str = "http://127.0.0.1:9", wecom_api: str = "http://127.0.0.1:9") -> dict[str, dict]:
    """The ``slack`` and ``wecom`` settings groups with every bot configured (Slack, WeCom app, AI bot),
    their APIs at ``slack_api`` / ``wecom_api`` (local mocks; the default port refuses connections)."""
    return {
        "slack": {"bot_token": SLACK_BOT_TOKEN, "signing_secret": SLACK_SIGNING_SECRET, "api_base_url": f"{slack_api}/api/"},
        "wecom": {"corp_id": WECOM_CORP_ID, "agent_id": "1000002", "secret": WECOM_SECRET, "token": WECOM_TOKEN,
                  "aes_key": WECOM_AES_KEY, "api_base": wecom_api, "aibot_token": AIBOT_TOKEN, "aibot_aes_key": AIBOT_AES_KEY},
    }


def now() -> str:
    return str(int(time.time()))


def slack_headers(body: bytes, secret: str = SLACK_SIGNING_SECRET, *, timestamp: str | None = None,
                  content_type: str = "application/json") -> dict[str, str]:
    """Headers of a request Slack signed (v0: HMAC-SHA256 of ``v0:<timestamp>:<raw body>``)."""
    timestamp = timestamp if timestamp is not None else now()
    base = b"v0:" + timestamp.encode("utf-8", "replace") + b":" + body
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sig, "Content-Type": content_type}


def slack_event(event: dict, event_id: str) -> bytes:
    return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
                       "event_time": 1, "event": event}).encode()


def slack_mention(text: str, ts: str, event_id: str) -> bytes:
    return slack_event({"type": "app_mention", "user": "U1", "team": "T1", "text": f"<@UBOT> {text}", "ts": ts,
                        "channel": "C1", "event_ts": ts}, event_id)


def _encrypt(token: str, aes_key: str, receive_id: str, plain: str) -> str:
    encrypt = PrpCrypto(WeChatCrypto(token, aes_key, receive_id).key).encrypt(plain, receive_id)
    return encrypt.decode() if isinstance(encrypt, bytes) else encrypt


def wecom_packet(inner: str, *, timestamp: str | None = None, token: str = WECOM_TOKEN, aes_key: str = WECOM_AES_KEY,
                 corp_id: str = WECOM_CORP_ID) -> tuple[dict[str, str], bytes]:
    """(query, body) of a self-built app callback carrying ``inner`` (any text, normally the message XML)."""
    timestamp = timestamp or now()
    encrypt = _encrypt(token, aes_key, corp_id, inner)
    body = f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return {"msg_signature": signature(token, timestamp, "nonce1", encrypt), "timestamp": timestamp, "nonce": "nonce1"}, \
        body.encode()


def wecom_text(text: str, msg_id: str, user: str = "zhangsan") -> str:
    return (f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{now()}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>")


def aibot_packet(inner: str, *, timestamp: str | None = None, token: str = AIBOT_TOKEN,
                 aes_key: str = AIBOT_AES_KEY) -> tuple[dict[str, str], bytes]:
    """(query, body) of an AI bot callback carrying ``inner`` (any text, normally the message JSON)."""
    timestamp = timestamp or now()
    encrypt = _encrypt(token, aes_key, "", inner)
    return ({"msg_signature": signature(token, timestamp, "nn", encrypt), "timestamp": timestamp, "nonce": "nn"},
            json.dumps({"encrypt": encrypt}).encode())


def aibot_text(text: str, msg_id: str, user: str = "wangwu") -> str:
    return json.dumps({"msgid": msg_id, "aibotid": "bot", "chattype": "single", "from": {"userid": user},
                       "msgtype": "text", "text": {"content": text}}, ensure_ascii=False)
