"""HTTP edges of WeCom: GET|POST /wecom/callback (self-built app, XML) and /wecom/aibot (AI bot, JSON).

Every callback passes the checks of bot/channels/callbacks.py before it is read: the channel is
configured; ``timestamp`` is Unix seconds within five minutes; ``msg_signature`` looks like one
(40 hex digits); the body is UTF-8. Then, in a worker thread, the envelope is read, the signature
checked, the message decrypted and typed (bot/channels/wecom/messages.py) and the dedupe key
stored, so a slow or locked store never holds up the event loop and fails that callback alone
(503, WeCom retries it). A bad signature or ciphertext is a 401, a malformed body a 400, each
naming what is wrong and counting toward the caller's rate limit. Answers are computed after the
acknowledgement in the channel's :class:`~bot.workers.AnswerPool`, drained when the server stops.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.channels.callbacks import CallbackRefused, built, check_timestamp, refused, utf8
from bot.channels.wecom.aibot import AiBotChannel
from bot.channels.wecom.channel import WeComChannel
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.crypto import WeComCrypto, WeComCryptoError
from bot.channels.wecom.messages import BadPacket
from bot.errors import Unavailable
from bot.settings import WeComSettings
from bot.store import off_loop
from bot.workers import AnswerPool, answer_pools

log = logging.getLogger(__name__)
router = APIRouter(tags=["wecom"])
T = TypeVar("T")

ANSWER_WORKERS = 4
SIGNATURE = re.compile(r"[0-9a-fA-F]{40}")  # SHA-1 hex (BOTS.md W2)


def _require(**values: str) -> None:
    missing = [f"PARKBOT_WECOM__{name.upper()}" for name, value in values.items() if not value]
    if missing:
        raise Unavailable("WeCom is not configured: set " + ", ".join(missing), code="wecom_not_configured")


def _precheck(msg_signature: str, timestamp: str) -> None:
    """What needs neither the body nor the key: the time window and the signature's form."""
    check_timestamp(timestamp, name="timestamp")
    if not SIGNATURE.fullmatch(msg_signature):
        raise CallbackRefused("msg_signature must be the 40 hex digits of the callback's SHA-1 signature.",
                              code="bad_signature")


async def _run_checked(call: Callable[..., T], *args: object) -> T:
    """Run a channel call in a worker thread; its protocol errors become refusals (401 / 400)."""
    try:
        return await off_loop(call, *args)
    except (WeComCryptoError, BadPacket) as exc:
        raise _refusal(exc) from None


def _verified(request: Request, channel: WeComChannel | AiBotChannel, signature: str, timestamp: str, nonce: str,
              echostr: str) -> Response:
    """URL verification (W1): the decrypted echostr as plain text, or a refusal naming the check."""
    try:
        _precheck(signature, timestamp)
        try:
            return PlainTextResponse(channel.verify_url(signature, timestamp, nonce, echostr))
        except WeComCryptoError as exc:
            raise _refusal(exc) from None
    except CallbackRefused as exc:
        return refused(request, exc)


def _refusal(exc: WeComCryptoError | BadPacket) -> CallbackRefused:
    if isinstance(exc, WeComCryptoError):
        return CallbackRefused(f"{exc}: the callback is not from this WeCom app (or its Token/EncodingAESKey settings "
                               "are not the app's).", code=exc.code)
    return CallbackRefused(str(exc), code=exc.code, status=400)


def _wecom_configured(request: Request) -> WeComSettings:
    cfg = request.app.state.services.settings.wecom
    _require(corp_id=cfg.corp_id, token=cfg.token.get_secret_value(), aes_key=cfg.aes_key.get_secret_value())
    return cfg


def _aibot_configured(request: Request) -> WeComSettings:
    cfg = request.app.state.services.settings.wecom
    _require(aibot_token=cfg.aibot_token.get_secret_value(), aibot_aes_key=cfg.aibot_aes_key.get_secret_value())
    return cfg


