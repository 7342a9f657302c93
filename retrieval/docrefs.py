"""Which documents a question names, the way staff name them.

- the full 文号, any bracket style (国发[2020]7号 → 国发〔2020〕7号): `doc_number`;
- the short form "7号文", "388号文件", "259号": the number of a 文号 (`doc_number`, when exactly
  one document has that number);
- the title, or words of it that no other title has ("十二五纲要", "高质量发展的若干意见",
  "创新驱动战略提升行动"): `title`;
- a year with a document kind ("2005年的创新纲要", "2020年国务院意见"): `title` when exactly the
  documents issued that year match;
- the short name of a law or regulation ("科技进步法", "成果转化法", "中关村条例", "青岛专利保护规定"):
  the name's characters, before its kind (法, 条例, 规定, 办法, 细则), appear in that order in one
  title of the same kind (`ShortNames`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cached_property

from retrieval.docnumbers import find_doc_numbers
from retrieval.models import DocumentMeta
from retrieval.tokenize import fold

# a title word used in more than this share of the other documents' bodies, and in more than MIN_BODIES of
# them (a few documents say too little), names no document: 政府, 基金 in a corpus of laws and notices
OTHER_BODIES = 0.5
MIN_BODIES = 5
# one title word alone names a document ("十二五纲要") only when it is rarer still: "有什么奖励规定" names no
# 奖励决定 in a corpus where a third of the documents speak of 奖励
LONE_WORD_BODIES = 0.25
_SHORT_NUMBER = re.compile(r"(?<![0-9〕\]])(\d{1,4})\s*号(文|文件|令)?")
_ORDER_REF = re.compile(r"令\s*第?\s*(\d{1,4})\s*号")  # "总局令第52号" in a question
_NUMBER_OF = re.compile(r"〔((?:19|20)\d{2})〕(\d{1,4})号")
_ORDER_OF = re.compile(r"令第(\d{1,4})号")  # an order's number: 国家市场监督管理总局令第52号, 国务院令第673号
# words a question puts before a 文号, which the 文号 pattern's issuer part takes in: "请问国发〔2015〕32号",
# "河南省报的豫政文〔1999〕167号" (an issuer's abbreviation holds no 的, 了 …)
_LEAD_IN = re.compile(r"^(?:请问|想问一?下?|问一?下|我想知道|关于|根据|按照|依据|查一?下|看看|那个?|这个?)+|^.*[的了是在和与及或把将对从由为按据]")
_YEAR_KIND = re.compile(r"((?:19|20)\d{2})\s*年[^，,。？?]{0,8}?(纲要|意见|方案|通知|规划|文件|办法|规定)")


def _trimmed(number: str) -> str:
    """A 文号 found in a question without the words before its issuer's abbreviation."""
    issuer, rest = number.split("〔", 1)
    return (_LEAD_IN.sub("", issuer) or issuer) + "〔" + rest


