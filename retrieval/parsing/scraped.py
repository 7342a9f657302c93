"""Scraped web pages whose text runs on: no line breaks, repeated and shuffled paragraphs, and a
forwarding notice interleaved with the document it forwards (corpus file 000).

1. **Units.** The text is cut into sentence-sized units: after 。！？, before an inline heading
   (一、 after a sentence end, （一） anywhere), before 附件：/关于印发, after a signature date,
   and before a salutation (各…：) that follows a masthead.
2. **Repeats.** A unit whose normalised text was seen before, exactly or nearly (character
   4-gram shingles, `retrieval.dedupe`), is dropped, and a repeated heading does not move the
   reader: the units after it stay where they were.
3. **Documents.** Each 一、二、三… heading belongs to one numbered sequence; a number already
   used in every open sequence starts a new one. The first sequence is the page's own notice,
   the next the document it forwards. A heading joins the sequence it continues (n = last+1),
   else one with a gap it fills, else the most recent; （一）… headings belong to the last
   一、 seen. Mastheads, salutations, signatures and 印发/转发 sentences go to the preamble of
   their notice without moving the reader.
4. **Paths.** The forwarded document's sections print as usual (``四、（二）``); the forwarding
   notice's are prefixed with its 文号 (``粤府办〔2005〕92号 二``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.dedupe import NearDuplicateIndex, normalize
from retrieval.parsing.blocks import Block, Outline
from retrieval.parsing.headings import join_path
from retrieval.parsing.meta import DOC_NUMBER, SIGNATURE, cn_number, normalize_issuer

_CN = "一二三四五六七八九十"
INLINE_CN = re.compile(rf"(?<=[。；！？：\n])\s*(?=[{_CN}]{{1,2}}、)")
INLINE_PAREN = re.compile(rf"(?<![第、和及或至])(?=[（(][{_CN}]{{1,3}}[)）])")
_SENT_END = re.compile(r"(?<=[。！？])(?![”’」』）)])")
_RULES = re.compile(r"[━─═＝=]{3,}")
_SALUTATION = re.compile(r"(?:(?<=通知)|(?<=号))(?=各[^。：]{2,120}：)")
_BEFORE = re.compile(r"(?=附件[：:])|(?<=[日。])(?=关于(?:印发|转发))")
HEAD_CN = re.compile(rf"^([{_CN}]{{1,2}})、")
HEAD_PAREN = re.compile(rf"^[（(]([{_CN}]{{1,3}})[)）]")


def _run_on_title(rest: str, limit: int = 20) -> str:
    """A heading's text when its line break is lost: up to the first punctuation or list item
    (1.), cut at `limit` characters — where the heading ends and the body starts is not known."""
    if len(rest) <= 40 and not re.search(r"[。；].", rest):
        return rest.rstrip("。；")
    head = re.split(r"[，。；：,;:]|\d+[.．](?!\d)", rest, maxsplit=1)[0]
    return head if len(head) <= limit else head[:limit] + "…"


def is_run_on(text: str) -> bool:
    """Long lines with headings inside them: the mark of a page scraped without its breaks."""
    long_lines = sum(1 for line in text.split("\n") if len(line) > 300)
    inline = len(re.findall(rf"[。；！？][{_CN}]{{1,2}}、|[。；！？][（(][{_CN}]{{1,3}}[)）]", text))
    return long_lines >= 3 and inline >= 3


def split_units(text: str) -> list[str]:
    text = _RULES.sub("\n", text)
    for rx in (INLINE_CN, INLINE_PAREN, _SALUTATION, _BEFORE):
        text = rx.sub("\n", text)
    cuts = {m.end("date") for m in SIGNATURE.finditer(text)}
    if cuts:
        text = "".join(ch + ("\n" if i + 1 in cuts else "") for i, ch in enumerate(text))
    units: list[str] = []
    for piece in text.split("\n"):
        units.extend(u.strip() for u in _SENT_END.split(piece))
    return [u for u in units if u.strip()]


@dataclass
class _Sequence:
    """One document's run of 一、二、三… headings."""

    prefix: str
    numbers: dict[int, str] = field(default_factory=dict)  # number → heading key
    last_seen: int = -1


@dataclass
class ScrapedResult:
    outline: Outline
    notes: list[str]


