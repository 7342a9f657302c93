"""A model's text cut into the units the guards check, as the tokens arrive.

:class:`Splitter` takes text in pieces of any size and returns each unit once it is complete:

* a **sentence**: text up to 。！？!? (with the closing quotes and the ``[n]`` markers that
  follow it: "…65岁。[1]" is one sentence), or up to the end of its line;
* a table **row**: a line that starts with ``|``;
* a line **break** (``blank`` when it ends an empty line).

A sentence is complete only when the next character shows that nothing more attaches to it, so
a marker split over two pieces ("[" then "1]") stays with its sentence. Citation markers are
written one way (``［１］``, ``【1】``, ``[1,2]`` → ``[1]``, ``[1][2]``).

:func:`clauses` cuts a sentence at ；; and at a colon that opens an enumeration ("主要有三个方面：一是…；
二是…"), and :func:`announced_count` reads such an intro's count. Items of a list — a line that
starts with 1. （一） - …, or a clause or sentence that starts with 一是 / 第一 / 其一 — are marked
so that they can inherit the citation at the end of their list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from bot.assistant.numbers import CITATION, CN_NUM, cn_to_int

_TERMINATORS = "。！？!?"
_CLOSERS = "”’」』）)"
_MARKER_ANY = re.compile(r"\s*[\[［【]\s*([0-9０-９]{1,3}(?:\s*[,，、]\s*[0-9０-９]{1,3})*)\s*[\]］】]")
_MARKER_PREFIX = re.compile(r"^\s*(?:[\[［【]\s*[0-9０-９]{0,3}(?:\s*[,，、]\s*[0-9０-９]{0,3})*\s*)?$")
_TRAILING_MARKERS = re.compile(r"((?:\[\d{1,3}\])+)\s*$")
LIST_LINE = re.compile(
    r"^\s*(?:[-*•·]\s+|\d{1,2}[.、．)）]\s*|[（(]\d{1,2}[)）]\s*|[（(][一二三四五六七八九十]{1,3}[)）]\s*"
    r"|[一二三四五六七八九十]{1,3}、\s*|[①-⑳]\s*)"
)
_ORDINAL = re.compile(
    r"^\s*(?:\*\*)?(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[，,、是：:]|其[一二三四五六七八九十]{1,2}[，,、是：:])"
)
_CLAUSE_END = re.compile(r"[；;]|[：:](?=\s*(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[，,、是]|其[一二三四五六七八九十]))")
# "以下六个方面", "两条路径", "三项": a count that an intro announces (the noun is optional after a measure word)
_COUNT = re.compile(
    rf"([{CN_NUM}]{{1,3}}|\d{{1,2}})\s*(?:(?:个|项|条|点|类|种|件|步|大)(?:方面|措施|任务|举措|内容|要点|路径|途径|工程|方向|环节|部分|领域|职责|指标)?"
    r"|方面|部分|领域)"
)


def ungroup(text: str) -> str:
    """Citation markers in one form: ［１］, 【1】, [1,2], [1、2] → [1], [1][2]. Other text is untouched."""

    def one(m: re.Match[str]) -> str:
        numbers = re.split(r"\s*[,，、]\s*", unicodedata.normalize("NFKC", m.group(1)).strip())
        return "".join(f"[{int(n)}]" for n in numbers)

    return _MARKER_ANY.sub(one, text)


def markers(text: str) -> list[int]:
    return [int(n) for n in CITATION.findall(text)]


def trailing_markers(text: str) -> list[int]:
    """The markers at the very end of ``text`` (after its full stop, if any)."""
    stripped = text.rstrip().rstrip(_TERMINATORS + _CLOSERS + "；;：:，, ")
    m = _TRAILING_MARKERS.search(stripped) or _TRAILING_MARKERS.search(text.rstrip())
    return markers(m.group(1)) if m else []


def starts_item(text: str) -> bool:
    """Whether ``text`` opens an enumerated item (一是 / 第一，/ 其一).  List lines: :data:`LIST_LINE`."""
    return bool(_ORDINAL.match(text))


@dataclass
class Unit:
    """A complete piece of the model's text."""

    kind: Literal["sentence", "row", "break"]
    text: str = ""
    line: int = 0  # the line of the text it is on (0-based)
    blank: bool = False  # a break that ends an empty line
    line_start: bool = False  # the first unit of its line
    list_line: bool = False  # on a line that starts with a list marker (1. （一） - …)


