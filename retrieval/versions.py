"""Policy versions in search: in-force documents rank first, hits say what replaced them.

A document is ``in_force``, ``superseded`` (by ``superseded_by``), ``repealed`` or ``expired``
(`retrieval.models.DocumentMeta`). Search keeps passages of documents no longer in force — staff
ask about old rules too — but ranks them below in-force passages of similar relevance:

    fused = prefer_in_force(fused, chunks, documents)      after fusion (and rerank), before shaping
    hits = with_versions(hits, documents)                  after shaping: fills Hit.superseded_by

`prefer_in_force` multiplies the score of a passage from a document that is not in force by
`STALE_FACTOR` and re-sorts, so a superseded clause only outranks an in-force one when it is
clearly the better match. `status_label` gives the Chinese wording the channels show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from retrieval.models import Chunk, DocumentMeta, Hit

STALE_FACTOR = 0.8
"""Score multiplier for passages of superseded, repealed or expired documents."""

STATUS_LABELS = {"in_force": "现行有效", "superseded": "已被替代", "repealed": "已废止", "expired": "已失效"}


class _Scored(Protocol):
    row: int
    score: float


S = TypeVar("S", bound=_Scored)


def is_in_force(meta: DocumentMeta | None) -> bool:
    return meta is None or meta.status == "in_force"


def prefer_in_force(scored: Sequence[S], chunks: Sequence[Chunk], documents: Mapping[str, DocumentMeta],
                    factor: float = STALE_FACTOR) -> list[S]:
    """`scored` (objects with ``row`` into `chunks` and ``score``) with stale passages demoted, best first."""
    if factor >= 1.0 or all(is_in_force(documents.get(chunks[s.row].doc)) for s in scored):
        return list(scored)
    for s in scored:
        if not is_in_force(documents.get(chunks[s.row].doc)):
            s.score *= factor
    return sorted(scored, key=lambda s: -s.score)


def with_versions(hits: Sequence[Hit], documents: Mapping[str, DocumentMeta]) -> list[Hit]:
    """The hits with their document's status and ``superseded_by`` filled in."""
    out = []
    for hit in hits:
        meta = documents.get(hit.doc)
        if meta is None:
            out.append(hit)
            continue
        out.append(hit.model_copy(update={"status": meta.status, "superseded_by": meta.superseded_by}))
    return out


def status_label(status: str | None, superseded_by: str | None = None) -> str:
    """``现行有效`` / ``已被 X 替代`` / ``已废止`` / ``已失效``."""
    status = status or "in_force"
    if status == "superseded" and superseded_by:
        return f"已被 {superseded_by} 替代"
    return STATUS_LABELS.get(status, status)
