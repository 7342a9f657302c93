"""Pure renderers: an Answer as WeCom markdown, and byte-safe splitting (BOTS.md W7, W8)."""

from __future__ import annotations

from bot.assistant.types import Answer
from bot.channels.citations import citation_label

APP_MESSAGE_LIMIT = 2048       # message/send content, bytes
ROBOT_TEXT_LIMIT = 2048        # group robot text, bytes
ROBOT_MARKDOWN_LIMIT = 4096    # group robot markdown, bytes


def answer_markdown(answer: Answer) -> str:
    """The answer text followed by its sources (title, 文号, section)."""
    parts = [answer.answer.strip()]
    if answer.citations:
        parts.append("**来源**")
        parts.extend("> " + citation_label(c) for c in answer.citations)
    return "\n".join(parts)


def split_utf8(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` UTF-8 bytes, never inside a character.

    Prefers to break after a newline, then after Chinese/Latin sentence ends, then anywhere
    between characters. Concatenating the pieces gives back ``text`` exactly.
    """
    if limit < 4:
        raise ValueError("limit must allow at least one UTF-8 character (4 bytes)")
    pieces: list[str] = []
    rest = text
    while len(rest.encode("utf-8")) > limit:
        cut = _max_prefix(rest, limit)
        window = rest[:cut]
        for breakers in ("\n", "。！？；!?;", "，,、 "):
            pos = max(window.rfind(ch) for ch in breakers)
            if pos >= cut // 2:
                cut = pos + 1
                break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _max_prefix(text: str, limit: int) -> int:
    """Largest number of characters whose UTF-8 encoding fits in ``limit`` bytes."""
    size = 0
    for i, ch in enumerate(text):
        size += len(ch.encode("utf-8"))
        if size > limit:
            return i
    return len(text)
