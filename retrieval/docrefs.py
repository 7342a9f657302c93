"""Which documents a question names, the way staff name them.

- the full 文号, any bracket style (国发[2020]7号 → 国发〔2020〕7号): `doc_number`;
- the short form "7号文", "388号文件", "259号": the number of a 文号 (`doc_number`, when exactly
  one document has that number);
- the title, or words of it that no other title has ("十二五纲要", "高质量发展的若干意见",
  "创新驱动战略提升行动"): `title`;
- a year with a document kind ("2005年的创新纲要", "2020年国务院意见"): `title` when exactly the
  documents issued that year match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from retrieval.models import DocumentMeta
from retrieval.tokenize import fold

_SHORT_NUMBER = re.compile(r"(?<![0-9〕\]])(\d{1,4})\s*号(?:文|文件|令)?")
_NUMBER_OF = re.compile(r"〔((?:19|20)\d{2})〕(\d{1,4})号")
_YEAR_KIND = re.compile(r"((?:19|20)\d{2})\s*年[^，,。？?]{0,8}?(纲要|意见|方案|通知|规划|文件|办法|规定)")


def doc_number_refs(text: str, documents: Mapping[str, DocumentMeta]) -> set[str]:
    """Documents whose 文号 the (normalised, folded) question contains, in full or as 'N号文'."""
    found: set[str] = set()
    by_number: dict[str, list[str]] = {}
    for doc_id, meta in documents.items():
        numbers = {fold(x) for x in (meta.doc_number, doc_id) if x and "〔" in x}
        if any(n in text for n in numbers):
            found.add(doc_id)
        for n in numbers:
            m = _NUMBER_OF.search(n)
            if m:
                by_number.setdefault(m.group(2), []).append(doc_id)
    for m in _SHORT_NUMBER.finditer(text):
        docs = sorted(set(by_number.get(m.group(1), [])))
        if len(docs) == 1:
            found.add(docs[0])
    return found


class TitleMatcher:
    """Documents whose title a question quotes: the whole title, two of the title's distinctive
    words (words no other title has), or one distinctive word next to a document kind word
    ("十二五纲要", "火炬工作的指导意见"); plus "<year>年…<kind>" for the documents of that year."""

    def __init__(self, documents: Mapping[str, DocumentMeta], tokenizer: Callable[[str], list[str]]) -> None:
        self.documents = documents
        self.titles = {d: fold(m.title) for d, m in documents.items()}
        words = {d: {t for t in tokenizer(title) if len(t) >= 2 and not t.startswith("§")}
                 for d, title in self.titles.items()}
        self.distinctive = {
            d: ws - set().union(*(o for e, o in words.items() if e != d)) - _KIND_WORDS for d, ws in words.items()
        }
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> set[str]:
        found = {d for d, t in self.titles.items() if t and t in text}
        tokens = set(self.tokenizer(text))
        has_kind = bool(_KIND.search(text))
        for doc_id, words in self.distinctive.items():
            hits = words & tokens
            n = sum(1 for w in hits if not any(w != o and w in o for o in hits))  # 十二 ⊂ 十二五: one word
            if n >= 2 or (n == 1 and has_kind):
                found.add(doc_id)
        for m in _YEAR_KIND.finditer(text):
            year_docs = {d for d, meta in self.documents.items() if (meta.date or "").startswith(m.group(1))}
            if year_docs and len(year_docs) < len(self.documents):
                found |= year_docs
        return found


_KIND_WORDS = {"纲要", "意见", "方案", "通知", "规划", "文件", "办法", "规定", "指导意见", "若干意见", "实施方案"}
_KIND = re.compile("|".join(sorted(_KIND_WORDS, key=len, reverse=True)) + r"|号文|文件")
