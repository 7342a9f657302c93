"""Which rows of a table a question names: "创新型科技园区人均增加值要达到多少" names the row
从业人员人均增加值 of the 附1 table; "创新型科技园区要达到哪些指标" names none (the whole table is asked).

A row's label is compared with the question (synonyms expanded, as retrieval expands them) by
its Han bigrams, each weighted by how rare it is among the table's labels: 比例, 占比 and 从业人员
occur in many labels and say little; 人均增加值 occurs in one. A row is named when the question
holds at least ``min_share`` of its label's weight; rows are ranked by that share times the weight
matched (a long label matched in full beats a short one matched in part: "从业人员工资收入占人均
增加值的比例" names 从业人员人均工资性收入占人均增加值比例, not 人均增加值), and those close to the
best (``relative``) are kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.assistant.offline.sentences import han_bigrams


def named_rows(question: str, labels: Sequence[str], *, min_share: float = 0.35, relative: float = 0.5) -> list[int]:
    """Indices of the labels the question names, best first; [] when it names none."""
    grams = [han_bigrams(label) for label in labels]
    df: dict[str, int] = {}
    for g in grams:
        for b in g:
            df[b] = df.get(b, 0) + 1
    n = max(len(labels), 1)
    q = han_bigrams(question)
    shares, scores = [], []
    for g in grams:
        weights = {b: math.log(1 + n / df[b]) for b in g}
        total = math.fsum(weights.values())
        matched = math.fsum(w for b, w in weights.items() if b in q)
        shares.append(matched / total if total else 0.0)
        scores.append(shares[-1] * matched)
    named = [i for i, share in enumerate(shares) if share >= min_share]
    best = max((scores[i] for i in named), default=0.0)
    return sorted((i for i in named if scores[i] >= relative * best), key=lambda i: -scores[i])
