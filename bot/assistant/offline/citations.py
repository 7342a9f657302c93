"""Citation numbers of one answer, and how a cited document and section are named in its text."""

from __future__ import annotations

from collections.abc import Callable

from bot.assistant.types import Citation
from bot.assistant.wording import LanguageWording
from retrieval.models import Hit

Outdated = Callable[[Hit], str]  # why a passage's rule may be out of date ("" when current)


class CitationBook:
    """Hands out ``[n]`` numbers in order of first use; one number per passage. With ``outdated``,
    each citation says why its rule may be out of date (notes.outdated_reason)."""

    def __init__(self, outdated: Outdated | None = None) -> None:
        self._by_chunk: dict[str, Citation] = {}
        self._outdated = outdated

    def cite(self, hit: Hit) -> int:
        if hit.chunk_id not in self._by_chunk:
            reason = self._outdated(hit) if self._outdated is not None else ""
            self._by_chunk[hit.chunk_id] = Citation.from_hit(hit, len(self._by_chunk) + 1, outdated=reason)
        return self._by_chunk[hit.chunk_id].n

    def marker(self, hit: Hit | None) -> str:
        """``[n]`` for a passage, or nothing when there is none to cite."""
        return f"[{self.cite(hit)}]" if hit is not None else ""

    @property
    def citations(self) -> list[Citation]:
        return sorted(self._by_chunk.values(), key=lambda c: c.n)


def doc_label(hit: Hit, w: LanguageWording) -> str:
    """《title》（文号，date，level/place）: :meth:`PolicyWording.document_name` (the LLM agent names
    documents with it too)."""
    return w.policy.document_name(hit.title or hit.doc, hit.doc, hit.date, hit.jurisdiction)


def short_label(hit: Hit) -> str:
    """How the direct answer names its source: the 文号, else 《title》."""
    return hit.doc_number or (hit.doc if hit.doc and hit.doc != hit.title else f"《{hit.title or hit.doc}》")


def section_label(hit: Hit) -> str:
    """The section path, with the heading's text when the passage is a short row under it."""
    section, context = hit.section.strip(), hit.context.strip()
    if context and len(context) <= 30 and context not in section:
        return f"{section} {context}".strip()
    return section
