"""Coverage: does the corpus address this question at all?

Features of a search, all cheap:

- ``keyword_match``: the share of the question's IDF mass (its keyword tokens, weighted by
  rarity; tokens the corpus never uses count fully) that the best of the top three fused hits
  contains. A question about something the corpus never mentions (a deadline, a form, another
  city's subsidy) leaves its rare words unmatched;
- ``keyword_lead``: ln(BM25 score of the first keyword hit / that of the second): a clause that
  answers the question stands out, a topic the corpus only brushes does not;
- ``dense_top``: the raw cosine of the best dense hit. It does not tell an answerable question
  from an unanswerable one on the same subject, but it does tell a question on the corpus's
  subject from one on cooking or football.

``coverage = a·keyword_match + b·keyword_lead + c·dense_top + bias``. An English question is
covered when coverage ≥ threshold and its closest passage is at least ``dense_floor_english``
close. A Chinese question is covered when its closest passage is at least ``dense_floor`` close:
on the real documents the score does not tell answerable from unanswerable questions at all (AUC
0.51 on their tune questions), while the cosine keeps out questions about other things
(tests/eval/off_topic.jsonl); whether an on-topic question is answered is for the answer's own
checks. Without a floor (0) the score decides, as it did. Weights, threshold and floors live in
`config/retrieval/search.toml`; the weights were fitted (class-balanced logistic regression) on
tests/eval/dev_qa.jsonl, the threshold set for a false-refusal rate ≤ 5 %.
`benchmarks/retrieval_quality.py --calibrate` refits them and prints the threshold, the
false-refusal rate and the refusal accuracy. The threshold and the floors the answers use are
calibrated on the offline answers to the tune questions of both corpora and the off-topic ones
(`benchmarks/refusal_calibration.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel

from retrieval.search_config import CoverageConfig


class Coverage(BaseModel):
    score: float
    covered: bool
    dense_top: float
    keyword_match: float
    keyword_lead: float = 0.0
    threshold: float


def keyword_match(query_tokens: Sequence[str], hit_tokens: Iterable[set[str]], idf: Mapping[str, float],
                  unknown_idf: float) -> float:
    """Share of the query's IDF mass found in the best hit (tokens unknown to the corpus count fully)."""
    weights = {t: idf.get(t, unknown_idf) for t in set(query_tokens)}
    total = math.fsum(weights.values())
    if total <= 0:
        return 0.0
    best = 0.0
    for tokens in hit_tokens:
        best = max(best, math.fsum(w for t, w in weights.items() if t in tokens) / total)
    return best


def keyword_lead(keyword_scores: Sequence[float]) -> float:
    """ln(first / second) BM25 score; 0 without keyword hits, capped at ln(10) with only one."""
    if not keyword_scores or keyword_scores[0] <= 0:
        return 0.0
    if len(keyword_scores) < 2 or keyword_scores[1] <= 0:
        return math.log(10.0)
    return min(math.log(keyword_scores[0] / keyword_scores[1]), math.log(10.0))


def assess(dense_top: float, kw_match: float, config: CoverageConfig, lead: float = 0.0, *,
           english: bool = False) -> Coverage:
    score = (config.dense_weight * dense_top + config.keyword_weight * kw_match
             + config.lead_weight * lead + config.bias)
    if english:
        covered = score >= config.threshold and dense_top >= config.dense_floor_english
    else:
        covered = dense_top >= config.dense_floor if config.dense_floor > 0 else score >= config.threshold
    return Coverage(
        score=round(score, 4),
        covered=covered,
        dense_top=round(dense_top, 4),
        keyword_match=round(kw_match, 4),
        keyword_lead=round(lead, 4),
        threshold=config.threshold,
    )
