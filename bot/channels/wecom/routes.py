"""HTTP edges of WeCom: GET|POST /wecom/callback (self-built app, XML) and /wecom/aibot (AI bot, JSON)."""

from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.channels.wecom.aibot import AiBotChannel
from bot.channels.wecom.channel import WeComChannel
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.crypto import WeComCrypto, WeComCryptoError
from bot.channels.wecom.messages import BadPacket
from bot.errors import Unavailable

log = logging.getLogger(__name__)
router = APIRouter(tags=["wecom"])


def _require(**values: str) -> None:
    missing = [f"PARKBOT_WECOM__{name.upper()}" for name, value in values.items() if not value]
    if missing:
        raise Unavailable("WeCom is not configured: set " + ", ".join(missing), code="wecom_not_configured")


def _verified(channel: WeComChannel | AiBotChannel, signature: str, timestamp: str, nonce: str, echostr: str) -> Response:
    """URL verification (W1): the decrypted echostr, or 401 and nothing else."""
    try:
        return PlainTextResponse(channel.verify_url(signature, timestamp, nonce, echostr))
    except WeComCryptoError as exc:
        log.warning("WeCom URL verification rejected: %s", exc)
        return PlainTextResponse("invalid signature or ciphertext", status_code=401)


def _rejected(exc: Exception) -> Response:
    """A callback that must not run: 401 for signature/crypto problems, 400 for a malformed body."""
    log.warning("WeCom callback rejected: %s", exc)
    return PlainTextResponse("rejected", status_code=401 if isinstance(exc, WeComCryptoError) else 400)


def wecom_channel(request: Request) -> WeComChannel:
    """The app's WeCom channel, built on first use from the settings."""
    channel = getattr(request.app.state, "wecom", None)
    if channel is not None:
        return channel
    services = request.app.state.services
    cfg = services.settings.wecom
    _require(corp_id=cfg.corp_id, token=cfg.token.get_secret_value(), aes_key=cfg.aes_key.get_secret_value())
    crypto = WeComCrypto(cfg.token.get_secret_value(), cfg.aes_key.get_secret_value(), cfg.corp_id)
    client = WeComClient(
        cfg.api_base,
        cfg.corp_id,
        cfg.secret.get_secret_value(),
        cfg.agent_id,
        httpx.Client(timeout=10.0),
    )
    channel = WeComChannel(crypto, client, services.dedupe, services.answer, parks=cfg.parks)
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
    return _verified(wecom_channel(request), msg_signature, timestamp, nonce, echostr)


@router.post("/wecom/callback", response_class=PlainTextResponse, include_in_schema=False)
async def wecom_callback(
    request: Request,
    msg_signature: str = Query(...),
    timestamp: str = Query(...),
    nonce: str = Query(...),
) -> Response:
    channel = wecom_channel(request)
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        channel.handle_callback(msg_signature, timestamp, nonce, body)
    except (WeComCryptoError, BadPacket) as exc:
        return _rejected(exc)
    # Empty 200: the real answer follows through message/send (W5).
    return PlainTextResponse("")


def aibot_channel(request: Request) -> AiBotChannel:
    """The app's AI bot channel, built on first use from the settings (receive id is "")."""
    channel = getattr(request.app.state, "wecom_aibot", None)
    if channel is not None:
        return channel
    services = request.app.state.services
    cfg = services.settings.wecom
    _require(aibot_token=cfg.aibot_token.get_secret_value(), aibot_aes_key=cfg.aibot_aes_key.get_secret_value())
    crypto = WeComCrypto(cfg.aibot_token.get_secret_value(), cfg.aibot_aes_key.get_secret_value(), "")
    channel = AiBotChannel(crypto, services.dedupe, services.stream_answer, parks=cfg.parks)
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
    return _verified(aibot_channel(request), msg_signature, timestamp, nonce, echostr)


@router.post("/wecom/aibot", include_in_schema=False)
async def aibot_callback(
    request: Request,
    msg_signature: str = Query(...),
    timestamp: str = Query(...),
    nonce: str = Query(...),
) -> Response:
    channel = aibot_channel(request)
    try:
        reply = channel.handle(msg_signature, timestamp, nonce, await request.body())
    except (WeComCryptoError, BadPacket) as exc:
        return _rejected(exc)
    if reply is None:
        return PlainTextResponse("")
    return JSONResponse(reply)