def _numbered(documents: Mapping[str, DocumentMeta]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(number of a 文号 → documents, number of an order → documents): "7号文" names the one document
    whose 文号 is 〔year〕7号, "52号令" the one issued by an order 第52号."""
    by_number: dict[str, set[str]] = {}
    by_order: dict[str, set[str]] = {}
    for doc_id, meta in documents.items():
        for x in (meta.doc_number, doc_id):
            n = fold(x or "")
            if (m := _NUMBER_OF.search(n)) is not None:
                by_number.setdefault(m.group(2), set()).add(doc_id)
            if (m := _ORDER_OF.search(n)) is not None:
                by_order.setdefault(m.group(1), set()).add(doc_id)
    return by_number, by_order


def _short_refs(text: str, by_number: Mapping[str, set[str]], by_order: Mapping[str, set[str]]
                ) -> list[tuple[str, set[str]]]:
    """(span, documents of that number) for each short reference of the question to a number some document
    has: "7号文" a 文号's, "52号令" and "令第52号" an order's, a bare "259号" either."""
    refs: list[tuple[str, set[str]]] = []
    for m in _SHORT_NUMBER.finditer(text):
        number, kind = m.group(1), m.group(2)
        docs = (by_order.get(number, set()) if kind == "令" else by_number.get(number, set()) if kind
                else by_number.get(number, set()) | by_order.get(number, set()))
        if docs:
            refs.append((m.group(0), docs))
    refs += [(m.group(0), docs) for m in _ORDER_REF.finditer(text) if (docs := by_order.get(m.group(1), set()))]
    return refs


def doc_number_refs(text: str, documents: Mapping[str, DocumentMeta]) -> set[str]:
    """Documents whose 文号 the (normalised, folded) question contains, in full or as 'N号文' ('N号令')."""
    found: set[str] = set()
    for doc_id, meta in documents.items():
        numbers = {fold(x) for x in (meta.doc_number, doc_id) if x and "〔" in x}
        if any(n in text for n in numbers):
            found.add(doc_id)
    # a short number names a document only when exactly one document has it
    found.update(next(iter(docs)) for _, docs in _short_refs(text, *_numbered(documents)) if len(docs) == 1)
    return found


def unknown_doc_refs(text: str, documents: Mapping[str, DocumentMeta]) -> list[str]:
    """The documents a (normalised, folded) question names by a number no document has: a full 文号
    ("国发〔2015〕32号"), "N号文" or "N号令" ("7号文" in a corpus with no 〔year〕7号), in question order.
    A bare "N号" is not a reference: it may be a house number, an article's item, a room."""
    # a 文号 is held when a document has its year and number: the issuer's abbreviation may be typed
    # otherwise (国科发〔2013〕388号 for 国科发火〔2013〕388号), and the pattern may take words before it
    held = {m.group(0) for meta in documents.values() for x in (meta.doc_number, meta.doc) if x
            for m in [_NUMBER_OF.search(fold(x))] if m}
    unknown = [_trimmed(n) for n in find_doc_numbers(text)
               if (m := _NUMBER_OF.search(fold(n))) and m.group(0) not in held]
    by_number, by_order = _numbered(documents)
    for m in _SHORT_NUMBER.finditer(text):
        number, kind = m.group(1), m.group(2)
        if kind and not (by_order if kind == "令" else by_number).get(number):
            unknown.append(m.group(0))
    unknown += [m.group(0) for m in _ORDER_REF.finditer(text)
                if not by_order.get(m.group(1)) and not any(m.group(0) in n for n in unknown)]
    return list(dict.fromkeys(unknown))


def cites(text: str, ref: str) -> bool:
    """A passage prints a full 文号 (any bracket style, spacing or width): "按照《…办法》（东府办[2016]20号）执行"
    cites 东府办〔2016〕20号. A short reference ("8号文") names no number a passage could be checked for."""
    number = fold(ref).replace(" ", "")
    return "〔" in number and number in fold(text).replace(" ", "")


def doc_number_spans(text: str, documents: Mapping[str, DocumentMeta]) -> list[str]:
    """The parts of a (normalised, folded) question that name documents by 文号: "国发〔2020〕7号", "7号文"."""
    spans: list[str] = []
    numbers = {fold(x) for meta in documents.values() for x in (meta.doc_number, meta.doc) if x and "〔" in x}
    spans += [n for n in numbers if n in text]
    spans += [span for span, _ in _short_refs(text, *_numbered(documents))]
    return spans


class TitleMatcher:
    """Documents whose title a question quotes: the whole title, two of the title's distinctive
    words (words no other title has), or one distinctive word just before a document kind word
    ("十二五纲要", "火炬工作的指导意见", not "工作许可年龄有什么规定"); plus "<year>年…<kind>" for
    the documents of that year."""

    def __init__(self, documents: Mapping[str, DocumentMeta], tokenizer: Callable[[str], list[str]],
                 docs_using: Callable[[str], set[str]] | None = None) -> None:
        """``docs_using(word)``: the documents whose text uses a word (the keyword index knows); a title
        word that many other documents use (政府, 基金) names no document, however few titles have it."""
        self.documents = documents
        self.titles = {d: fold(m.title) for d, m in documents.items()}
        self.tokenizer = tokenizer
        self._docs_using = docs_using
        self.short_names = ShortNames(documents)

    @cached_property
    def distinctive(self) -> dict[str, set[str]]:
        """Each document's title words that no other title has and few other documents use; read on
        the first question, not when the index is loaded."""
        # a word saying what kind of document a title is (实施细则, 复函) names none by itself, however few
        # titles have one: "专利法实施细则" is not the one 实施细则 of the corpus
        words = {d: {t for t in self.tokenizer(_KIND_OF.sub(" ", title)) if len(t) >= 2 and not t.startswith("§")}
                 for d, title in self.titles.items()}
        own = {d: ws - set().union(*(o for e, o in words.items() if e != d)) for d, ws in words.items()}
        if self._docs_using is None:
            return own
        allowed = max(MIN_BODIES, int(OTHER_BODIES * len(self.documents)))
        return {d: {w for w in ws if self._others_using(w, d) <= allowed} for d, ws in own.items()}

    def _others_using(self, word: str, doc: str) -> int:
        return len(self._docs_using(word) - {doc}) if self._docs_using is not None else 0

    def _alone_names(self, word: str, doc: str) -> bool:
        """One distinctive word may name its document by itself (before a kind word): few others use it."""
        return self._others_using(word, doc) <= max(MIN_BODIES, int(LONE_WORD_BODIES * len(self.documents)))

    def _names_with_kind(self, word: str, doc: str, text: str) -> bool:
        """One distinctive word names its document before a kind word when few others use it, or when the
        kind is the document's own ("奖励那个决定": the 决定 on 奖励, not any rules on 奖励)."""
        m = _NEAR_KIND(word).search(text)
        return m is not None and (self._alone_names(word, doc) or m.group("kind") in self.titles[doc])

    def __call__(self, text: str) -> set[str]:
        found = {d for d, t in self.titles.items() if t and t in text} | self.short_names(text)
        tokens = set(self.tokenizer(text))
        for doc_id, words in self.distinctive.items():
            hits = words & tokens
            # words of the title met inside one word of the question are one word: 十二 ⊂ 十二五, and
            # 科研 + 人员 ⊂ 科研人员 (not the 科研机构和人员 of a title)
            n = _separate_words(hits, tokens)
            if n >= 2 or (n == 1 and any(self._names_with_kind(w, doc_id, text) for w in hits)):
                found.add(doc_id)
        for m in _YEAR_KIND.finditer(text):
            found |= self._of_year(m.group(1), m.group(2))
        return found

    def _of_year(self, year: str, kind: str) -> set[str]:
        """The documents of a year that "<year>年的<kind>" names: those whose title ends with the kind
        (the 纲要, not the notice forwarding it), else all of that year (when not the whole corpus)."""
        year_docs = {d for d, meta in self.documents.items() if (meta.date or "").startswith(year)}
        of_kind = {d for d in year_docs if self.titles[d].endswith(kind)}
        if of_kind:
            return of_kind
        return year_docs if len(year_docs) < len(self.documents) else set()

    def spans(self, text: str, skip: set[str] | None = None) -> list[str]:
        """The parts of ``text`` that name documents by title: the title, a short name ("科技进步法"),
        "<year>年的<kind>", and a distinctive title word just before a kind word ("十二五纲要") of a
        document not in ``skip`` (those named otherwise, by 文号: their words are the question's)."""
        found = self(text)
        spans = [t for d, t in self.titles.items() if d in found and t and t in text]
        spans += self.short_names.spans(text)
        tokens = set(self.tokenizer(text))
        for d in found - (skip or set()):
            for word in self.distinctive.get(d, set()) & tokens:
                if self._names_with_kind(word, d, text):
                    spans.append(word)
        spans += [m.group(0) for m in _YEAR_KIND.finditer(text) if self._of_year(m.group(1), m.group(2))]
        return spans


def _separate_words(words: set[str], tokens: set[str]) -> int:
    """How many of ``words`` the question has apart: words that one of its tokens holds together count once."""
    groups: list[set[str]] = []
    for w in sorted(words):
        joined = [g for g in groups if any(w in t and any(o in t for o in g) for t in tokens)]
        merged = {w}.union(*joined) if joined else {w}
        groups = [g for g in groups if g not in joined] + [merged]
    return len(groups)


class ShortNames:
    """Laws and regulations named the short way: "科技进步法" for 中华人民共和国科学技术进步法.

    A name is the text before a kind word (法, 条例, 规定, 办法, 细则). It names a document whose
    title ends with the same kind when its core (without 中华人民共和国 and the kind) contains the
    name's characters as one run of at least 3 (中关村 → 中关村国家自主创新示范区条例), or in order
    covering at least half of the core (科技进步 → 科学技术进步), or is the core's first two
    characters (山东 → 山东省促进科技成果转化条例). A name that fits several titles equally well
    names none of them."""

    KINDS = ("实施细则", "细则", "条例", "规定", "办法", "法")
    MIN_RUN = 3
    MIN_COVER = 0.5

    def __init__(self, documents: Mapping[str, DocumentMeta]) -> None:
        self.cores: dict[str, list[tuple[str, str]]] = {}  # kind -> [(doc id, core)]
        for doc_id, meta in documents.items():
            title = fold(meta.title).replace("中华人民共和国", "")
            kind = next((k for k in self.KINDS if title.endswith(k)), None)
            if kind and len(title) > len(kind) + 1:
                self.cores.setdefault(kind, []).append((doc_id, title[: -len(kind)]))
        self._kind = re.compile("|".join(self.KINDS))

    def __call__(self, text: str) -> set[str]:
        return {doc for doc, _ in self._names(text)}

    def spans(self, text: str) -> list[str]:
        """The short names in ``text`` that name a document, kind included ("科技进步法")."""
        return [span for _, span in self._names(text)]

    def _names(self, text: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for m in self._kind.finditer(text):
            candidates = self.cores.get(m.group(0), [])
            if not candidates:
                continue
            # a title fits by the longest name it takes, then by how well: "山东开发区条例" is 山东省经济开发区条例
            # (all five characters), not 河南省开发区条例 (whose run 开发区 fits better, but leaves 山东 out)
            best: dict[str, tuple[tuple[int, float], str]] = {}
            start = m.start()
            for j in range(start - 2, max(-1, start - 17), -1):
                name = text[j:start]
                if not re.fullmatch(r"[\u4e00-\u9fff0-9a-z]+", name):
                    break
                for doc_id, core in candidates:
                    score = _fit(name, core, self.MIN_RUN, self.MIN_COVER)
                    if score > 0 and (len(name), score) > best.get(doc_id, ((0, 0.0), ""))[0]:
                        best[doc_id] = ((len(name), score), text[j:m.end()])
            if best:
                top = max(v for v, _ in best.values())
                winners = [(d, span) for d, (v, span) in best.items() if v == top]
                if len(winners) == 1:
                    found.append(winners[0])
        return found


def _fit(name: str, core: str, min_run: int, min_cover: float) -> float:
    """How well a short name fits a title's core: 0 when it does not."""
    if len(name) >= min_run and name in core:
        return len(name) / len(core) + 1.0  # a run of the title itself beats letters in order
    if len(name) == 2 and core.startswith(name):
        return 0.5 / len(core)  # the title's first two characters, a place: "山东条例"
    if len(name) < 4:
        return 0.0
    pos = 0
    for ch in name:
        pos = core.find(ch, pos) + 1
        if pos == 0:
            return 0.0
    cover = len(name) / len(core)
    return cover if cover >= min_cover else 0.0


# words saying what kind of document a text is: after a distinctive title word they name its document ("十二五纲要",
# "郑州那份复函"); by themselves they name none, however few titles have one ("专利法实施细则" is not the one
# 实施细则 of the corpus)
_KIND_WORDS = {"纲要", "意见", "方案", "通知", "规划", "文件", "办法", "规定", "指导意见", "若干意见", "实施方案", "实施意见",
               "条例", "暂行条例", "细则", "实施细则", "实施办法", "管理办法", "暂行办法", "暂行规定", "决定", "批复", "复函",
               "通告", "公告", "请示", "报告", "规则"}
_KIND = re.compile("|".join(sorted(_KIND_WORDS, key=len, reverse=True)) + r"|号文|文件")
_KIND_OF = re.compile("|".join(sorted(_KIND_WORDS | {"暂行"}, key=len, reverse=True)))


def _NEAR_KIND(word: str) -> re.Pattern[str]:  # noqa: N802 - reads as the pattern it returns
    """``word`` followed within a few characters by a document kind word ("十二五纲要", "火炬工作的指导意见")."""
    return re.compile(re.escape(word) + r"[^，,。？?\s]{0,4}?(?P<kind>" + _KIND.pattern + ")")
