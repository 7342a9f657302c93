"""Text of a Chinese policy document → `ParsedDocument` (metadata, outline, chunks).

`parse_text` decides between the normal line-by-line reader (`structured`) and the reader for
scraped pages whose text runs on (`scraped`), reads the metadata (`meta`), applies a sidecar's
overrides, and cuts the sections into chunks (`retrieval.chunking`).
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
from retrieval.parsing.blocks import Outline
from retrieval.parsing.scraped import is_run_on, parse_run_on
from retrieval.parsing.structured import build_outline, read_header

log = logging.getLogger(__name__)

__all__ = ["parse_text"]


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


def parse_text(
    text: str,
    *,
    source: str = "",
    sha256: str = "",
    markup: bool = False,
    overrides: dict[str, Any] | None = None,
    chunking: ChunkingConfig | None = None,
) -> ParsedDocument:
    """Parse a document's text. `overrides` (a sidecar's fields) win over what the text says."""
    overrides = dict(overrides or {})
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    run_on = is_run_on(text)
    related: list[RelatedDocument] = []
    header_number: str | None

    if run_on:
        first = lines[0]
        cut = re.search(r"发布日期|" + M.DOC_NUMBER.pattern + r"|[━─=]{3}|各[^。：]{2,80}：", first)
        cover_title = M.clean_title(first[: cut.start()] if cut else first[:60])
        numbers = M.find_doc_numbers(text[:300])
        header_number = numbers[0] if numbers else None
        body_start = 0
    else:
        header = read_header(lines)
        cover_title = M.clean_title("".join(header.title_lines)) or Path(source).stem or "untitled"
        header_number = header.doc_number
        body_start = header.body_start

    title: str = cover_title
    doc_number, issuer = header_number, None
    body_is_attachment = False
    forwarder: tuple[str | None, str | None] = (None, None)
    printed = M.NOTICE_PRINT.match(cover_title)
    forwarded = M.NOTICE_FORWARD.match(cover_title)
    if forwarded:
        inner = M.clean_title(forwarded.group("inner"))
        fwd_number = _forwarded(text, inner)
        if fwd_number:
            f_issuer = M.issuer_from_doc_number(header_number)
            forwarder = (header_number, f_issuer)
            sig = [s for s in M.signatures(text) if s[0] == f_issuer]
            related.append(RelatedDocument(relation="forwarded_by", doc=header_number or cover_title,
                                           title=cover_title, issuer=f_issuer,
                                           date=sig[0][1] if sig else None))
            title, doc_number = inner, fwd_number
            org = forwarded.group("org")
            issuer = M.normalize_issuer(org) if org else M.issuer_from_doc_number(fwd_number)
    elif printed:
        attached = _attachment_title(lines, body_start)
        title = M.clean_title(attached or printed.group("inner"))
        body_is_attachment = attached is not None
        if printed.group("org"):
            issuer = M.normalize_issuer(printed.group("org"))

    if issuer is None:
        sigs = M.signatures("\n".join(lines[body_start:]))
        issuer = sigs[0][0] if sigs else None
    issuer = issuer or M.issuer_from_doc_number(doc_number) or M.issuer_from_title(title)
    date = _pick_date(text, issuer, lines)

    if run_on:
        result = parse_run_on(text, forwarder[0], forwarder[1], title, cover_title)
        outline: Outline = result.outline
        for note in result.notes:
            log.info("%s: %s", Path(source).name or "text", note)
    else:
        outline = build_outline(lines, body_start, title, cover_title if cover_title != title else "",
                                body_is_attachment, markup=markup)
        _drop_repeats(outline)

    fields: dict[str, Any] = {
        "doc": doc_number or title,
        "title": title,
        "doc_number": doc_number,
        "issuer": issuer,
        "date": date,
        "source": Path(source).name if source else "",
        "sha256": sha256,
        "related": related,
    }
    if overrides:
        if "related" in overrides:
            overrides["related"] = [RelatedDocument.model_validate(r) for r in overrides["related"]]
        fields.update(overrides)
        if "doc" not in overrides and ("doc_number" in overrides or "title" in overrides):
            fields["doc"] = fields["doc_number"] or fields["title"]
    meta = DocumentMeta.model_validate(fields)
    sections = [Section(path=p, heading=h, level=lvl) for p, h, lvl in outline.headings]
    chunks = chunk_blocks(outline.blocks, meta, chunking)
    return ParsedDocument(meta=meta, sections=sections, chunks=chunks)


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
