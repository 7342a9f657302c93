"""What the tools returned in one turn, as the guards see it; passages are data, not instructions.

Passages are numbered by us as they are returned (the model cites those numbers). :func:`neutralise`
blanks planted instructions before a passage reaches the model, and :func:`as_data` escapes the
delimiters around it. Only a passage's *text* supports what a sentence says: its metadata (文号,
section, date) may be named as the source (see :mod:`bot.assistant.llm.support`) but never
supports a number, and neither does the user's own question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.assistant.numbers import allowed_numbers
from bot.assistant.types import Citation, ToolCall
from retrieval.models import Hit

DEFAULT_INJECTION_PATTERNS = (
    r"忽略(?:之前|以上|上述|前面|先前|所有)的?(?:所有)?(?:指令|指示|要求|提示|规则)",
    r"无视(?:之前|以上|上述)的?(?:指令|指示|规则)",
    r"(?:你现在是|从现在起你是|请扮演)",
    r"(?:系统提示|system prompt|新的指令|以下为新指令)",
    r"ignore (?:all |any )?(?:previous|prior|above) instructions",
    r"(?:调用|执行)\s*(?:工具|函数|tool)",
    r"(?:修改|更改|设置)(?:系统)?(?:设置|配置|参数|temperature|温度)",
)
REDACTED = "〔此处疑似指令文本，已按数据处理并移除〕"


def neutralise(text: str, patterns: Sequence[str] = DEFAULT_INJECTION_PATTERNS) -> tuple[str, bool]:
    """Blank the sentences of a passage that address the model instead of the reader.

    Policy documents never say "忽略之前的指令"; a passage that does carries a planted
    instruction. The whole sentence around the match is replaced, so the model never sees it.
    """
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
    parts = re.split(r"(?<=[。！？!?；;\n])", text)
    found = False
    out = []
    for part in parts:
        if any(c.search(part) for c in compiled):
            found = True
            out.append(REDACTED)
        else:
            out.append(part)
    return "".join(out), found


def as_data(text: str) -> str:
    """Escape angle brackets so a passage cannot close its ``<passage>`` block."""
    return text.replace("<", "＜").replace(">", "＞")


@dataclass
class Evidence:
    """What the tools returned in this turn: numbered passages and other results."""

    question: str = ""
    injection_patterns: Sequence[str] = DEFAULT_INJECTION_PATTERNS
    passages: dict[int, Citation] = field(default_factory=dict)
    shown: dict[int, str] = field(default_factory=dict)  # passage text as the model saw it
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_texts: list[str] = field(default_factory=list)  # non-passage results (scores, checks…)
    failures: list[str] = field(default_factory=list)  # tool errors: they may be reported, they ground nothing
    coverage: list[bool] = field(default_factory=list)  # one per search call
    planted: list[str] = field(default_factory=list)  # chunk ids whose text carried instructions
    _by_chunk: dict[str, int] = field(default_factory=dict)
    _numbers: dict[int, set[str]] = field(default_factory=dict)

    def add_passage(self, hit: Hit) -> tuple[int, str]:
        """Register a passage once per turn; returns its number and the text shown to the model."""
        if hit.chunk_id in self._by_chunk:
            n = self._by_chunk[hit.chunk_id]
            return n, self.shown[n]
        n = len(self.passages) + 1
        shown, planted = neutralise(hit.text, self.injection_patterns)
        if planted:
            self.planted.append(hit.chunk_id)
        self.passages[n] = Citation.from_hit(hit, n)
        self.shown[n] = shown
        self._by_chunk[hit.chunk_id] = n
        return n, shown

    def add_result(self, call: ToolCall, text: str) -> None:
        """A non-passage tool result: its text and the numbers of its structured result count."""
        self.tool_calls.append(call)
        if text:
            self.tool_texts.append(text)
        if call.result is not None:
            self.tool_texts.append(call.result.model_dump_json())

    @property
    def searched(self) -> bool:
        return bool(self.coverage)

    @property
    def covered(self) -> bool:
        """False only when every search this turn said the corpus does not cover the question."""
        return not self.coverage or any(self.coverage)

    def passage_numbers(self, n: int) -> set[str]:
        """The numbers passage ``n``'s text supports (its 文号, section and date do not count)."""
        if n not in self._numbers:
            self._numbers[n] = allowed_numbers(self.shown[n])
        return self._numbers[n]

    def result_numbers(self) -> set[str]:
        """The numbers the non-passage tool results support (a ratio 0.085 also as 8.5%)."""
        return allowed_numbers("\n".join(self.tool_texts), ratios=True)
