"""Result shaping: fused rows → `Hit`s people can read.

- near-identical passages (the scraped 2005 page repeats whole paragraphs) are shown once;
- a very short chunk (a table row, a one-line clause) carries its section context: the
  section heading (unless the chunk already says it) and, when the section has a leading passage
  that is not itself a table row (a table's header, the sentence that introduces a list), that
  passage too;
- every hit carries doc, title, section, date, issuer, status, text and score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from retrieval.models import Chunk, DocumentMeta, Hit
from retrieval.search_config import ShapingConfig


class Shaper:
    def __init__(self, chunks: Sequence[Chunk], documents: dict[str, DocumentMeta], config: ShapingConfig) -> None:
        self.chunks = chunks
        self.documents = documents
        self.config = config
        self._section_head: dict[tuple[str, str], int] = {}
        for row, chunk in enumerate(chunks):
            key = (chunk.doc, chunk.section)
            if key not in self._section_head or chunk.position < chunks[self._section_head[key]].position:
                self._section_head[key] = row

    def shape(self, scored: Iterable[tuple[int, float]], k: int) -> list[Hit]:
        hits: list[Hit] = []
        kept: list[str] = []
        for row, score in scored:
            text = self.chunks[row].text
            if any(self._near(text, other) for other in kept):
                continue
            kept.append(text)
            hits.append(self.hit(row, score))
            if len(hits) >= k:
                break
        return hits

    def _near(self, a: str, b: str) -> bool:
        if a == b:
            return True
        shorter, longer = sorted((len(a), len(b)))
        if shorter < self.config.near_duplicate * longer:
            return False
        return fuzz.ratio(a, b) >= self.config.near_duplicate * 100

    def context(self, row: int) -> str:
        chunk = self.chunks[row]
        if len(chunk.text.strip()) >= self.config.short_chunk_chars:
            return ""
        parts = []
        if chunk.section_title and chunk.section_title not in chunk.text:
            parts.append(chunk.section_title.strip())
        head = self._section_head.get((chunk.doc, chunk.section))
        # a section's leading passage (a table's header, the sentence introducing a list); not a
        # sibling table row, which would only repeat the table's labels
        if head is not None and head != row and self.chunks[head].kind != "table_row":
            lead = self.chunks[head].text.strip()
            if lead and lead not in parts:
                parts.append(lead)
        context = "\n".join(parts)
        limit = self.config.context_chars
        return context if len(context) <= limit else context[: limit - 1] + "…"

    def hit(self, row: int, score: float) -> Hit:
        chunk = self.chunks[row]
        meta = self.documents.get(chunk.doc)
        return Hit(
            chunk_id=chunk.chunk_id,
            doc=chunk.doc,
            title=chunk.title,
            section=chunk.section,
            date=chunk.date or (meta.date if meta else None),
            issuer=chunk.issuer or (meta.issuer if meta else None),
            doc_number=meta.doc_number if meta else None,
            effective_date=meta.effective_date if meta else None,
            jurisdiction=meta.jurisdiction if meta else None,
            status=meta.status if meta else "in_force",
            superseded_by=meta.superseded_by if meta else None,
            text=chunk.text,
            context=self.context(row),
            score=round(float(score), 4),
        )
