"""Heading markers of Chinese policy documents and the path strings built from them.

Markers, outermost first as they usually nest: 第一编 / 第一分编 / 第一章 / 第一节 / 第一条 (with
numerals of any length and 之一 articles: 第一百二十条, 第十条之一), 一、, （一）, 1. or 1．, （1）, ①,
and —— list items. The nesting of a given document is inferred from the order in which
marker types first appear (a type seen again closes everything opened below it), so a document
that starts at （一） or uses 1. directly under 一、 is read correctly.

A section path is the printed markers joined without separators and without a trailing 、 or .:
``七、（二十一）``, ``三、（一）2``; inside an attachment the attachment label comes first,
separated by a space: ``附1 一``, ``附2``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十百千零〇两"
_N = rf"[{CN_NUM}\d]{{1,8}}"

MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("book", re.compile(rf"^第({_N})编\s*")),
    ("subbook", re.compile(rf"^第({_N})分编\s*")),
    ("chapter", re.compile(rf"^第({_N})章\s*")),
    ("part", re.compile(rf"^第({_N})节\s*")),
    ("article", re.compile(rf"^第({_N}条(?:之[一二三四五六七八九十]{{1,3}})?)\s*")),
    ("cn", re.compile(rf"^([{CN_NUM}]{{1,3}})\s*[、．]\s*")),
    ("paren_cn", re.compile(rf"^[（(]\s*([{CN_NUM}]{{1,4}})\s*[）)]\s*")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[.．、](?![\d.．])\s*")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*")),
    ("circled", re.compile(r"^([\u2460-\u2473])\s*")),
    ("dash", re.compile(r"^(?:——|—|--|－－)\s*")),
]

_NUMBERED = ("book", "subbook", "chapter", "part", "article")


def numbered_heading(line: str) -> int:
    """The length of a leading 第…编/章/节/条 number with the space printed after it; 0 without one."""
    for kind, pattern in MARKERS:
        if kind in _NUMBERED and (m := pattern.match(line)) and m.group(0)[-1:].isspace():
            return m.end()
    return 0


ATTACHMENT = re.compile(
    r"^(?P<label>附件|附表|附)\s*(?P<num>\d{1,2}|[一二三四五六七八九十]{1,2})?\s*(?P<colon>[：:])?\s*(?P<rest>.*)$"
)


@dataclass(frozen=True)
class Marker:
    type: str
    num: str
    rest: str  # the line after the marker

    @property
    def printed(self) -> str:
        if self.type.startswith("md"):  # a Markdown/HTML/DOCX heading without a number
            return self.num + " "
        return {
            "book": f"第{self.num}编",
            "subbook": f"第{self.num}分编",
            "chapter": f"第{self.num}章",
            "part": f"第{self.num}节",
            "article": f"第{self.num}",  # num keeps 条 and any 之一: 十条之一
            "cn": f"{self.num}、",
            "paren_cn": f"（{self.num}）",
            "arabic": f"{self.num}.",
            "paren_arabic": f"（{self.num}）",
            "circled": self.num,
            "dash": "",
        }[self.type]


def match_marker(line: str) -> Marker | None:
    for mtype, rx in MARKERS:
        m = rx.match(line)
        if m:
            rest = line[m.end():].strip()
            if not rest and mtype == "dash":
                return None
            return Marker(mtype, m.group(1) if mtype != "dash" else "", rest)
    return None


def match_attachment(line: str) -> tuple[str, str] | None:
    """(label, inline title) for an attachment line such as 附件 / 附件： / 附1 / 附件2：标题."""
    m = ATTACHMENT.match(line.strip())
    if not m:
        return None
    label, num, rest = m.group("label"), m.group("num") or "", m.group("rest").strip()
    if label == "附" and not num:
        return None
    if rest and not m.group("colon") and not num:
        return None  # "附件" followed by prose is a sentence, not a label
    if rest and re.match(r"^[，。、；]", rest):
        return None
    return f"{label}{num}", rest


def lead_phrase(text: str, limit: int = 40) -> str:
    """The heading part of a numbered paragraph: its first sentence when short enough,
    else its first clause, else its first `limit` characters."""
    text = text.strip()
    m = re.match(r"^(.+?)[。：:；;！？]", text)
    if m and len(m.group(1)) <= limit:
        return m.group(1)
    m = re.match(r"^(.+?)[，,]", text)
    if m and len(m.group(1)) <= limit:
        return m.group(1)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Items inside an article (项, 目): they are the article's text, not sections of their own.
ITEM_TYPES = frozenset({"cn", "paren_cn", "arabic", "paren_arabic", "circled", "dash"})
# Structural units of laws and regulations, outermost first.
LAW_TYPES = ("book", "subbook", "chapter", "part", "article")


def is_pure_heading(rest: str) -> bool:
    """True when a marker line is only a heading (no body text after it)."""
    body = rest.rstrip("。：:；; ")
    return len(body) <= 40 and not re.search(r"[。！？；]", body)


def join_path(prefix: str, markers: list[str]) -> str:
    body = "".join(markers).rstrip("、.． ")
    return f"{prefix} {body}".strip() if prefix else body
