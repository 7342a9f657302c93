"""Questions about a document itself: its 文号, date, issuer, effective date, full title, status and
jurisdiction ("国发〔2020〕7号是哪天印发的", "127号文是哪个机关发的", "科技进步法什么时候开始施行的").

The answer is composed from the document's metadata (what #15's parser read from the text: the
masthead's 文号, the signature's issuer and date, "自…起施行"; or a sidecar), and cites the passage
of the document that states the value — the signature line for a date or an issuer, the article
for an effective date. A value no passage states is still given, marked as taken from the
document record; a value the document does not have (a law has no 文号) is said to be absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from bot.assistant.normalize import normalize_message
from bot.assistant.offline.citations import CitationBook, doc_label, short_label
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.question import MetadataField, Question
from bot.assistant.offline.sentences import split_sentences
from bot.assistant.wording import LanguageWording, MetadataWording, Wording
from retrieval.models import Hit
from retrieval.parsing.meta import history_items, in_force_from

_ARABIC_DATE = re.compile(r"((?:19|20)\d\d)\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
_WORD_DATE = re.compile(r"([〇零○oO一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "o": 0}
_LAW_KINDS = ("法", "条例", "规定", "办法", "细则")
# The addressee line (主送机关) of an official document: organs separated by 、 or ，, the last ending in
# an organ's word, then a colon, before the body ("科技部、新疆维吾尔自治区人民政府、新疆生产建设兵团：").
_ORGAN = r"[^\s：:。；;，,、“”]{2,30}"
_RECIPIENTS = re.compile(
    rf"(?:^|[\s。])((?:{_ORGAN}[、，,])*{_ORGAN}(?:政府|部|委|委员会|厅|局|兵团|院|机构|单位|办公室|办|会|司|处|所|行|中心))[：:]")


def _number(words: str) -> int:
    """一 → 1, 十 → 10, 十三 → 13, 二十五 → 25 (day and month numerals)."""
    if "十" not in words:
        return int("".join(str(_DIGIT[c]) for c in words))
    tens, _, units = words.partition("十")
    return (_DIGIT[tens] if tens else 1) * 10 + (_DIGIT[units] if units else 0)


def dates_in(text: str) -> set[str]:
    """ISO dates a text states: 2020年7月13日, 2018年11月23日, 二〇〇五年一月十三日, 二Ｏ一一年七月四日."""
    text = normalize_message(text)
    found: set[str] = set()
    for y, m, d in _ARABIC_DATE.findall(text):
        if 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
            found.add(f"{y}-{int(m):02d}-{int(d):02d}")
    for y, m, d in _WORD_DATE.findall(text):
        year = "".join(str(_DIGIT[c]) for c in y)
        found.add(f"{year}-{_number(m):02d}-{_number(d):02d}")
    return found


class MetadataAnswers:
    """Answers a question about a document's metadata from the document's hits."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording

    # -- which document -------------------------------------------------------------------------------

    @staticmethod
    def target(question: str, named: Sequence[str], hits: Sequence[Hit]) -> str | None:
        """The document asked about: the one the question names (by 文号 first, then the one whose
        issuer the question names), else the best hit's."""
        text = normalize_message(question)
        if named:
            by_number = [d for d in named if normalize_message(d) in text]
            if len(by_number) == 1:
                return by_number[0]
            issuers = {h.doc: h.issuer for h in hits if h.issuer}
            by_issuer = [d for d in named if issuers.get(d) and normalize_message(issuers[d] or "") in text]
            if len(by_issuer) == 1:
                return by_issuer[0]
            ranked = [h.doc for h in hits if h.doc in named]
            return ranked[0] if ranked else named[0]
        return hits[0].doc if hits else None

    @staticmethod
    def names(question: str, doc: str, hits: Sequence[Hit]) -> bool:
        """The question names ``doc`` by its 文号 or full title (not by a word that may mean another)."""
        text = re.sub(r"\s+", "", normalize_message(question))
        hit = next((h for h in hits if h.doc == doc), None)
        names = [doc, *((hit.doc_number or "", hit.title or "") if hit is not None else ())]
        return any(n and re.sub(r"\s+", "", normalize_message(n)) in text for n in names)

    @staticmethod
    def hint(hit: Hit | None, fields: Iterable[MetadataField] = ()) -> str:
        """Search words that find the passage carrying a document's metadata (its signature), and the
        article putting it in force when the effective date is asked ("本办法自2016年9月1日起施行")."""
        if hit is None:
            return ""
        parts = [hit.issuer or "", _chinese_date(hit.date), hit.doc_number or ""]
        if "effective_date" in fields and hit.effective_date:
            parts.append(f"自{_chinese_date(hit.effective_date)}起施行")
        return " ".join(p for p in parts if p)

    # -- the answer ---------------------------------------------------------------------------------------

    def answer(self, question: Question, doc: Hit, passages: Sequence[Hit], *, english: bool = False) -> Composed:
        """One sentence per field asked, each citing the passage that states the value."""
        w = self.wording.lang(english)
        m = w.metadata
        book = CitationBook()
        own = [p for p in passages if p.doc == doc.doc]
        document = short_label(doc)
        lines: list[str] = []
        quoted: list[Hit] = []
        record: list[str] = []
        for field in question.metadata:
            value, source = self._value(field, doc, own, w)
            if value is None:
                lines.append(m.no_doc_number.format(document=document) if field == "doc_number"
                             else m.not_stated.format(document=document, field=m.fields.get(field, field)))
                continue
            if source is None:  # no passage states it: the value is the record's, the document is cited
                record.append(m.fields.get(field, field))
                source = _opening(own)
            cite = book.marker(source)
            if source is not None and source not in quoted:
                quoted.append(source)
            adopted = _adopted(source, value, m) if field == "date" and source is not None else None
            since = m.date_history if adopted and source is not None and _revised(source) else m.date_published
            lines.append(since.format(document=document, adopted=adopted, date=value, cite=cite)
                         if adopted else self._sentence(field, doc, value, document, cite, m))
        if not lines:
            return Composed("", [], False)
        text = [f"{'**Answer:** ' if english else '**答：**'}{' '.join(lines) if english else ''.join(lines)}"]
        if record:
            text.append(m.from_record.format(field=w.list_separator.join(record)))
        if quoted:
            text += ["", w.policy.basis]
            for hit in quoted:
                text.append(w.policy.passage_head.format(document=doc_label(hit, w), status="",
                                                         section=w.policy.section_prefix + hit.section if hit.section else ""))
                history = _history(hit) if {"date", "effective_date"} & set(question.metadata) else []
                in_force = _puts_in_force if "effective_date" in question.metadata else None
                stating = history or _stating(hit, self._needles(question.metadata, doc, own), in_force)
                text += [f"- {s}[{book.cite(hit)}]" for s in stating]
        found_any = any(self._value(f, doc, own, w)[0] is not None for f in question.metadata)
        return Composed("\n".join(text), book.citations, found_any)

    @staticmethod
    def _sentence(field: MetadataField, doc: Hit, value: str, document: str, cite: str, m: MetadataWording) -> str:
        if field == "date":
            law = not doc.doc_number and (doc.title or "").endswith(_LAW_KINDS)
            return (m.date_law if law else m.date).format(document=document, date=value, cite=cite)
        if field == "effective_date":
            return m.effective_date.format(document=document, date=value, cite=cite)
        if field == "issuer":
            return m.issuer.format(document=document, issuer=value, cite=cite)
        if field == "doc_number":
            return m.doc_number.format(document=document, doc_number=value, cite=cite)
        if field == "title":
            return m.title.format(doc=doc.doc_number or doc.doc, title=value, cite=cite)
        if field == "status":
            return m.status.format(document=document, status=value, cite=cite)
        if field == "recipients":
            return m.recipients.format(document=document, recipients=value, cite=cite)
        return m.jurisdiction.format(document=document, level=value, cite=cite)

    def _value(self, field: MetadataField, doc: Hit, own: Sequence[Hit], w: LanguageWording
               ) -> tuple[str | None, Hit | None]:
        """The value of a field and the passage that states it (None when no passage does)."""
        m = w.metadata
        if field in ("date", "effective_date"):
            iso = doc.date if field == "date" else doc.effective_date
            if not iso:
                return None, None
            dated = [h for h in own if iso in dates_in(h.text)]
            if field == "effective_date":
                # the article that puts the text in force, as the parser read it ("本规定自2021年9月1日起施行";
                # "自发布之日起施行", which names no day) rather than a record line that only carries the day
                article = next((h for h in own if iso in in_force_from(h.text)), None) or next(
                    (h for h in own if _in_force_on_an_event(h.text)), None)
                return _day(iso, m.day), article or (dated[0] if dated else None)
            return _day(iso, m.day), dated[0] if dated else None
        if field == "issuer":
            if not doc.issuer:
                return None, None
            signed = next((h for h in own if doc.date and doc.date in dates_in(h.text)
                           and _names_issuer(h.text, doc.issuer)), None)
            return doc.issuer, signed or next((h for h in own if _names_issuer(h.text, doc.issuer)), None)
        if field == "doc_number":
            number = doc.doc_number
            if not number:
                return None, None
            return number, next((h for h in own if normalize_message(number) in normalize_message(h.text)), None)
        if field == "title":
            title = doc.title or doc.doc
            key = re.sub(r"\s+", "", normalize_message(title))
            return title, next((h for h in own if key in re.sub(r"\s+", "", normalize_message(h.text))), None)
        if field == "status":
            return m.statuses.get(doc.status, doc.status), None
        if field == "recipients":
            return _recipients(own)
        j = doc.jurisdiction
        if j is None:
            return None, None
        return w.policy.jurisdiction.of(j.level, j.place), None

    def _needles(self, fields: Iterable[MetadataField], doc: Hit, own: Sequence[Hit]) -> list[str]:
        """What a quoted sentence of the cited passage must hold: the values asked for."""
        needles: list[str] = []
        for field in fields:
            if field == "recipients":
                needles.append(_recipients(own)[0] or "")
            if field in ("date", "effective_date", "issuer"):
                needles.append((doc.date if field != "effective_date" else doc.effective_date) or "")
            if field == "issuer" and doc.issuer:
                needles.append(doc.issuer)
            if field == "doc_number" and doc.doc_number:
                needles.append(doc.doc_number)
            if field == "title":
                needles.append(doc.title)
        return [n for n in needles if n]


