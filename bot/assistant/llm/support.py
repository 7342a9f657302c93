"""Does a cited passage say what a sentence says?

Three readings of one sentence against the passages it cites (combined in
:meth:`bot.assistant.llm.guards.Checker.check`):

* **References to the source.** A sentence may name the document it cites: its 文号
  (国发〔2020〕7号, "7号文"), its title in 《》, its issue date ("2020年7月13日印发", "2005年纲要").
  Each such reference must fit a cited passage (its metadata, or a document its text names);
  a reference that fits is about the source, not a claim, so its digits are not numbers to check.
* **Named entities** (organisations and places, read by jieba's part-of-speech tagger) must
  appear in a cited passage's text or title.
* **Content overlap.** The share of the sentence's content bigrams (CJK character pairs, without
  function characters, framing words such as 文件/提出, numbers and the references above) found
  in the cited passages, each bigram weighted by how few of the turn's passages contain it (the
  words every retrieved passage shares, 国家高新区 or 创新, tell little about which one a sentence
  comes from). A sentence whose share is below ``min_overlap`` is not supported; nor is one
  that another passage of this turn covers by ``max_gap`` more (the model cited the wrong
  number). Too short a sentence (fewer than ``min_bigrams`` CJK content bigrams — an English
  sentence, "可以[1]。") is not measured.
  The two thresholds are calibrated on the real corpus by ``benchmarks/support_calibration.py``
  (correct sentences against wrong citations from the same search) and live in
  ``config/assistant/prompts.yaml``.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from bot.assistant.numbers import CITATION, CN_NUM, MEASURE, cn_to_int
from retrieval.docnumbers import DOC_NUMBER

log = logging.getLogger(__name__)

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z0-9&+.-]*[a-z0-9]|[a-z]+\d+", re.IGNORECASE)
# numbers are checked on their own (numbers.py): written in words they must not count as content
_CN_NUMBER = re.compile(f"百分之|分之|[{CN_NUM}几]{{2,}}|[{CN_NUM}几](?=(?:余|多)?(?:{MEASURE}))")
_SHORT_DOC = re.compile(r"(?<![\d〕\]])(\d{1,4})号文")
_TITLE = re.compile(r"《([^《》]{2,80})》")
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?|-(\d{1,2})-(\d{1,2}))")
# "2005年纲要", "2005年的技术创新纲要", "2020年国务院意见": a year that names a document
_YEAR_AS_NAME = re.compile(
    r"((?:19|20)\d{2})年(?=[的\u4e00-\u9fff“”\d]{0,12}?(?:号文|《|纲要|意见|通知|方案|规划|文件|决定|办法))"
)
# "第五条", "第二部分", "附件1": the cited passage's section, when its label has that number
_SECTION_REF = re.compile(rf"第\s*([{CN_NUM}\d]+)\s*(?:条|款|项|部分|章|节)|附件?\s*([\d一二三四五六七八九十]+)")
_DOC_VERB = re.compile(r"^(?:(?:\d{1,2}月(?:\d{1,2}日)?)?)(?:印发|发布|出台|颁布|下发|制定)")
_SQUEEZE = re.compile(r"[\s\W_]+", re.UNICODE)


class SupportConfig(BaseModel):
    """How content overlap is measured (config/assistant/prompts.yaml ``guards.support``)."""

    min_overlap: float = Field(default=0.4, description="Share of content bigrams the cited passages must contain")
    max_gap: float = Field(default=0.15, description="Another passage of the turn covering this much more → wrong citation")
    min_bigrams: int = Field(default=3, description="Sentences with fewer content bigrams are not measured")
    common_weight: float = Field(default=0.25, description="Weight of a bigram every passage of the turn contains "
                                 "(one passage alone: 1; in between: linear)")
    function_chars: str = "的了和与及或是在对为等之其并将把被也都而于"
    framing_words: list[str] = Field(default_factory=lambda: [
        "政策文件", "现有文件", "该文件", "文件", "规划纲要", "纲要", "指导意见", "实施方案", "若干意见",
        "提出", "指出", "明确", "规定", "要求", "根据", "按照", "依据", "其中", "此外", "同时", "另外",
        "可以", "能够", "具体", "相关", "印发", "发布", "出台", "颁布", "下发", "转发",
    ])
    entity_tags: list[str] = Field(default_factory=lambda: ["ns", "nt"], description="jieba tags read as names")


@dataclass(frozen=True)
class Source:
    """What a passage offers a sentence: its text as the model saw it, and what names it."""

    text: str
    doc: str = ""
    title: str = ""
    date: str | None = None
    section: str = ""  # may name the document a passage belongs to (粤府办〔2005〕92号 四)


def squeeze(text: str) -> str:
    """NFKC, lower case, without spaces and punctuation (for containment tests)."""
    return _SQUEEZE.sub("", unicodedata.normalize("NFKC", text).lower())


# -- references to the source --------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    start: int
    end: int
    text: str
    fits: bool


def _doc_numbers(text: str) -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group(2), m.group(3)) for m in DOC_NUMBER.finditer(unicodedata.normalize("NFKC", text))]


def _same_doc_number(ref: tuple[str, str, str], known: tuple[str, str, str]) -> bool:
    issuer, year, number = ref
    k_issuer, k_year, k_number = known
    return year == k_year and int(number) == int(k_number) and (k_issuer in issuer or issuer in k_issuer)


def _dates(source: Source) -> set[tuple[int, int, int | None]]:
    if not source.date:
        return set()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", source.date)
    if not m:
        return set()
    y, mo, d = (int(x) for x in m.groups())
    return {(y, mo, d), (y, mo, None)}


def references(sentence: str, sources: Sequence[Source]) -> list[Reference]:
    """The spans of ``sentence`` that name a document, and whether a source fits each."""
    text = unicodedata.normalize("NFKC", sentence)
    known = [n for s in sources for n in _doc_numbers(s.doc + " " + s.section)]
    named = [n for s in sources for n in _doc_numbers(s.text)]
    out: list[Reference] = []
    for m in DOC_NUMBER.finditer(text):
        ref = (m.group(1), m.group(2), m.group(3))
        out.append(Reference(m.start(), m.end(), m.group(0), any(_same_doc_number(ref, k) for k in known + named)))
    for m in _SHORT_DOC.finditer(text):
        number = int(m.group(1))
        out.append(Reference(m.start(), m.end(), m.group(0), any(int(k[2]) == number for k in known + named)))
    for m in _TITLE.finditer(text):
        title = squeeze(m.group(1))
        fits = any(title and (title in squeeze(s.title) or squeeze(s.title) in title or title in squeeze(s.text))
                   for s in sources)
        out.append(Reference(m.start(), m.end(), m.group(0), fits))
    dates = set().union(*(_dates(s) for s in sources)) if sources else set()
    for m in _DATE.finditer(text):
        y, mo = int(m.group(1)), int(m.group(2) or m.group(4))
        d = m.group(3) or m.group(5)
        if (y, mo, int(d) if d else None) in dates:  # the source's own date: a reference
            out.append(Reference(m.start(), m.end(), m.group(0), True))
    years = {y for (y, _, _) in dates}
    for m in _YEAR_AS_NAME.finditer(text):
        if int(m.group(1)) in years:
            out.append(Reference(m.start(), m.end(), m.group(0), True))
    for m in re.finditer(r"((?:19|20)\d{2})年", text):
        if int(m.group(1)) in years and _DOC_VERB.match(text[m.end():]):
            out.append(Reference(m.start(), m.end(), m.group(0), True))
    sections = {v for s in sources for v in _section_numbers(s.section)}
    for m in _SECTION_REF.finditer(text):
        raw = m.group(1) or m.group(2)
        value = int(raw) if raw.isdigit() else cn_to_int(raw)
        if value is not None and value in sections:
            out.append(Reference(m.start(), m.end(), m.group(0), True))
    return out


def _section_numbers(section: str) -> set[int]:
    """The numbers of a heading path: 七、（二十一） → {7, 21}; 附1 二 → {1, 2}; 四、（三）1 → {4, 3, 1}."""
    out: set[int] = set()
    for raw in re.findall(rf"[{CN_NUM}]+|\d+", section):
        value = int(raw) if raw.isdigit() else cn_to_int(raw)
        if value is not None:
            out.add(value)
    return out


def without(text: str, spans: Iterable[Reference]) -> str:
    """``text`` (NFKC) with the spans replaced by a comma (so no bigram runs across them)."""
    text = unicodedata.normalize("NFKC", text)
    merged: list[list[int]] = []
    for r in sorted(spans, key=lambda r: r.start):
        if merged and r.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], r.end)
        else:
            merged.append([r.start, r.end])
    for start, end in reversed(merged):
        text = text[:start] + "，" + text[end:]
    return text


# -- content overlap -----------------------------------------------------------------------------


def content_bigrams(text: str, config: SupportConfig) -> set[str]:
    """The CJK character pairs and Latin words that carry a sentence's content."""
    text = _CN_NUMBER.sub("，", CITATION.sub("，", unicodedata.normalize("NFKC", text)))
    for word in sorted(config.framing_words, key=len, reverse=True):
        text = text.replace(word, "，")
    out: set[str] = set()
    func = set(config.function_chars)
    for run in _HAN_RUN.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair[0] not in func and pair[1] not in func:
                out.add(pair)
    out |= {w.lower() for w in _WORD.findall(text)}
    return out