def wecom_channel(request: Request) -> WeComChannel:
    """The app's WeCom channel, built on first use from the settings (opens the dedupe store)."""
    channel = getattr(request.app.state, "wecom", None)
    if channel is not None:
        return channel
    services = request.app.state.services
    cfg = _wecom_configured(request)
    crypto = WeComCrypto(cfg.token.get_secret_value(), cfg.aes_key.get_secret_value(), cfg.corp_id)
    client = WeComClient(
        cfg.api_base,
        cfg.corp_id,
        cfg.secret.get_secret_value(),
        cfg.agent_id,
        httpx.Client(timeout=10.0),
    )
    pool = AnswerPool(ANSWER_WORKERS, "wecom")
    answer_pools(request.app).append(pool)
    channel = WeComChannel(crypto, client, services.dedupe, services.answer, pool, parks=cfg.parks)
    request.app.state.wecom = channel
    return channel


@router.get("/wecom/callback", response_class=PlainTextResponse, include_in_schema=False)
def wecom_verify(
    request: Request,
    msg_signature: str = Query(...),
    timestamp: str = Query(...),
    nonce: str = Query(...),
    echostr: str = Query(...),
) -> Response:
    _wecom_configured(request)
    return _verified(request, wecom_channel(request), msg_signature, timestamp, nonce, echostr)


@router.post("/wecom/callback", response_class=PlainTextResponse, include_in_schema=False)
async def wecom_callback(
    request: Request,
    msg_signature: str = Query(...),
    timestamp: str = Query(...),
    nonce: str = Query(...),
) -> Response:
    try:
        _wecom_configured(request)
        _precheck(msg_signature, timestamp)
        body = utf8(await request.body(), "WeCom callback body")
        channel = await built(request, "wecom", wecom_channel)
        await _run_checked(channel.handle_callback, msg_signature, timestamp, nonce, body)
    except CallbackRefused as exc:
        return refused(request, exc)
    # Empty 200: the real answer follows through message/send (W5).
    return PlainTextResponse("")


def aibot_channel(request: Request) -> AiBotChannel:
    """The app's AI bot channel, built on first use from the settings (receive id is "")."""
    channel = getattr(request.app.state, "wecom_aibot", None)
    if channel is not None:
        return channel
    services = request.app.state.services
    cfg = _aibot_configured(request)
    crypto = WeComCrypto(cfg.aibot_token.get_secret_value(), cfg.aibot_aes_key.get_secret_value(), "")
    pool = AnswerPool(ANSWER_WORKERS, "wecom-aibot")
    answer_pools(request.app).append(pool)
    channel = AiBotChannel(crypto, services.dedupe, services.stream_answer, pool, parks=cfg.parks)
    request.app.state.wecom_aibot = channel
    return channel


@router.get("/wecom/aibot", response_class=PlainTextResponse, include_in_schema=False)
def aibot_verify(
    request: Request,
    msg_signature: str = Query(...),
    timestamp: str = Query(...),
    nonce: str = Query(...),
    echostr: str = Query(...),
) -> Response:
    _aibot_configured(request)
    return _verified(request, aibot_channel(request), msg_signature, timestamp, nonce, echostr)


@router.post("/wecom/aibot", include_in_schema=False)
async def aibot_callback(
    request: Request,
    msg_signature: str = Query(...),
    timestamp: str = Query(...),
    nonce: str = Query(...),
) -> Response:
    try:
        _aibot_configured(request)
        _precheck(msg_signature, timestamp)
        body = await request.body()
        utf8(body, "AI bot callback body")
        channel = await built(request, "wecom_aibot", aibot_channel)
        reply = await _run_checked(channel.handle, msg_signature, timestamp, nonce, body)
    except CallbackRefused as exc:
        return refused(request, exc)
    if reply is None:
        return PlainTextResponse("")
    return JSONResponse(reply)
