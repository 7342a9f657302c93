"""Inbound WeCom XML (BOTS.md W3): the encrypted envelope and the decrypted message."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pydantic import BaseModel


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