def parse_run_on(text: str, forwarder_number: str | None, forwarder_issuer: str | None,
                 main_title: str, cover_title: str) -> ScrapedResult:
    units = split_units(text)
    out = Outline()
    blocks: dict[tuple[str, str], Block] = {}
    seen = NearDuplicateIndex()
    headings: dict[str, tuple[str, str, int]] = {}  # heading key → (path, title, level)
    sequences: list[_Sequence] = []
    prefix_a = forwarder_number or ""
    # reader position: (path, title, level)
    preamble_b = ("", main_title, 0)
    preamble_a = (prefix_a, cover_title, 1) if prefix_a else preamble_b
    current = preamble_a
    top: tuple[str, str, int] | None = None  # (prefix, printed marker, level) of the last 一、
    last_masthead = preamble_a
    notes: list[str] = []
    titles = {normalize(cover_title), normalize(main_title)}

    def emit(where: tuple[str, str, int], unit: str) -> None:
        key = (where[0], where[1])
        blk = blocks.get(key)
        if blk is None:
            blk = Block(path=where[0], title=where[1], level=where[2])
            blocks[key] = blk
            out.blocks.append(blk)
        blk.paragraphs.append(unit)
        seen.add(unit)

    def seq_for(n: int) -> _Sequence:
        best: tuple[int, int, _Sequence] | None = None
        for s in sequences:
            if n in s.numbers:
                continue
            last = max(s.numbers, default=0)
            rank = 0 if n == last + 1 else 1 if n < last else 2
            cand = (rank, -s.last_seen, s)
            if best is None or cand[:2] < best[:2]:
                best = cand
        if best is None:
            s = _Sequence(prefix=prefix_a if not sequences else "")
            sequences.append(s)
            return s
        return best[2]

    for step, unit in enumerate(units):
        norm = normalize(unit)
        if not norm:
            continue
        m_cn, m_paren = HEAD_CN.match(unit), HEAD_PAREN.match(unit)
        is_dup = seen.find(unit) is not None
        if m_cn or m_paren:
            rest = unit[(m_cn or m_paren).end():]  # type: ignore[union-attr]
            title = _run_on_title(rest)
            key = normalize(unit[:24])
            if key in headings:  # a repeated heading: do not move the reader
                if not is_dup:
                    emit(headings[key], unit)
                continue
            if m_cn:
                n = cn_number(m_cn.group(1))
                s = seq_for(n)
                s.numbers[n] = key
                s.last_seen = step
                top = (s.prefix, f"{m_cn.group(1)}、", 1 + (1 if s.prefix else 0))
                where = (join_path(top[0], [top[1]]), title, top[2])
            else:
                t_prefix, t_marker, t_level = top or ("", "", 0)
                marker = f"（{m_paren.group(1)}）"  # type: ignore[union-attr]
                where = (join_path(t_prefix, [t_marker, marker]), title, t_level + 1)
            headings[key] = where
            out.headings.append((where[0], unit[: (m_cn or m_paren).end()] + title, where[2]))  # type: ignore[union-attr]
            current = where
            if is_dup:
                continue
            if normalize(rest) == normalize(title):  # a bare heading: its text is the section title
                seen.add(unit)
            else:
                emit(where, unit)
            continue
        if is_dup:
            continue
        nums = [f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" for m in DOC_NUMBER.finditer(unit)]
        if titles & {norm}:  # the page title repeated under the masthead rule
            seen.add(unit)
            continue
        if nums and "。" not in unit and len(unit) < 120:  # masthead: title, date, 文号 of a notice
            last_masthead = preamble_a if forwarder_number in nums else preamble_b
            emit(last_masthead, unit)  # kept in that notice's preamble: no text is lost
            continue
        if re.match(r"^各[^。：]{2,120}：", unit):
            emit(last_masthead, unit)
            continue
        if "转发给你们" in unit:
            emit(preamble_a, unit)
            continue
        if "印发给你们" in unit or unit.startswith(("附件：", "附件:")):
            emit(preamble_b, unit)
            continue
        sig = SIGNATURE.fullmatch(unit)
        if sig:
            org = normalize_issuer(sig.group("org"))
            emit(preamble_a if forwarder_issuer and org == forwarder_issuer else preamble_b, unit)
            continue
        emit(current, unit)

    # what could not be recovered
    for s in sequences:
        if s.numbers:
            missing = [n for n in range(1, max(s.numbers) + 1) if n not in s.numbers]
            if missing:
                notes.append(f"sequence {s.prefix or 'main'}: headings {missing} not found")
    out.blocks = [b for b in out.blocks if not b.empty]
    return ScrapedResult(out, notes)
