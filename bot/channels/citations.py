"""How a citation reads on every channel (web page, Slack, WeCom, the OpenAI endpoint, the CLI)."""

from __future__ import annotations

from bot.assistant.types import Answer, Citation


def citation_label(c: Citation) -> str:
    """``[n] 《title》（文号） section`` — the 文号 is left out when the document is named by it."""
    doc = f"《{c.title}》" + (f"（{c.doc}）" if c.doc and c.doc != c.title else "")
    return f"[{c.n}] {doc} {c.section}".rstrip()


def sources_text(answer: Answer, heading: str = "参考文件：", prefix: str = "") -> str:
    """The answer's sources under a heading, one label a line (empty when it cites nothing)."""
    if not answer.citations:
        return ""
    return "\n".join([heading, *(prefix + citation_label(c) for c in answer.citations)])
