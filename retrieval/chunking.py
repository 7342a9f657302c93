"""Sections → chunks.

Rules: a chunk never spans two sections; a section longer than ``max_chars`` is split at
sentence ends (。；！？) into pieces of roughly even length (``target_chars``), each starting
with a small overlap (the last clauses of the previous piece, at most ``overlap_chars``);
a sentence longer than ``max_chars`` is split at clause marks (，、) or, failing that, hard.
Table rows are one chunk each. A chunk id is the first 16 hex digits of
sha1(doc id + section path + text), so an unchanged passage keeps its id across ingests.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import TYPE_CHECKING

from pydantic import BaseModel

from retrieval.models import Chunk, DocumentMeta

if TYPE_CHECKING:  # parsing imports chunking; the type is only needed for checking
    from retrieval.parsing.blocks import Block

_SENTENCE = re.compile(r"[^。；！？!?;\n]*(?:[。；！？!?;][”’」』）)]*|\n|$)")
_CLAUSE = re.compile(r"[^，、,：:]*(?:[，、,：:]|$)")
_PIECE = re.compile(r"[^，、,：:。；！？;!?\n]*(?:[，、,：:。；！？;!?][”’」』）)]*|\n|$)")


class ChunkingConfig(BaseModel):
    target_chars: int = 300
    max_chars: int = 400
    overlap_chars: int = 60


def sentences(text: str) -> list[str]:
    """Sentences of `text`; one that ends a paragraph keeps its trailing newline."""
    out: list[str] = []
    for s in _SENTENCE.findall(text):
        s = s.strip(" \t\u3000")
        if s.strip():
            out.append(s)
        elif "\n" in s and out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    return out


def _split_long(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for clause in (c for c in _CLAUSE.findall(sentence) if c):
        while len(clause) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(clause[:max_chars])
            clause = clause[max_chars:]
        if len(current) + len(clause) > max_chars and current:
            pieces.append(current)
            current = ""
        current += clause
    if current:
        pieces.append(current)
    return pieces


def _tail(text: str, limit: int) -> str:
    """The last clauses of `text`, at most `limit` characters (may be empty)."""
    tail = ""
    for clause in reversed([c for c in _PIECE.findall(text) if c]):
        if len(tail) + len(clause) > limit:
            break
        tail = clause + tail
    return tail


def split_text(text: str, cfg: ChunkingConfig | None = None) -> list[tuple[str, int]]:
    """Split one section's text into (chunk text, overlap length) pairs."""
    cfg = cfg or ChunkingConfig()
    text = text.strip()
    if len(text) <= cfg.max_chars:
        return [(text, 0)] if text else []
    units: list[str] = []
    for s in sentences(text):
        units.extend(_split_long(s, cfg.max_chars))
    n = max(1, math.ceil(len(text) / cfg.target_chars))
    goal = len(text) / n
    pieces: list[str] = []
    current = ""
    for u in units:
        if current and (len(current) >= goal or len(current) + len(u) > cfg.max_chars):
            pieces.append(current)
            current = ""
        current += u
    if current:
        if pieces and len(current) < goal / 3 and len(pieces[-1]) + len(current) <= cfg.max_chars:
            pieces[-1] += current
        else:
            pieces.append(current)
    out: list[tuple[str, int]] = [(pieces[0].strip(), 0)]
    for prev, piece in zip(pieces, pieces[1:], strict=False):
        overlap = _tail(prev, cfg.overlap_chars).lstrip()
        if not overlap.strip():
            overlap = ""
        out.append(((overlap + piece).rstrip(), len(overlap)))
    return out


def chunk_id(doc: str, section: str, text: str) -> str:
    return hashlib.sha1(f"{doc}\x1f{section}\x1f{text}".encode()).hexdigest()[:16]


def chunk_blocks(blocks: list[Block], meta: DocumentMeta, cfg: ChunkingConfig | None = None) -> list[Chunk]:
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for block in blocks:
        if block.kind == "table_row":
            pieces = [(row, 0) for row in block.paragraphs]
        else:
            pieces = split_text("\n".join(p.strip() for p in block.paragraphs if p.strip()), cfg)
        for text, overlap in pieces:
            cid = chunk_id(meta.doc, block.path, text)
            n = 2
            while cid in seen:  # the same text twice in one section: keep both, ids distinct
                cid = chunk_id(meta.doc, block.path, f"{text}\x1f{n}")
                n += 1
            seen.add(cid)
            chunks.append(
                Chunk(
                    chunk_id=cid,
                    doc=meta.doc,
                    title=meta.title,
                    issuer=meta.issuer,
                    date=meta.date,
                    section=block.path,
                    section_title=block.title,
                    position=len(chunks),
                    kind=block.kind,
                    text=text,
                    overlap=overlap,
                )
            )
    return chunks
