"""The parser's first invariant: no text is ever lost.

`text_coverage(text, docs)` compares the text a loader produced with what the parser kept from
it: the passages (each chunk's own text, its overlap excluded), the headings of the outline,
and the metadata read from the header (title, 文号, adoption history). A heading counts only when a
passage lies under it: a numbered line whose text became a heading with nothing below it is
exactly the text that used to be lost. The source is cut into
units — lines, split at tab-separated cells and at sentence ends (。；！？) — and normalised
(NFKC, letters and digits only, so punctuation, spacing and table labels do not count); a unit
is kept when its normalised text occurs in the normalised kept text. Web-page chrome
(`retrieval.parsing.chrome`) is removed from the source first: it is not the document's text.

Coverage is the share of characters in kept units. A unit a forwarded or scraped page printed
twice is kept when either copy is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from retrieval.dedupe import normalize
from retrieval.models import ParsedDocument
from retrieval.parsing.chrome import cut_chrome, is_chrome_only, listed_field, strip_chrome

# units: sentences and table cells; also cut where a run-on page glues a heading, a rule or a
# signature date onto the text around it
_UNIT_END = re.compile(
    r"(?<=[。；！？!?;：:])|\t|[━─═＝=]{3,}|(?=[一二三四五六七八九十]{1,3}、)|(?=[（(][一二三四五六七八九十]{1,3}[)）])"
    r"|(?=(?<![\d.．])\d{1,2}[.．](?!\d))|(?<=[\d〇一二三四五六七八九十]日)(?=[^\d，。；、）)])|(?<=号)(?=各)"
    r"|(?<=通知)(?=各|关于|发布)"
)


_LABEL = re.compile(r"附件\s*[：:]?")  # a bare attachment label: structure, not text


class TextCoverage(BaseModel):
    characters: int
    kept: int
    lost: list[str] = []

    @property
    def ratio(self) -> float:
        return self.kept / self.characters if self.characters else 1.0


def source_units(text: str) -> list[str]:
    units: list[str] = []
    lines = [s for line in text.replace("\r", "\n").split("\n")
             if (s := line.strip(" \u3000")).strip() and not re.fullmatch(r"<!--.*-->", s.strip())]
    value_of_label = False
    for k, s in enumerate(lines):
        if value_of_label:  # the value under a metadata label copied as a list: chrome, read by the parser
            value_of_label = False
            continue
        if k + 1 < len(lines) and listed_field(s, lines[k + 1]) is not None:
            value_of_label = True
            continue
        if is_chrome_only(s):  # a metadata row, or a line of chrome and the page's day ("2023-01-17 来源:[科技局]")
            continue
        # chrome cut out of the whole line first: a value such as 发布时间：2016-05-16 15:23:18 would
        # be cut at its colons into pieces that no longer read as chrome
        s = cut_chrome(s.lstrip("#").strip())
        units.extend(u for u in (strip_chrome(piece)[0] for piece in _UNIT_END.split(s))
                     if normalize(u) and not _LABEL.fullmatch(u.strip()))
    return units


def _kept_headings(doc: ParsedDocument) -> list[str]:
    """Headings with a passage under them (in their section or a subsection). A heading with
    nothing under it was text that never reached a passage: it does not count as kept."""
    with_text = {c.section for c in doc.chunks}
    sections = doc.sections
    kept = [False] * len(sections)
    for i in range(len(sections) - 1, -1, -1):
        kept[i] = sections[i].path in with_text
        j = i + 1
        while not kept[i] and j < len(sections) and sections[j].level > sections[i].level:
            kept[i] = kept[j]
            j += 1
    return [s.heading for s, k in zip(sections, kept, strict=True) if k]


def kept_text(docs: Sequence[ParsedDocument]) -> str:
    parts: list[str] = []
    for doc in docs:
        meta = doc.meta
        parts += [meta.title, meta.doc_number or "", *meta.history]
        parts += _kept_headings(doc)
        parts += [c.text[c.overlap:] for c in doc.chunks]
        parts += sorted({c.section_title for c in doc.chunks})  # embedded with each passage
    return "\n".join(normalize(p) for p in parts)


def text_coverage(text: str, docs: Sequence[ParsedDocument]) -> TextCoverage:
    kept = kept_text(docs)
    total = covered = 0
    lost: list[str] = []
    for unit in source_units(text):
        key = normalize(unit)
        total += len(key)
        if key in kept:
            covered += len(key)
        else:
            lost.append(unit)
    return TextCoverage(characters=total, kept=covered, lost=lost)
