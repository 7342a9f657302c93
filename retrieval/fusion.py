"""Hybrid fusion of the dense and keyword signals.

Plain reciprocal-rank fusion throws the scores away, so a signal that is sure of its first hit
(a large lead over its second) counts no more than one that is guessing; and a fusion that lets
one signal dominate loses the other's first-rank hits. This module does:

1. per-signal scaling into [0, 1]: the keyword (BM25) score divided by its top score; the dense
   cosine scaled so the top hit is 1 and the hit at `dense_floor_rank` is 0 (e5 cosines all sit
   in a narrow band, so only their spread within the question carries information);
2. a weighted sum plus document-level boosts (exact 文号, quoted title, domain phrase such as an
   indicator name) supplied by the caller;
3. top-rank protection: each signal's first hit, when it leads that signal's second hit by at
   least `protect_margin`, is kept at `protect_rank` or better in the fused order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from retrieval.search_config import FusionConfig

Ranked = Sequence[tuple[int, float]]  # (row, raw score), best first


@dataclass
class Fused:
    row: int
    score: float
    dense: float = 0.0  # scaled signal scores, for explanations and the coverage signal
    keyword: float = 0.0
    boost: float = 0.0
    sources: list[str] = field(default_factory=list)


def scale_keyword(ranked: Ranked) -> dict[int, float]:
    if not ranked or ranked[0][1] <= 0:
        return {}
    top = ranked[0][1]
    return {row: max(score, 0.0) / top for row, score in ranked}


def scale_dense(ranked: Ranked, floor_rank: int) -> dict[int, float]:
    if not ranked:
        return {}
    top = ranked[0][1]
    floor = ranked[min(floor_rank, len(ranked)) - 1][1]
    spread = top - floor
    if spread <= 1e-9:
        return {row: 1.0 for row, _ in ranked}
    return {row: max(0.0, (score - floor) / spread) for row, score in ranked}


def fuse(
    dense: Ranked,
    keyword: Ranked,
    config: FusionConfig,
    boosts: Mapping[int, float] | None = None,
) -> list[Fused]:
    """Fused candidates, best first. `boosts` adds a document/phrase bonus per row."""
    boosts = boosts or {}
    d = scale_dense(dense, config.dense_floor_rank)
    b = scale_keyword(keyword)
    rows = list(dict.fromkeys([r for r, _ in dense] + [r for r, _ in keyword]))
    out = []
    for row in rows:
        ds, ks, bo = d.get(row, 0.0), b.get(row, 0.0), boosts.get(row, 0.0)
        score = config.dense_weight * ds + config.keyword_weight * ks + bo
        sources = [name for name, table in (("dense", d), ("keyword", b)) if row in table]
        out.append(Fused(row=row, score=score, dense=ds, keyword=ks, boost=bo, sources=sources))
    out.sort(key=lambda f: (-f.score, f.row))
    if config.protect_rank > 0:
        for scaled, ranked in ((d, dense), (b, keyword)):
            _protect(out, ranked, scaled, config)
    return out


def _protect(out: list[Fused], ranked: Ranked, scaled: dict[int, float], config: FusionConfig) -> None:
    if not ranked:
        return
    first = ranked[0][0]
    lead = scaled.get(first, 0.0) - (scaled.get(ranked[1][0], 0.0) if len(ranked) > 1 else 0.0)
    if lead < config.protect_margin:
        return
    pos = next((i for i, f in enumerate(out) if f.row == first), None)
    target = config.protect_rank - 1
    if pos is None or pos <= target:
        return
    item = out.pop(pos)
    # keep the fused score ordering readable: the protected hit takes the score of the slot it enters
    item.score = max(item.score, out[target].score)
    out.insert(target, item)