def _recipients(own: Sequence[Hit]) -> tuple[str | None, Hit | None]:
    """The addressees a document's text names before its body, and the passage that names them."""
    for hit in own:
        found = _RECIPIENTS.search(hit.text)
        if found:
            return found.group(1), hit
    return None, None


def _history(hit: Hit) -> list[str]:
    """The adoption and revision records a passage carries, when it states the document's date."""
    if not hit.date or hit.date not in dates_in(hit.text):
        return []
    return [item for line in hit.text.split("\n") for item in history_items(line)]  # as the parser reads them


def _adopted(source: Hit, latest: str, m: MetadataWording) -> str | None:
    """When a law was first adopted, if its records show a later revision (the date the record keeps)."""
    records = _history(source)
    if len(records) < 2:
        return None
    first = sorted(dates_in(records[0]))
    return _day(first[0], m.day) if first and _day(first[0], m.day) != latest else None


def _revised(source: Hit) -> bool:
    """The records show a revision or an amendment after the adoption, not only its publication
    ("2019年3月20日…通过　2019年5月28日…令第717号公布")."""
    return any(re.search(r"修订|修正|修改", record) for record in _history(source)[1:])


def _opening(own: Sequence[Hit]) -> Hit | None:
    """The document's opening passage among its hits: of its preamble, the one closest to its title."""
    if not own:
        return None
    preamble = [h for h in own if not h.section] or list(own)
    title = _bigrams(own[0].title or "")
    return max(preamble, key=lambda h: len(title & _bigrams(h.text)))


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _puts_in_force(text: str) -> bool:
    """The text has a "自…起施行" clause."""
    return bool(in_force_from(text))


