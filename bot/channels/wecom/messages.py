"""Inbound WeCom packets, read into types or refused with :class:`BadPacket` naming what is wrong.

The self-built app posts XML (BOTS.md W3): an envelope whose ``<Encrypt>`` holds the message.
The AI bot posts JSON (W9): ``{"encrypt": "…"}`` whose decrypted text is a JSON message.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class BadPacket(ValueError):
    code = "wecom_bad_packet"


class InboundMessage(BaseModel):
    to_user: str = ""
    from_user: str = ""
    create_time: str = ""
    msg_type: str = ""
    content: str = ""
    msg_id: str = ""
    agent_id: str = ""
    event: str = ""

    def dedupe_key(self) -> str:
        """MsgId for messages; sender + time + event for events (which carry no MsgId)."""
        if self.msg_id:
            return f"wecom:msg:{self.msg_id}"
        return f"wecom:event:{self.from_user}:{self.create_time}:{self.event}"


def _parse(xml_text: str) -> ET.Element:
    if "<!DOCTYPE" in xml_text or "<!ENTITY" in xml_text:
        raise BadPacket("XML with a DOCTYPE or ENTITY declaration is refused")
    try:
        return ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise BadPacket(f"body is not well-formed XML: {exc}") from exc


def envelope_encrypt(xml_text: str) -> str:
    """The ``Encrypt`` field of a callback body."""
    node = _parse(xml_text).find("Encrypt")
    text = (node.text or "").strip() if node is not None else ""
    if not text:
        raise BadPacket("callback body has no <Encrypt> element")
    return text


def parse_message(xml_text: str) -> InboundMessage:
    root = _parse(xml_text)

    def field(name: str) -> str:
        node = root.find(name)
        return (node.text or "").strip() if node is not None else ""

    return InboundMessage(
        to_user=field("ToUserName"),
        from_user=field("FromUserName"),
        create_time=field("CreateTime"),
        msg_type=field("MsgType"),
        content=field("Content"),
        msg_id=field("MsgId"),
        agent_id=field("AgentID"),
        event=field("Event"),
    )


# -- AI bot (JSON) ------------------------------------------------------------------------------


class _Lenient(BaseModel):
    """A part of a WeCom JSON message: fields ParkBot does not use are ignored, the ones it uses are checked."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AiBotSender(_Lenient):
    userid: str = ""


class AiBotText(_Lenient):
    content: str = ""


class AiBotStreamRef(_Lenient):
    id: str = ""


class AiBotMessage(_Lenient):
    """A decrypted AI bot callback: a message (text, image, …), a stream poll or an event."""

    msgid: str = ""
    msgtype: str = ""
    chatid: str | None = None
    sender: AiBotSender = Field(default_factory=AiBotSender, alias="from")
    text: AiBotText = Field(default_factory=AiBotText)
    stream: AiBotStreamRef = Field(default_factory=AiBotStreamRef)


def _json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise BadPacket(f"{what} is nested too deeply to read") from None
    except ValueError as exc:  # not JSON, or bytes that are not UTF-8
        raise BadPacket(f"{what} is not JSON: {exc}") from None


def aibot_encrypt(body: bytes) -> str:
    """The ``encrypt`` field of an AI bot callback body."""
    data = _json(body, "AI bot callback body")
    encrypt = data.get("encrypt") if isinstance(data, dict) else None
    if not isinstance(encrypt, str) or not encrypt:
        raise BadPacket('AI bot callback body must be a JSON object {"encrypt": "<base64 text>"}')
    return encrypt


def parse_aibot_message(plain: str) -> AiBotMessage:
    """The decrypted AI bot message, with the fields ParkBot reads checked (e.g. ``from`` must be an object)."""
    data = _json(plain, "the decrypted AI bot message")
    if not isinstance(data, dict):
        raise BadPacket(f"the decrypted AI bot message must be a JSON object, not {type(data).__name__}")
    try:
        return AiBotMessage.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}" for e in exc.errors())
        raise BadPacket(f"the decrypted AI bot message has unexpected fields: {problems}") from None
