"""Text of a Chinese policy document → `ParsedDocument` (metadata, outline, chunks).

`parse_documents` decides between the normal line-by-line reader (`structured`) and the reader
for scraped pages whose text runs on (`scraped`), reads the metadata (`meta`, `chrome`,
`jurisdiction`), splits a 转发 notice from the document it carries, applies a sidecar's
overrides, and cuts the sections into chunks (`retrieval.chunking`). `parse_text` is its first
document.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from retrieval.chunking import ChunkingConfig, chunk_blocks
from retrieval.dedupe import normalize
from retrieval.models import DocumentMeta, ParsedDocument, RelatedDocument, Section
from retrieval.parsing import meta as M
from retrieval.parsing import tables
from retrieval.parsing.blocks import Block, Outline
from retrieval.parsing.jurisdiction import jurisdiction_from_title, jurisdiction_of
from retrieval.parsing.scraped import is_run_on, parse_run_on
from retrieval.parsing.structured import build_outline, read_header

log = logging.getLogger(__name__)

__all__ = ["parse_documents", "parse_text"]


def _attachment_title(lines: list[str], start: int) -> str | None:
    """Title printed under the first bare 附件 label (the document a 印发 notice issues)."""
    for i in range(start, len(lines)):
        s = lines[i].strip(" \u3000\t")
        if s in {"附件", "附件：", "附件:"}:
            for j in range(i + 1, min(i + 4, len(lines))):
                t = lines[j].strip(" \u3000\t")
                if t:
                    return t if len(t) <= 60 and not re.search(r"[。；：]$", t) else None
    return None


def _forwarded(text: str, inner: str) -> str | None:
    """文号 of the forwarded document: 《title》（国科发火字〔2005〕16号…）."""
    m = re.search(re.escape(f"《{inner}》") + r"\s*[（(]\s*(" + M.DOC_NUMBER.pattern + ")", text)
    return M.normalize_doc_number(m.group(1)) if m else None


def _pick_date(text: str, issuer: str | None, lines: list[str]) -> str | None:
    sigs = M.signatures(text)
    for org, date, _ in sigs:
        if issuer and org == issuer:
            return date
    for line in lines:
        if M.is_date_line(line):
            return M.parse_date(line)
    if sigs:
        return sigs[0][1]
    m = re.search(r"(?:成文日期|发布日期|印发日期)\s*[:：]?\s*(" + M.ANY_DATE.pattern + ")", text)
    return M.parse_date(m.group(1)) if m else None


def parse_documents(
    text: str,
    *,
    source: str = "",
    sha256: str = "",
    markup: bool = False,
    overrides: dict[str, Any] | None = None,
    chunking: ChunkingConfig | None = None,
) -> list[ParsedDocument]:
    """Every document in a text: one, or two when a 转发 notice carries the text it forwards
    (the notice first, then the forwarded document, linked by ``forwards`` / ``forwarded_by``).

    `overrides` (a sidecar's fields) win over what the text says; they apply to the document
    whose id or 文号 they name, else to the first."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = tables.join_cell_lines(text.split("\n"))
    ctx = _Context(source=source, sha256=sha256, markup=markup, chunking=chunking)
    if is_run_on(text):
        docs = _parse_run_on(text, lines, ctx)
    else:
        docs = _parse_structured(lines, ctx)
    if overrides:
        wanted = {overrides.get("doc"), overrides.get("doc_number")} - {None}
        target = next((k for k, (f, _, _) in enumerate(docs) if {f["doc"], f["doc_number"]} & wanted), 0)
        fields, outline, body = docs[target]
        docs[target] = (_apply(fields, dict(overrides)), outline, body)
    return [_finish(fields, outline, ctx) for fields, outline, _ in docs]


def parse_text(
    text: str,
    *,
    source: str = "",
    sha256: str = "",
    markup: bool = False,
    overrides: dict[str, Any] | None = None,
    chunking: ChunkingConfig | None = None,
) -> ParsedDocument:
    """The first document of a text (see `parse_documents` for texts that hold two)."""
    return parse_documents(text, source=source, sha256=sha256, markup=markup, overrides=overrides,
                           chunking=chunking)[0]


class _Context:
    def __init__(self, *, source: str, sha256: str, markup: bool, chunking: ChunkingConfig | None) -> None:
        self.source, self.sha256, self.markup, self.chunking = source, sha256, markup, chunking


_Parsed = tuple[dict[str, Any], Outline, str]  # metadata fields, outline, the text it was read from


def _apply(fields: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    if "related" in overrides:
        overrides["related"] = [RelatedDocument.model_validate(r) for r in overrides["related"]]
    out = fields | overrides
    if "doc" not in overrides and ("doc_number" in overrides or "title" in overrides):
        out["doc"] = out["doc_number"] or out["title"]
    if "issuer" in overrides and "jurisdiction" not in overrides:
        out["jurisdiction"] = jurisdiction_of(out["issuer"]) or jurisdiction_from_title(out["title"])
    return out


def _finish(fields: dict[str, Any], outline: Outline, ctx: _Context) -> ParsedDocument:
    meta = DocumentMeta.model_validate(fields)
    sections = [Section(path=p, heading=h, level=lvl) for p, h, lvl in outline.headings]
    chunks = chunk_blocks(outline.blocks, meta, ctx.chunking)
    return ParsedDocument(meta=meta, sections=sections, chunks=chunks)


def _fields(ctx: _Context, *, title: str, doc_number: str | None, issuer: str | None, date: str | None,
            body: str, history: list[str] | None = None, related: list[RelatedDocument] | None = None,
            published: str | None = None) -> dict[str, Any]:
    """`published`: the day of the order that published the text, which dates it over its records."""
    history = history or []
    date = published or M.history_date(history) or date
    issuer = issuer or M.history_issuer(history) or M.issuer_from_interpretation(body)
    return {
        "doc": doc_number or title,
        "title": title,
        "doc_number": doc_number,
        "issuer": issuer,
        "date": date,
        "effective_date": M.effective_date(body, history, date),
        "history": history,
        "jurisdiction": jurisdiction_of(issuer) or jurisdiction_from_title(title),
        "source": Path(ctx.source).name if ctx.source else "",
        "sha256": ctx.sha256,
        "related": related or [],
    }


def _parse_structured(lines: list[str], ctx: _Context, *, forwarded_part: bool = False) -> list[_Parsed]:
    header = read_header(lines)
    chrome = header.chrome
    header_number = header.doc_number or (M.normalize_doc_number(chrome["doc_number"])
                                          if chrome.get("doc_number") else None)
    # a notice copied without its title line is named by the number it prints, not by its file
    cover_title = M.clean_title("".join(header.title_lines)) or M.clean_title(chrome.get("title", "")) \
        or header_number or Path(ctx.source).stem or "untitled"
    body_start = header.body_start
    if not forwarded_part and M.NOTICE_FORWARD.match(cover_title):
        split = _forward_split(lines, body_start)
        if split is not None:
            return _split_forward(lines, split, ctx, cover_title, header_number, header)

    title, doc_number, issuer = cover_title, header_number, None
    body_is_attachment = False
    related: list[RelatedDocument] = []
    printed = M.NOTICE_PRINT.match(cover_title)
    forwarded = M.NOTICE_FORWARD.match(cover_title)
    if forwarded:  # a 转发 notice without the forwarded text: it is filed under its own number
        inner = M.clean_title(forwarded.group("inner"))
        number = _forwarded("\n".join(lines), inner)
        related.append(RelatedDocument(relation="forwards", doc=number or inner, title=inner))
    elif printed:
        attached = _attachment_title(lines, body_start)
        title = M.clean_title(attached or printed.group("inner"))
        body_is_attachment = attached is not None
        if printed.group("org"):
            issuer = M.normalize_issuer(printed.group("org"))
    body = "\n".join(lines[body_start:])
    if issuer is None:
        sigs = M.signatures(body)
        issuer = sigs[0][0] if sigs else None
    issuer = (issuer or M.issuer_from_doc_number(doc_number) or M.issuer_from_title(title)
              or (M.normalize_issuer(chrome["issuer"]) if chrome.get("issuer") else None))
    date = _pick_date("\n".join(lines), issuer, lines) or _chrome_date(chrome)
    outline = build_outline(lines, body_start, title, cover_title if cover_title != title else "",
                            body_is_attachment, markup=ctx.markup)
    _keep_in_opening(outline, [*([header.page_heading] if header.page_heading else []), *header.order_text,
                               *header.history])
    _drop_repeats(outline)
    fields = _fields(ctx, title=title, doc_number=doc_number, issuer=issuer, date=date, body=body,
                     history=header.history, related=related, published=header.order_date)
    return [(fields, outline, body)]


def _keep_in_opening(outline: Outline, lines: list[str]) -> None:
    """Header lines that stay text of the opening passage, not only metadata: a law's adoption and
    revision records (what a question on when it was adopted or revised cites: "1996年5月15日…会议通过"),
    and a reprint page's own heading where the printed title replaced it (its decoration, such as a
    gazette issue, is said nowhere else)."""
    if not lines:
        return
    opening = outline.blocks[0] if outline.blocks and not outline.blocks[0].path else None
    if opening is None or opening.kind != "text":
        opening = Block(path="", title=outline.blocks[0].title if outline.blocks else "", level=0)
        outline.blocks.insert(0, opening)
    opening.paragraphs[:0] = [line for line in lines if line not in opening.paragraphs]


def _chrome_date(chrome: dict[str, str]) -> str | None:
    for key in ("date", "published"):
        if chrome.get(key):
            return M.parse_date(chrome[key])
    return None


def _forward_split(lines: list[str], body_start: int) -> int | None:
    """Where the forwarded text starts in a 转发 notice that carries it: after the notice's
    signature date (and the notes under it, e.g. （此件公开发布）), if text follows."""
    date_at = next((i for i in range(body_start, len(lines)) if M.is_date_line(lines[i])), None)
    if date_at is None:
        return None
    k = date_at + 1
    while k < len(lines) and (not lines[k].strip() or re.fullmatch(r"\s*[（(][^）)]{1,20}[）)]\s*", lines[k])):
        k += 1
    rest = "".join(lines[k:])
    return k if len(re.sub(r"\s", "", rest)) >= 80 else None


def _split_forward(lines: list[str], split: int, ctx: _Context, cover_title: str, number: str | None,
                   header: Any) -> list[_Parsed]:
    notice_lines = lines[:split]
    body = "\n".join(notice_lines[header.body_start:])
    sigs = M.signatures(body)
    issuer = (sigs[0][0] if sigs else None) or M.issuer_from_doc_number(number) or M.issuer_from_title(cover_title)
    date = (sigs[0][1] if sigs else None) or _pick_date(body, issuer, notice_lines) or _chrome_date(header.chrome)
    outline = build_outline(notice_lines, header.body_start, cover_title, "", False, markup=ctx.markup)
    _drop_repeats(outline)
    (fwd_fields, fwd_outline, fwd_body), = _parse_structured(lines[split:], ctx, forwarded_part=True)
    inner = M.NOTICE_FORWARD.match(cover_title).group("inner")  # type: ignore[union-attr]
    if not fwd_fields["doc_number"]:
        cited = _forwarded("\n".join(notice_lines), M.clean_title(inner))
        if cited:
            fwd_fields.update(doc=cited, doc_number=cited)
    notice = _fields(ctx, title=cover_title, doc_number=number, issuer=issuer, date=date, body=body,
                     related=[RelatedDocument(relation="forwards", doc=fwd_fields["doc"], title=fwd_fields["title"],
                                              issuer=fwd_fields["issuer"], date=fwd_fields["date"])])
    fwd_fields["related"] = [RelatedDocument(relation="forwarded_by", doc=notice["doc"], title=cover_title,
                                             issuer=issuer, date=date), *fwd_fields["related"]]
    return [(notice, outline, body), (fwd_fields, fwd_outline, fwd_body)]


def _parse_run_on(text: str, lines: list[str], ctx: _Context) -> list[_Parsed]:
    first = lines[0]
    cut = re.search(r"发布日期|" + M.DOC_NUMBER.pattern + r"|[━─=]{3}|各[^。：]{2,80}：", first)
    cover_title = M.clean_title(first[: cut.start()] if cut else first[:60])
    numbers = M.find_doc_numbers(text[:300])
    header_number = numbers[0] if numbers else None
    title, doc_number, issuer = cover_title, header_number, None
    f_number: str | None = None
    f_issuer: str | None = None
    forwarded = M.NOTICE_FORWARD.match(cover_title)
    if forwarded:
        inner = M.clean_title(forwarded.group("inner"))
        fwd_number = _forwarded(text, inner)
        if fwd_number:
            f_number, f_issuer = header_number, M.issuer_from_doc_number(header_number)
            title, doc_number = inner, fwd_number
            org = forwarded.group("org")
            issuer = M.normalize_issuer(org) if org else M.issuer_from_doc_number(fwd_number)
    issuer = issuer or M.issuer_from_doc_number(doc_number) or M.issuer_from_title(title)
    date = _pick_date(text, issuer, lines)
    result = parse_run_on(text, f_number, f_issuer, title, cover_title)
    for note in result.notes:
        log.info("%s: %s", Path(ctx.source).name or "text", note)
    main = _fields(ctx, title=title, doc_number=doc_number, issuer=issuer, date=date, body=text)
    if not f_number:
        return [(main, result.outline, text)]
    # the forwarding notice's sections carry its 文号 as prefix: they make the second document
    prefix = f_number + " "
    notice_outline, main_outline = Outline(), Outline()
    for block in result.outline.blocks:
        if block.path == f_number or block.path.startswith(prefix):
            block.path = block.path[len(f_number):].strip()
            block.level = max(0, block.level - 1)
            notice_outline.blocks.append(block)
        else:
            main_outline.blocks.append(block)
    for path, heading, level in result.outline.headings:
        if path == f_number or path.startswith(prefix):
            notice_outline.headings.append((path[len(f_number):].strip(), heading, max(0, level - 1)))
        else:
            main_outline.headings.append((path, heading, level))
    sig = [s for s in M.signatures(text) if s[0] == f_issuer]
    f_date = sig[0][1] if sig else None
    notice_text = "\n".join(p for b in notice_outline.blocks for p in b.paragraphs)
    notice = _fields(ctx, title=cover_title, doc_number=f_number, issuer=f_issuer, date=f_date, body=notice_text,
                     related=[RelatedDocument(relation="forwards", doc=doc_number or title, title=title,
                                              issuer=issuer, date=date)])
    main["related"] = [RelatedDocument(relation="forwarded_by", doc=f_number, title=cover_title, issuer=f_issuer,
                                       date=f_date)]
    main_text = "\n".join(p for b in main_outline.blocks for p in b.paragraphs)
    main["effective_date"] = M.effective_date(main_text, [], date)
    return [(notice, notice_outline, notice_text), (main, main_outline, main_text)]


def _drop_repeats(outline: Outline) -> None:
    """A paragraph printed twice in one document is indexed once (exact repeats only; near
    repeats in normal documents are usually parallel clauses that differ on purpose)."""
    seen: set[str] = set()
    for block in outline.blocks:
        if block.kind != "text":
            continue
        kept = []
        for p in block.paragraphs:
            key = normalize(p)
            if len(key) >= 20 and key in seen:
                continue
            seen.add(key)
            kept.append(p)
        block.paragraphs = kept
    outline.blocks = [b for b in outline.blocks if not b.empty]
