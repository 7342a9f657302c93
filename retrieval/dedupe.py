"""Repeated-passage detection: exact (normalised text) and near-duplicate (character shingles).

Normalisation: NFKC (full-width → half-width), then every character that is not a letter or
digit is removed, so punctuation, spacing and bracket styles do not hide a repeat. Two passages
are near-duplicates when the Jaccard similarity of their character 4-gram sets is at least
``jaccard`` or when one is almost entirely contained in the other (``containment`` of the
shorter one's shingles found in the longer one).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch.isalnum()).lower()


def shingles(text: str, k: int = 4) -> set[str]:
    s = normalize(text)
    if len(s) <= k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def similarity(a: str, b: str, k: int = 4) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two passages."""
    sa, sb = shingles(a, k), shingles(b, k)
    if not sa or not sb:
        return 0.0, 0.0
    inter = len(sa & sb)
    return inter / len(sa | sb), inter / min(len(sa), len(sb))


@dataclass
class NearDuplicateIndex:
    """Passages seen so far; `find` says whether a new one repeats one of them."""

    jaccard: float = 0.8
    containment: float = 0.9
    k: int = 4
    min_chars: int = 8  # shorter passages are compared exactly only
    _exact: dict[str, int] = field(default_factory=dict)
    _sets: list[set[str]] = field(default_factory=list)
    _postings: dict[str, set[int]] = field(default_factory=dict)

    def find(self, text: str) -> int | None:
        """Index of an earlier passage that `text` repeats (contained in it or nearly equal)."""
        norm = normalize(text)
        if not norm:
            return None
        if norm in self._exact:
            return self._exact[norm]
        if len(norm) < self.min_chars:
            return None
        sh = shingles(text, self.k)
        counts: dict[int, int] = {}
        for g in sh:
            for i in self._postings.get(g, ()):
                counts[i] = counts.get(i, 0) + 1
        for i, inter in sorted(counts.items(), key=lambda kv: -kv[1]):
            other = self._sets[i]
            if inter / len(sh | other) >= self.jaccard or inter / len(sh) >= self.containment:
                return i
        return None

    def contains_earlier(self, text: str) -> list[int]:
        """Earlier passages almost entirely contained in `text` (text repeats them and adds more)."""
        sh = shingles(text, self.k)
        out = []
        for i, other in enumerate(self._sets):
            if other and len(other) < len(sh) and len(other & sh) / len(other) >= self.containment:
                out.append(i)
        return out

    def add(self, text: str) -> int:
        i = len(self._sets)
        norm = normalize(text)
        self._exact.setdefault(norm, i)
        sh = shingles(text, self.k)
        self._sets.append(sh)
        for g in sh:
            self._postings.setdefault(g, set()).add(i)
        return i

    def __len__(self) -> int:
        return len(self._sets)
