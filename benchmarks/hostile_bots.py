"""Hostile input and a locked store at the bot endpoints: the status each probe gets, and how long.

Starts ParkBot in production mode under a real uvicorn server on 127.0.0.1 (the real app, every
middleware, a scripted answer service, local mocks of the Slack and WeCom APIs) and sends each
probe once: garbage bodies and headers to /slack/events, /wecom/callback and /wecom/aibot, signed
and unsigned; callbacks outside the time window; over-long questions; then callbacks while
another writer holds the store's lock (``--lock-s`` seconds), with /healthz asked at the same
time. Prints probe, HTTP status, error code or reply and milliseconds. A 5xx is a finding.

    .venv/bin/python benchmarks/hostile_bots.py [--lock-s 6]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.production.conftest import ProductionServices, make_settings, production_app  # noqa: E402
from tests.support.bot_packets import (  # noqa: E402
    aibot_packet,
    bot_settings,
    now,
    slack_headers,
    slack_mention,
    wecom_packet,
    wecom_text,
)
from tests.support.servers import running_server, wait_until  # noqa: E402
from tests.support.slack_mock import SlackMock  # noqa: E402
from tests.support.wecom_mock import WeComMock  # noqa: E402

DEEP = b"[" * 50_000 + b"]" * 50_000


def outcome(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:60].replace("\n", " ")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code"))
    return json.dumps(body, ensure_ascii=False)[:60]


class Probe:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(timeout=60)

    def run(self, name: str, method: str, path: str, **kw: Any) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            resp = self.http.request(method, self.base + path, **kw)
        except httpx.HTTPError as exc:
            print(f"{name:58} {'—':>4}  {type(exc).__name__:30} {(time.perf_counter() - start) * 1000:8.0f}")
            return None
        ms = (time.perf_counter() - start) * 1000
        print(f"{name:58} {resp.status_code:>4}  {outcome(resp)[:30]:30} {ms:8.0f}")
        return resp

    def run_quietly(self, method: str, path: str, **kw: Any) -> str:
        """The status only (the error's name when the connection broke)."""
        try:
            return str(self.http.request(method, self.base + path, **kw).status_code)
        except httpx.HTTPError as exc:
            return type(exc).__name__


def probes(p: Probe) -> None:
    json_ct = {"Content-Type": "application/json"}
    form_ct = {"Content-Type": "application/x-www-form-urlencoded"}
    print("-- Slack /slack/events, unsigned")
    p.run("unsigned [1,2,3]", "POST", "/slack/events", content=b"[1,2,3]", headers=json_ct)
    p.run("unsigned {not json", "POST", "/slack/events", content=b"{not json", headers=json_ct)
    p.run("unsigned non-UTF-8 body", "POST", "/slack/events", content=b"\xff\xfe\x00garbage", headers=json_ct)
    p.run("unsigned 50k-deep nesting", "POST", "/slack/events", content=DEEP, headers=json_ct)
    p.run("unsigned payload=%7Bnot-json", "POST", "/slack/events", content=b"payload=%7Bnot-json", headers=form_ct)
    print("-- Slack /slack/events, signed")
    body = slack_mention("问题", "1.1", "EvTs")
    p.run("signed, X-Slack-Request-Timestamp: abc", "POST", "/slack/events", content=body, headers=slack_headers(body, timestamp="abc"))
    for name, raw, ct in [("signed [1,2,3]", b"[1,2,3]", "application/json"),
                          ("signed {not json", b"{not json", "application/json"),
                          ("signed non-UTF-8 body", b"\xff\xfe\x00garbage", "application/json"),
                          ("signed 50k-deep nesting", DEEP, "application/json"),
                          ("signed payload=%7Bnot-json", b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
                          ("signed payload=[1] (not an object)", b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
                          ("signed event_callback, event is a string", b'{"type":"event_callback","event":"x"}',
                           "application/json")]:
        p.run(name, "POST", "/slack/events", content=raw, headers=slack_headers(raw, content_type=ct))
    print("-- WeCom AI bot /wecom/aibot")
    q = {"msg_signature": "0" * 40, "timestamp": now(), "nonce": "n1"}
    for name, raw in [('{"encrypt": 5}', b'{"encrypt": 5}'), ("null", b"null"), ("a list [1]", b"[1]"),
                      ("non-UTF-8 body", b"\xff\xfe"), ("50k-deep nesting", DEEP)]:
        p.run(f"aibot unsigned {name}", "POST", "/wecom/aibot", params=q, content=raw)
    params, raw = aibot_packet("not json at all")
    p.run("aibot signed, inner part not JSON", "POST", "/wecom/aibot", params=params, content=raw)
    params, raw = aibot_packet(json.dumps({"msgid": "m1", "msgtype": "text", "from": "wangwu", "text": {"content": "hi"}}))
    p.run("aibot signed, from is a string", "POST", "/wecom/aibot", params=params, content=raw)
    params, raw = aibot_packet(json.dumps({"msgid": "m2", "msgtype": "text", "text": "hi"}))
    p.run("aibot signed, text is a string", "POST", "/wecom/aibot", params=params, content=raw)
    params, raw = aibot_packet("[" * 50_000 + "]" * 50_000)
    p.run("aibot signed, inner 50k-deep nesting", "POST", "/wecom/aibot", params=params, content=raw)
    params, raw = aibot_packet(json.dumps({"msgid": "m3", "msgtype": "text", "from": {"userid": "w"},
                                           "text": {"content": "hi"}}), timestamp=str(int(time.time()) - 86400))
    p.run("aibot signed, a day old", "POST", "/wecom/aibot", params=params, content=raw)
    p.run("aibot signed, timestamp abc", "POST", "/wecom/aibot", params={**params, "timestamp": "abc"}, content=raw)
    print("-- WeCom app /wecom/callback")
    for name, raw in [("not XML", b"{not xml"), ("non-UTF-8", b"\xff\xfe<xml/>"), ("no <Encrypt>", b"<xml/>"),
                      ("DOCTYPE", b'<!DOCTYPE x [<!ENTITY a "b">]><xml/>'),
                      ("50k-deep XML", b"<a>" * 50_000 + b"</a>" * 50_000)]:
        p.run(f"wecom unsigned {name}", "POST", "/wecom/callback", params=q, content=raw)
    params, raw = wecom_packet("not xml")
    p.run("wecom signed, inner part not XML", "POST", "/wecom/callback", params=params, content=raw)
    params, raw = wecom_packet(wecom_text("问题", "9001"), timestamp=str(int(time.time()) - 86400))
    p.run("wecom signed, a day old", "POST", "/wecom/callback", params=params, content=raw)
    p.run("wecom signed, timestamp abc", "POST", "/wecom/callback", params={**params, "timestamp": "abc"}, content=raw)
    print("-- rate limit: 100 unsigned garbage posts from one IP")
    statuses: dict[str, int] = {}
    for _ in range(100):
        resp = p.run_quietly("POST", "/slack/events", content=b"[1]", headers=json_ct)
        statuses[resp] = statuses.get(resp, 0) + 1
    print(f"{'slack unsigned [1] x100: statuses seen':58} {', '.join(f'{k}×{v}' for k, v in statuses.items())}")


def long_messages(p: Probe, slack: SlackMock, wecom: WeComMock) -> None:
    print("-- over-long questions (reply the asker reads)")
    body = slack_mention("园" * 5000, "2.2", "EvLong")
    p.run("slack signed mention of 5,000 chars", "POST", "/slack/events", content=body, headers=slack_headers(body))
    wait_until(lambda: [a for a in slack.named("chat.postMessage") if a.get("thread_ts") == "2.2"], timeout=10)
    texts = [a.get("text", "") for a in slack.named("chat.postMessage") if a.get("thread_ts") == "2.2"]
    print(f"{'   reply in the thread':58} {texts[-1][:40] if texts else '(none)'}")
    sent_before = len(wecom.sent)
    params, raw = wecom_packet(wecom_text("园" * 100_000, "9100"))
    p.run("wecom signed text of 100,000 chars", "POST", "/wecom/callback", params=params, content=raw)
    wait_until(lambda: len(wecom.sent) > sent_before, timeout=10)
    reply = wecom.contents()[-1][:40] if len(wecom.sent) > sent_before else "(none)"
    print(f"{'   reply sent to the user':58} {reply}")


def locked(p: Probe, db: Path, lock_s: float) -> None:
    print(f"-- another writer holds the store's lock for {lock_s:g} s")
    cases: list[tuple[str, Callable[[], Any]]] = []
    body = slack_mention("问题", "3.3", "EvLock")
    cases.append(("slack signed mention (window 3 s)",
                  lambda: p.run("slack signed mention (window 3 s)", "POST", "/slack/events", content=body,
                                headers=slack_headers(body))))
    params, raw = wecom_packet(wecom_text("问题", "9200"))
    cases.append(("wecom signed text (window 5 s)",
                  lambda: p.run("wecom signed text (window 5 s)", "POST", "/wecom/callback", params=params, content=raw)))
    aparams, araw = aibot_packet(json.dumps({"msgid": "m9", "msgtype": "text", "from": {"userid": "w"},
                                             "text": {"content": "问题"}}))
    cases.append(("aibot signed text (window 5 s)",
                  lambda: p.run("aibot signed text (window 5 s)", "POST", "/wecom/aibot", params=aparams, content=araw)))
    for _, call in cases:
        holder = sqlite3.connect(db, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        worker = threading.Thread(target=call)
        worker.start()
        time.sleep(0.3)  # the callback is waiting on the store now
        p.run("   /healthz meanwhile", "GET", "/healthz")
        released = time.monotonic() + lock_s - 0.3
        while worker.is_alive() and time.monotonic() < released:
            worker.join(0.05)
        holder.execute("ROLLBACK")
        holder.close()
        worker.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock-s", type=float, default=6.0, help="how long the other writer holds the lock")
    args = parser.parse_args()
    slack, wecom = SlackMock(), WeComMock()
    with tempfile.TemporaryDirectory() as tmp, running_server(slack.app) as sapi, running_server(wecom.app) as wapi:
        settings = make_settings(Path(tmp), env="production", limits={"rate_per_minute": 60, "rate_burst": 60},
                                 **bot_settings(sapi, wapi))
        services = ProductionServices(settings)
        services.feedback  # noqa: B018  (tables exist before any lock is taken)
        services.dedupe  # noqa: B018
        with running_server(production_app(settings, services)) as base:
            p = Probe(base)
            print(f"{'probe':58} {'HTTP':>4}  {'code / reply':30} {'ms':>8}")
            warm = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
            p.run("slack url_verification (warm-up, builds the channel)", "POST", "/slack/events", content=warm,
                  headers=slack_headers(warm))
            params, raw = wecom_packet(wecom_text("热身", "9000"))
            p.run("wecom signed text (warm-up, builds the channel)", "POST", "/wecom/callback", params=params, content=raw)
            params, raw = aibot_packet(json.dumps({"msgid": "m0", "msgtype": "event", "event": {}}))
            p.run("aibot signed event (warm-up, builds the channel)", "POST", "/wecom/aibot", params=params, content=raw)
            probes(p)
            long_messages(p, slack, wecom)
            locked(p, Path(tmp) / "store.db", args.lock_s)


if __name__ == "__main__":
    main()
