"""Competition ranking (1, 2, 2, 4) on rounded scores held as integer cents."""

from __future__ import annotations

import numpy as np


def competition_ranks(cents: np.ndarray, valid: np.ndarray) -> list[int | None]:
    """Rank descending; a park's rank is 1 + the number of parks with a strictly higher score.
    Parks that are not valid get ``None`` (listed last by the caller)."""
    scores = np.asarray(cents)[valid]
    ordered = np.sort(scores)
    higher = len(ordered) - np.searchsorted(ordered, cents, side="right")
    return [int(h) + 1 if ok else None for h, ok in zip(higher, valid, strict=True)]
