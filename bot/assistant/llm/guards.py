"""Guards that hold whatever a language model writes.

The model's draft is split into sentences. A sentence is kept only when

* every ``[n]`` marker in it names a passage a tool returned *in this turn*, and
* every number or date in it appears in one of its cited passages (text or metadata: 文号,
  section, date), in a non-passage tool result (score cards, eligibility checks…) or in the
  user's own question.

Numbers are compared after normalisation: full-width digits, ``2,000`` = ``2000``,
``百分之五`` = ``5%``, ``六十五周岁`` = ``65岁``, ``70万`` = ``700000``, and a ratio from a tool
(``0.085``) may be written as ``8.5%``. What a sentence *claims* is read strictly (Chinese
numerals count only before a unit, so 一流 or “十二五” are not numbers); what the evidence
*allows* is read generously (every numeral counts).

Removed sentences are listed; when too much fails, or nothing cited survives, the verdict asks
the caller to fall back to the offline composer. Finally the kept citations are renumbered
1..m in order of first use so that every ``[n]`` in the answer indexes ``Answer.citations``.

Passages are data, not instructions: :func:`neutralise` blanks planted instructions before a
passage reaches the model, and :func:`as_data` escapes the delimiters around it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel

from bot.assistant.types import Citation, ToolCall
from retrieval.models import Hit

# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
# what may follow a Chinese numeral for it to count as a number in a claim
_MEASURE = (
    "周岁|岁|周年|年|个|家|名|人|项|所|倍|成|月|日|天|小时|元|平方|公里|亩|条|批|次|类|期|位|种|座|届|%|％"
)
_CN_RUN = re.compile(f"(?<![\\d.])[{_CN_NUM}]+")
_CN_CLAIM = re.compile(f"(?<![\\d.{_CN_NUM}])([{_CN_NUM}]+)(?={_MEASURE})")
_PERCENT_WORDS = re.compile(rf"百分之([{_CN_NUM}]+|\d+(?:\.\d+)?)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(%|‰|万|亿)?")
_CITATION = re.compile(r"\[(\d{1,3})\]")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[-*•]\s)\s*")


def cn_to_int(text: str) -> int | None:
    """A Chinese numeral as an int (六十五 → 65, 两千 → 2000, 一百二十万 → 1200000), else None."""
    if not text or any(ch not in _CN_NUM for ch in text) or text[0] in _CN_BIG:
        return None
    if all(ch in _CN_DIGITS for ch in text) and len(text) > 1:  # digit by digit: 二〇二〇 → 2020
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total = (total + section) * _CN_BIG[ch] if ch == "亿" else total + section * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("【", "[").replace("】", "]")
    text = _THOUSANDS.sub("", text)

    def _percent(m: re.Match[str]) -> str:
        raw = m.group(1)
        value = raw if raw[0].isdigit() else str(cn_to_int(raw))
        return f"{value}%"

    return _PERCENT_WORDS.sub(_percent, text)


def _canon(value: Decimal) -> str:
    value = value.normalize()
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tokens_from_digits(text: str) -> set[str]:
    out: set[str] = set()
    for m in _NUMBER.finditer(text):
        try:
            value = Decimal(m.group(1))
        except InvalidOperation:  # pragma: no cover - the regex only matches decimals
            continue
        unit = m.group(2)
        if unit in ("%", "‰"):
            out.add("pct:" + _canon(value if unit == "%" else value / 10))
        elif unit in ("万", "亿"):
            out.add(_canon(value * (10_000 if unit == "万" else 100_000_000)))
        else:
            out.add(_canon(value))
    return out


def claimed_numbers(sentence: str) -> set[str]:
    """Numbers a sentence asserts (strict): digits anywhere, Chinese numerals before a unit."""
    text = _CITATION.sub(" ", _normalise_text(sentence))
    text = _LIST_MARKER.sub("", text)
    out = _tokens_from_digits(text)
    for m in _CN_CLAIM.finditer(text):
        raw = m.group(1)
        if raw == "一":  # 一个、一批、一次: an article, not a figure
            continue
        value = cn_to_int(raw)
        if value is not None:
            out |= _tokens_from_digits(f"{value}{text[m.end() : m.end() + 1]}")
    return out


def allowed_numbers(text: str, *, ratios: bool = False) -> set[str]:
    """Numbers a piece of evidence supports (generous). ``ratios``: 0.085 also allows 8.5%."""
    norm = _normalise_text(text)
    out = _tokens_from_digits(norm)
    for m in _CN_RUN.finditer(norm):
        value = cn_to_int(m.group(0))
        if value is not None:
            nxt = norm[m.end() : m.end() + 1]
            out |= _tokens_from_digits(f"{value}{nxt if nxt in '%万亿' else ''}")
    extra: set[str] = set()
    for tok in out:
        if tok.startswith("pct:"):
            extra.add(tok[4:])  # 5% in a passage also supports "5个百分点"
        elif ratios:
            ratio = Decimal(tok)
            if ratio <= 1:
                extra.add("pct:" + _canon(ratio * 100))
    return out | extra


def _matches(claim: str, allowed: set[str]) -> bool:
    if claim in allowed:
        return True
    pct = claim.startswith("pct:")
    raw = claim[4:] if pct else claim
    places = len(raw.split(".")[1]) if "." in raw else 0
    value = Decimal(raw)
    for tok in allowed:
        if tok.startswith("pct:") != pct:
            continue
        cand = Decimal(tok[4:] if pct else tok)
        if cand == cand.to_integral_value():
            continue  # only values with decimals may be shown rounded
        if places == 0 and abs(cand) < 10:
            continue  # 0.3 written as 0 is not a rounding, it is a different number
        if cand.quantize(Decimal(1).scaleb(-places)) == value:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Passages as data
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Evidence of one turn
# ---------------------------------------------------------------------------------------------


@dataclass
class Evidence:
    """What the tools returned in this turn: numbered passages and other results."""

    question: str = ""
    injection_patterns: Sequence[str] = DEFAULT_INJECTION_PATTERNS
    passages: dict[int, Citation] = field(default_factory=dict)
    shown: dict[int, str] = field(default_factory=dict)  # passage text as the model saw it
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_texts: list[str] = field(default_factory=list)  # non-passage results (scores, checks…)
    coverage: list[bool] = field(default_factory=list)  # one per search call
    planted: list[str] = field(default_factory=list)  # chunk ids whose text carried instructions
    _by_chunk: dict[str, int] = field(default_factory=dict)

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
        cit = self.passages[n]
        meta = " ".join(x for x in (cit.doc, cit.title, cit.section, cit.date or "") if x)
        return allowed_numbers(self.shown[n] + "\n" + meta)

    def result_numbers(self) -> set[str]:
        return allowed_numbers("\n".join(self.tool_texts), ratios=True) | allowed_numbers(self.question)


# ---------------------------------------------------------------------------------------------
# The guard
# ---------------------------------------------------------------------------------------------


class GuardConfig(BaseModel):
    max_removed_share: float = 0.5  # more than this share of checked sentences removed → fall back
    require_citation: bool = True  # a policy answer with no surviving citation → fall back


@dataclass
class Removed:
    sentence: str
    reason: str


@dataclass
class Verdict:
    text: str
    citations: list[Citation]
    removed: list[Removed]
    checked: int
    fallback: str | None = None  # why the caller should use the offline composer instead

    @property
    def notices(self) -> list[str]:
        return [f"已删除一句未通过核验的内容：{r.reason}。" for r in self.removed]


_SENTENCE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]+|$)(?:\s*\[\d{1,3}\])*")
_MARKER_ANY = re.compile(r"[\[［【]\s*([0-9０-９]{1,3}(?:\s*[,，、]\s*[0-9０-９]{1,3})*)\s*[\]］】]")


def _split(line: str) -> list[str]:
    if line.lstrip().startswith("|"):
        return [line]  # a table row is one claim
    return [m.group(0) for m in _SENTENCE.finditer(line) if m.group(0)]


def _ungroup(text: str) -> str:
    """Citation markers in one form: ［１］, 【1】, [1,2], [1、2] → [1], [1][2]. Other text is untouched."""

    def one(m: re.Match[str]) -> str:
        numbers = re.split(r"\s*[,，、]\s*", unicodedata.normalize("NFKC", m.group(1)).strip())
        return "".join(f"[{int(n)}]" for n in numbers)

    return _MARKER_ANY.sub(one, text)


def check_sentence(sentence: str, evidence: Evidence) -> str | None:
    """Why ``sentence`` fails, or None when it holds."""
    markers = [int(n) for n in _CITATION.findall(sentence)]
    unknown = [n for n in markers if n not in evidence.passages]
    if unknown:
        return "引用" + "".join(f"[{n}]" for n in unknown) + "不是本轮检索到的段落"
    claims = claimed_numbers(sentence)
    if not claims:
        return None
    allowed = evidence.result_numbers()
    for n in markers:
        allowed |= evidence.passage_numbers(n)
    missing = sorted(c for c in claims if not _matches(c, allowed))
    if missing:
        shown = "、".join(m[4:] + "%" if m.startswith("pct:") else m for m in missing)
        where = "所引段落" if markers else "工具结果（且未标注引用）"
        return f"数字 {shown} 不见于{where}"
    return None


def guard(draft: str, evidence: Evidence, config: GuardConfig | None = None) -> Verdict:
    """Check a model's draft against this turn's evidence; renumber what survives."""
    config = config or GuardConfig()
    text = _ungroup(draft)
    kept_lines: list[str] = []
    removed: list[Removed] = []
    checked = 0
    for line in text.split("\n"):
        kept: list[str] = []
        for sentence in _split(line):
            if not sentence.strip():
                continue
            if _CITATION.search(sentence) or claimed_numbers(sentence):
                checked += 1
            reason = check_sentence(sentence, evidence)
            if reason:
                removed.append(Removed(sentence.strip(), reason))
            else:
                kept.append(sentence)
        if kept or not line.strip():
            kept_lines.append("".join(kept).rstrip() if kept else "")
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(kept_lines)).strip()
    body, citations = renumber(body, evidence)
    verdict = Verdict(text=body, citations=citations, removed=removed, checked=checked)
    if checked and len(removed) / checked > config.max_removed_share:
        verdict.fallback = f"模型回答中 {len(removed)}/{checked} 句未通过引用或数字核验"
    elif not body:
        verdict.fallback = "模型的回答没有可保留的内容"
    elif config.require_citation and not citations and not evidence.tool_texts:
        verdict.fallback = "模型的回答没有引用任何检索到的段落"
    return verdict


def renumber(text: str, evidence: Evidence) -> tuple[str, list[Citation]]:
    """Rewrite markers to 1..m in order of first use; returns the text and its citations."""
    order: dict[int, int] = {}
    for m in _CITATION.finditer(text):
        old = int(m.group(1))
        if old in evidence.passages and old not in order:
            order[old] = len(order) + 1
    new_text = _CITATION.sub(
        lambda m: f"[{order[int(m.group(1))]}]" if int(m.group(1)) in order else "", text
    )
    new_text = re.sub(r"(\[\d+\])\1+", r"\1", new_text)
    cits = [evidence.passages[old].model_copy(update={"n": new}) for old, new in order.items()]
    return new_text, cits


def strip_markers(text: str) -> str:
    """Remove ``[n]`` markers (used for history: old numbers mean nothing in a new turn)."""
    return _CITATION.sub("", text)
