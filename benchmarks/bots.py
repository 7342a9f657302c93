"""Acknowledgement latency of the bot callbacks (targets: p99 ≤ 200 ms for Slack and WeCom).

Starts ParkBot under a real uvicorn server on 127.0.0.1 with a scripted answer service (the
answer is computed after the ack, so the assistant does not count) and local mocks of the Slack
and WeCom APIs, then sends N signed Slack events and N encrypted WeCom callbacks one after the
other and prints p50/p95/p99 of the time until the HTTP response. Bounded: N requests each.

    .venv/bin/python benchmarks/bots.py [--n 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from slack_sdk.signature import SignatureVerifier
from wechatpy.enterprise.crypto import WeChatCrypto

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.server import create_app  # noqa: E402
from bot.settings import get_settings  # noqa: E402
from tests.support.fakes import FakeAnswerServices  # noqa: E402
from tests.support.servers import running_server  # noqa: E402
from tests.support.slack_mock import SlackMock  # noqa: E402
from tests.support.wecom_mock import WeComMock  # noqa: E402

SECRET = "bench-secret"
TOKEN = "bench-token"
AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP = "ww-bench"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, ms: list[float]) -> None:
    print(f"{name:<28} n={len(ms):>4}  p50={statistics.median(ms):6.1f} ms  p95={pct(ms, 95):6.1f} ms  "
          f"p99={pct(ms, 99):6.1f} ms  max={max(ms):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    tmp = tempfile.mkdtemp(prefix="parkbot-bench-")
    slack_mock, wecom_mock = SlackMock(native_stream=False), WeComMock()
    with running_server(slack_mock.app) as slack_api, running_server(wecom_mock.app) as wecom_api:
        settings = get_settings(
            store={"url": f"sqlite:///{tmp}/store.db"},
            slack={"bot_token": "xoxb-bench", "signing_secret": SECRET, "api_base_url": f"{slack_api}/api/"},
            wecom={"corp_id": CORP, "agent_id": "1", "secret": "app-secret", "token": TOKEN, "aes_key": AES,
                   "api_base": wecom_api},
        )
        services = FakeAnswerServices(settings)
        with running_server(create_app(settings, services)) as base, httpx.Client() as client:
            verifier = SignatureVerifier(SECRET)
            slack_ms = []
            for i in range(n):
                body = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": f"EvB{i}", "event": {
                    "type": "app_mention", "user": "U1", "text": "<@UBOT> 问题", "ts": f"1700001000.{i:06d}", "channel": "C1"}})
                ts = str(int(time.time()))
                headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                           "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body)}
                t0 = time.perf_counter()
                resp = client.post(f"{base}/slack/events", content=body, headers=headers)
                slack_ms.append((time.perf_counter() - t0) * 1000)
                assert resp.status_code == 200, resp.text
            peer = WeChatCrypto(TOKEN, AES, CORP)
            wecom_ms = []
            for i in range(n):
                xml = (f"<xml><ToUserName>{CORP}</ToUserName><FromUserName>u{i}</FromUserName><CreateTime>1</CreateTime>"
                       f"<MsgType>text</MsgType><Content>问题{i}</Content><MsgId>{i}</MsgId><AgentID>1</AgentID></xml>")
                now = str(int(time.time()))
                env = peer.encrypt_message(xml, nonce="n", timestamp=now)
                sig = env.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
                t0 = time.perf_counter()
                resp = client.post(f"{base}/wecom/callback", params={"msg_signature": sig, "timestamp": now, "nonce": "n"},
                                   content=env)
                wecom_ms.append((time.perf_counter() - t0) * 1000)
                assert resp.status_code == 200, resp.text
    print("ParkBot bot acknowledgement latency (real uvicorn on 127.0.0.1, scripted answers)")
    report("Slack event ack", slack_ms)
    report("WeCom callback ack", wecom_ms)
    print("targets: p99 <= 200 ms for both")


if __name__ == "__main__":
    main()