def _in_force_on_an_event(text: str) -> bool:
    """The text's "自…起施行" clauses name an event ("自发布之日起施行"), no day (which would be another's)."""
    when = in_force_from(text)
    return bool(when) and all(w.endswith("之日") for w in when)


def _stating(hit: Hit, needles: Sequence[str], also: Callable[[str], bool] | None = None) -> list[str]:
    """The sentences of a passage that state one of the values (a date in any of its forms), or that
    ``also`` accepts (the article putting a text in force, which may name no day)."""
    out = []
    for sentence in split_sentences(hit.text):
        flat = re.sub(r"\s+", "", normalize_message(sentence))
        if (also is not None and also(sentence)) or any(
                n in dates_in(sentence) or re.sub(r"\s+", "", normalize_message(n)) in flat
                or _names_issuer(sentence, n) for n in needles):
            out.append(sentence)
    return out or split_sentences(hit.text)[:1]


def _names_issuer(text: str, issuer: str) -> bool:
    """The passage names the issuer, in full or as commonly shortened (科学技术部 → 科技部)."""
    text = normalize_message(text)
    issuer = normalize_message(issuer)
    if issuer in text:
        return True
    short = issuer.replace("科学技术", "科技").replace("中华人民共和国", "")
    return len(short) >= 3 and short in text


def _day(iso: str, template: str) -> str:
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return template.format(year=y, month=m, day=d)


def _chinese_date(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{y}年{m}月{d}日"