def bigram_weights(passages: Sequence[set[str]], common_weight: float) -> dict[str, float]:
    """A bigram that every passage of the turn contains says little about which one a sentence
    comes from: weight 1 in one passage, ``common_weight`` in all of them, linear in between."""
    counts: dict[str, int] = {}
    for grams in passages:
        for g in grams:
            counts[g] = counts.get(g, 0) + 1
    spread = max(len(passages) - 1, 1)
    return {g: 1.0 - (1.0 - common_weight) * (n - 1) / spread for g, n in counts.items()}


def cjk_count(bigrams: set[str]) -> int:
    """How many of ``bigrams`` are CJK pairs (an English sentence cannot be measured against Chinese text)."""
    return sum(1 for g in bigrams if _HAN_RUN.fullmatch(g))


def covered_share(bigrams: set[str], passage: set[str], weights: dict[str, float] | None = None) -> float:
    """The (weighted) share of ``bigrams`` that ``passage`` contains; bigrams no passage has weigh 1."""
    if not bigrams:
        return 1.0
    w = weights or {}
    total = math.fsum(w.get(g, 1.0) for g in bigrams)
    return math.fsum(w.get(g, 1.0) for g in bigrams if g in passage) / total


# -- named entities ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _tagger():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def named_entities(text: str, tags: Sequence[str]) -> list[str]:
    """Organisations and places named in ``text`` (jieba part-of-speech tags ``tags``)."""
    if not tags or not _HAN_RUN.search(text):
        return []
    wanted = set(tags)
    return list(dict.fromkeys(w.word for w in _tagger().cut(text) if w.flag in wanted and len(w.word) >= 2))


_ADMIN_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|省|市|县|区)$")


def name_forms(name: str) -> list[str]:
    """How a name may appear elsewhere: as written, and without 省/市/县/区 (深圳市 → 深圳)."""
    plain = squeeze(name)
    short = _ADMIN_SUFFIX.sub("", plain)
    return [plain, short] if len(short) >= 2 and short != plain else [plain]
