"""The checks one clause of a model's text must pass against this turn's evidence.

A clause (a sentence, or one part of a sentence cut at ；, or one item of a list) with citation
markers — its own, or inherited from the end of its sentence or list — holds when

* every ``[n]`` names a passage a tool returned *in this turn*;
* every document it names (文号, 《title》, "7号文", the issue date) is the cited passage's or one
  its text names;
* every number in it is in a cited passage's **text** or in a non-passage tool result (score cards,
  eligibility checks…) — never in the passage's metadata (date, section, 文号) or in the user's
  question (:mod:`bot.assistant.numbers` reads 65岁 = 六十五周岁, 百分之五 = 5%, 三分之一 = 1/3,
  七十余家 = 70家, 三至五年);
* every organisation or place it names is in a cited passage;
* the cited passages cover enough of its content, and no other passage of the turn covers it
  clearly better (:mod:`bot.assistant.llm.support`).

A clause without markers may carry no number that the tool results (or, for an intro or a
conclusion, the passages its list or the next sentence cites) do not give, and may name only what
the turn's evidence or the user names. A statement that the documents do not cover the question
(``GuardConfig.refusal_patterns`` said of ``refusal_subjects``) may repeat the question's numbers,
and what it names is not checked: it names what is absent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from bot.assistant.llm.evidence import Evidence
from bot.assistant.llm.segments import markers
from bot.assistant.llm.support import (
    Source,
    SupportConfig,
    bigram_weights,
    cjk_count,
    content_bigrams,
    covered_share,
    name_forms,
    named_entities,
    references,
    squeeze,
    without,
)
from bot.assistant.numbers import (
    CITATION,
    allowed_numbers,
    as_written,
    claimed_numbers,
    number_supported,
    shown,
)

# "the documents do not cover it": one of these forms of absence …
DEFAULT_REFUSAL_PATTERNS = (
    r"(?:没有|未|并未|均未|未能|尚未|没)(?:能)?(?:找到|检索到|查到|查询到|发现|涉及|提及|提到|明确|规定|覆盖|载明|作出|包含)",
    r"不涉及|没有(?:相关|关于|具体|明确)|无(?:相关|具体)(?:规定|内容|条款|说明)",
    r"(?:没有|并无|未见)[^。；;]{0,30}?(?:相关)?(?:内容|规定|条款|要求|说明|表述|信息)",
    r"无法(?:据此|依据|根据)?[^。]{0,8}(?:回答|作答|确定|判断|答复)",
    r"\b(?:not (?:covered|found|mentioned|specified|stated)|no (?:provision|information|rule))\b",
)
# … said of the documents or the search
DEFAULT_REFUSAL_SUBJECTS = r"文件|政策|检索|资料|条款|规定|依据|documents?|corpus|polic"


class GuardConfig(BaseModel):
    max_removed_share: float = 0.5  # more than this share of checked clauses removed → fall back
    require_citation: bool = True  # a policy answer with no surviving citation → fall back
    support: SupportConfig = SupportConfig()
    refusal_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_REFUSAL_PATTERNS),
                                        description="A sentence saying the documents do not cover the question …")
    refusal_subjects: str = Field(default=DEFAULT_REFUSAL_SUBJECTS, description="… names the documents or the search")


@dataclass
class Removed:
    sentence: str
    reason: str


def is_refusal(text: str, patterns: Sequence[str], subjects: str = DEFAULT_REFUSAL_SUBJECTS) -> bool:
    """Whether ``text`` says that the documents (or the search) do not cover the question."""
    plain = CITATION.sub("", text)
    return bool(re.search(subjects, plain, re.IGNORECASE)) and any(re.search(p, plain, re.IGNORECASE) for p in patterns)


@dataclass
class Checker:
    """Checks clauses against one turn's evidence (caches what it reads from the passages)."""

    evidence: Evidence
    config: GuardConfig = field(default_factory=GuardConfig)
    _bigrams: dict[int, set[str]] = field(default_factory=dict)
    _weights: tuple[int, dict[str, float]] = (-1, {})
    _results: tuple[int, set[str]] = (-1, set())

    def _passage_bigrams(self, n: int) -> set[str]:
        if n not in self._bigrams:
            self._bigrams[n] = content_bigrams(self.evidence.shown[n], self.config.support)
        return self._bigrams[n]

    def _bigram_weights(self) -> dict[str, float]:
        size = len(self.evidence.passages)
        if self._weights[0] != size:
            grams = [self._passage_bigrams(n) for n in self.evidence.passages]
            self._weights = (size, bigram_weights(grams, self.config.support.common_weight))
        return self._weights[1]

    def _result_numbers(self) -> set[str]:
        size = len(self.evidence.tool_texts)
        if self._results[0] != size:
            self._results = (size, self.evidence.result_numbers())
        return self._results[1]

    def _source(self, n: int) -> Source:
        c = self.evidence.passages[n]
        return Source(self.evidence.shown[n], c.doc, c.title, c.date, c.section)

    def refusal(self, text: str) -> bool:
        return is_refusal(text, self.config.refusal_patterns, self.config.refusal_subjects)

    def check(self, text: str, cited: Sequence[int], *, basis: Sequence[int] = (), refusal: bool = False) -> str | None:
        """Why ``text``, citing passages ``cited``, fails; None when it holds.

        ``basis``: for a clause without a citation of its own — an intro ("到2035年的目标有三项：")
        or a conclusion stated before its cited explanation ("最长五年。") — the passages its list
        or the next sentence cites: their text may support its numbers (it claims no citation,
        so its content overlap is not measured).
        """
        ev = self.evidence
        unknown = [n for n in dict.fromkeys([*cited, *basis]) if n not in ev.passages]
        if unknown:
            return "引用" + "".join(f"[{n}]" for n in unknown) + "不是本轮检索到的段落"
        cited = list(dict.fromkeys(cited))
        extra = [Source(t) for t in [*ev.tool_texts, *ev.failures]]
        if not cited:  # an uncited sentence may name what the user named (建议向苏州工业园区…咨询)
            extra.append(Source(ev.question))
        sources = [self._source(n) for n in cited] if cited else [self._source(n) for n in ev.passages] + extra
        refs = references(text, sources)
        for ref in refs:
            if not ref.fits:
                return f"{ref.text} 与所引段落的出处不符" if cited else f"{ref.text} 不见于本轮检索到的文件"
        body = without(text, [r for r in refs if r.fits])
        reason = self._numbers(body, cited or basis, refusal, uncited=not cited)
        if reason:
            return reason
        # a statement that the documents do not cover something names what is absent: no check
        names = [] if refusal else named_entities(CITATION.sub("，", body), self.config.support.entity_tags)
        if names:
            where = squeeze(" ".join(s.text + s.title for s in sources) + " ".join(s.text for s in extra))
            missing = [name for name in names if not any(form in where for form in name_forms(name))]
            if missing:
                return f"名称“{'、'.join(missing)}”不见于" + ("所引段落" if cited else "本轮检索或计算结果")
        return self._overlap(body, cited) if cited else None

    def _numbers(self, body: str, cited: Sequence[int], refusal: bool, *, uncited: bool = False) -> str | None:
        claims = claimed_numbers(body)
        if not claims:
            return None
        allowed = set(self._result_numbers())
        for n in cited:
            allowed |= self.evidence.passage_numbers(n)
        if refusal:
            allowed |= allowed_numbers(self.evidence.question)
        missing = sorted(c for c in claims if not number_supported(c, allowed))
        if not missing:
            return None
        where = "所引段落" if not uncited else "其后所引段落或工具结果（本句未标注引用）" if cited else "工具结果（且未标注引用）"
        written = as_written(body)
        return f"数字 {'、'.join(written.get(m) or shown(m) for m in missing)} 不见于{where}"

    def support(self, text: str, cited: Sequence[int], among: Sequence[int] | None = None
                ) -> tuple[float, float, int] | None:
        """(share covered by the cited passages, best share of another passage, that passage) for
        ``text`` with its references to the source removed; None when it is too short to measure.
        ``among``: the other passages to compare with (default: every passage of the turn)."""
        refs = references(text, [self._source(n) for n in cited])
        grams = content_bigrams(without(text, [r for r in refs if r.fits]), self.config.support)
        if cjk_count(grams) < self.config.support.min_bigrams:
            return None
        weights = self._bigram_weights()
        passage: set[str] = set().union(*(self._passage_bigrams(n) for n in cited))
        pool = self.evidence.passages if among is None else among
        others = [(covered_share(grams, self._passage_bigrams(n), weights), n) for n in pool if n not in cited]
        best, other = max(others) if others else (0.0, 0)
        return covered_share(grams, passage, weights), best, other

    def _overlap(self, body: str, cited: Sequence[int]) -> str | None:
        cfg = self.config.support
        measured = self.support(body, cited)
        if measured is None:
            return None
        share, best, other = measured
        tag = "".join(f"[{n}]" for n in cited)
        if best - share >= cfg.max_gap and best >= cfg.min_overlap:
            return f"这句话出自段落[{other}]而非所引的{tag}（内容重合 {best:.2f} 对 {share:.2f}）"
        if share < cfg.min_overlap:
            return f"所引段落{tag}不支持这句话（内容重合 {share:.2f}，低于 {cfg.min_overlap:.2f}）"
        if best - share >= cfg.max_gap:
            return f"段落[{other}]比所引的{tag}更支持这句话（内容重合 {best:.2f} 对 {share:.2f}）"
        return None


def check_sentence(sentence: str, evidence: Evidence, config: GuardConfig | None = None) -> str | None:
    """Why ``sentence`` fails against ``evidence`` (its own markers only), or None when it holds."""
    checker = Checker(evidence, config or GuardConfig())
    return checker.check(sentence, markers(sentence), refusal=checker.refusal(sentence))


def strip_markers(text: str) -> str:
    """Remove ``[n]`` markers (used for history: old numbers mean nothing in a new turn)."""
    return CITATION.sub("", text)