@dataclass
class Splitter:
    """Cuts streamed text into :class:`Unit` s; ``feed`` returns those that are complete."""

    pending: str = ""
    _line: int = 0
    _line_has_text: bool = False
    _line_is_list: bool = False
    _units: list[Unit] = field(default_factory=list)

    def feed(self, text: str) -> list[Unit]:
        self.pending += text
        return self._drain(final=False)

    def finish(self) -> list[Unit]:
        return self._drain(final=True)

    def _drain(self, *, final: bool) -> list[Unit]:
        out: list[Unit] = []
        while self.pending:
            unit = self._next(final)
            if unit is None:
                break
            out.append(unit)
        return out

    def _next(self, final: bool) -> Unit | None:
        text = self.pending
        if text[0] == "\n":
            self.pending = text[1:]
            unit = Unit("break", "\n", self._line, blank=not self._line_has_text)
            self._line += 1
            self._line_has_text = self._line_is_list = False
            return unit
        line_start = not self._line_has_text
        if line_start and not text.strip(" \t"):
            if final:  # trailing spaces
                self.pending = ""
            return None
        if line_start and text.lstrip(" \t").startswith("|"):
            end = text.find("\n")
            if end < 0 and not final:
                return None
            end = len(text) if end < 0 else end
            return self._emit("row", end, line_start)
        stop = self._sentence_end(text, final)
        if stop is None:
            return None
        if line_start:
            self._line_is_list = bool(LIST_LINE.match(text[:stop]))
        return self._emit("sentence", stop, line_start)

    def _emit(self, kind: Literal["sentence", "row"], end: int, line_start: bool) -> Unit:
        raw, self.pending = self.pending[:end], self.pending[end:]
        self._line_has_text = True
        return Unit(kind, ungroup(raw), self._line, line_start=line_start, list_line=self._line_is_list)

    @staticmethod
    def _sentence_end(text: str, final: bool) -> int | None:
        """Where the sentence at the start of ``text`` ends, or None when more text may still attach."""
        for i, ch in enumerate(text):
            if ch == "\n":
                return i
            if ch not in _TERMINATORS:
                continue
            k = i + 1
            while k < len(text) and text[k] in _TERMINATORS + _CLOSERS:
                k += 1
            while m := _MARKER_ANY.match(text, k):
                k = m.end()
            rest = text[k:]
            if not final and _MARKER_PREFIX.match(rest):
                return None  # the next piece may still bring "[1]"
            return k
        return len(text) if final else None


# -- inside a sentence -------------------------------------------------------------------------


def clauses(sentence: str) -> list[str]:
    """``sentence`` cut after each ；; and after a colon that opens 一是… (the pieces join back to it)."""
    out: list[str] = []
    start = 0
    for m in _CLAUSE_END.finditer(sentence):
        k = m.end()
        while mk := _MARKER_ANY.match(sentence, k):  # "…；[1]" keeps its marker
            k = mk.end()
        out.append(sentence[start:k])
        start = k
    if start < len(sentence):
        out.append(sentence[start:])
    return [c for c in out if c] or [sentence]


def announced_count(intro: str) -> tuple[int, tuple[int, int]] | None:
    """The count an intro announces ("主要有以下六个方面：" → 6) and where it is written."""
    found = None
    for m in _COUNT.finditer(intro):
        raw = m.group(1)
        value = int(raw) if raw.isdigit() else cn_to_int(raw)
        if value and 1 < value <= 30:
            found = (value, m.span(1))
    return found


def opens_list(text: str) -> bool:
    """Whether ``text`` ends with a colon (an intro to what follows)."""
    stripped = CITATION.sub("", text).rstrip()
    return stripped.endswith(("：", ":"))
