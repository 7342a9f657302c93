"""Answer quality on an evaluation set: what a park officer sees, not what the retriever ranks.

The caller passes an answer function ``answer_fn(question) -> Answer`` (anything with
``answer``, ``citations`` and ``grounded``; ``Services.answer`` in offline mode, or a scripted
function in tests) and optionally ``passage_fn(chunk_id) -> text | None``, the text the index
holds for a chunk (None when the index has no such chunk). Each question is answered once, in a
conversation of its own. The evaluation-set format and the evidence-matching rule are
``retrieval.evaluation``'s (``load_cases``, ``matched_evidence``, ``normalize_text``): a citation
"contains the evidence" exactly when a search hit with the same doc, section and text would be
relevant there.

Figures (``AnswerFigures``):

- ``citation_validity``: share of answers whose every ``[n]`` resolves to one of its citations
  and whose every citation quotes a passage of the index verbatim (same chunk id, same text).
  CONTRACT.md makes this a guarantee: it must be 1.0;
- ``cites_evidence``: share of answerable questions whose answer cites a passage containing an
  expected evidence;
- ``facts_stated``: share of the expected ``facts`` (over all answerable questions) that the
  answer text states, compared after ``normalize_text`` (NFKC: full/half width; whitespace, table
  bars and ``[n]`` markers dropped; bracket variants unified) and case folding;
- ``all_facts``: share of answerable questions whose answer states every expected fact;
- ``refusal_accuracy``: share of unanswerable questions answered with ``grounded == false``;
- ``false_refusal_rate``: share of answerable questions answered with ``grounded == false`` (an
  answer function that raised counts as not answered);
- ``unanswerable_refused`` / ``answerable_refused``: the same two as counts ("7 of 8 refused");
- ``latency_p50_ms`` / ``latency_p95_ms``: wall time of one ``answer_fn`` call.

Pure apart from the clock: no index, no model; ``bot/cli/eval.py`` (``parkbot eval --answers``)
wires in the real service.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from retrieval.evaluation import EvalCase, HitSummary, matched_evidence, normalize_text

log = logging.getLogger(__name__)

AnswerFn = Callable[[str], Any]
PassageFn = Callable[[str], "str | None"]

_MARKER = re.compile(r"\[(\d+)\]")
_MARKUP = re.compile(r"\*\*|__|`")


# ---------------------------------------------------------------- per answer


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def answer_text(answer: Any) -> str:
    return str(_get(answer, "answer", "") or "")


def markers(text: str) -> list[int]:
    """The ``[n]`` numbers used in a text, in order of first use."""
    seen: list[int] = []
    for n in (int(m) for m in _MARKER.findall(text)):
        if n not in seen:
            seen.append(n)
    return seen


def check_citations(answer: Any, passage_fn: PassageFn | None = None) -> tuple[list[int], list[int]]:
    """(markers that resolve to no citation, citation numbers whose text is not an indexed passage).

    Without ``passage_fn`` only the markers are checked.
    """
    citations = list(_get(answer, "citations", None) or [])
    numbers = {int(_get(c, "n")) for c in citations}
    unresolved = [n for n in markers(answer_text(answer)) if n not in numbers]
    not_indexed: list[int] = []
    if passage_fn is not None:
        for c in citations:
            indexed = passage_fn(str(_get(c, "chunk_id", "")))
            if indexed is None or indexed != str(_get(c, "text", "")):
                not_indexed.append(int(_get(c, "n")))
    return unresolved, sorted(not_indexed)


def normalize_answer(text: str) -> str:
    """Answer text as compared with facts: no [n] markers or markdown emphasis, then `normalize_text`."""
    return normalize_text(_MARKUP.sub("", _MARKER.sub("", text))).casefold()


def stated_facts(text: str, facts: Sequence[str]) -> tuple[list[str], list[str]]:
    """(facts the text states, facts it does not), each compared after normalisation."""
    norm = normalize_answer(text)
    stated = [f for f in facts if normalize_answer(f) and normalize_answer(f) in norm]
    return stated, [f for f in facts if f not in stated]


# ---------------------------------------------------------------- report


class AnswerCaseResult(BaseModel):
    id: str
    category: str
    lang: str
    split: str = ""
    answerable: bool
    grounded: bool | None = Field(None, description="None when the answer function raised")
    intent: str = ""
    latency_ms: float
    citations: int = 0
    unresolved: list[int] = Field(default=[], description="[n] markers with no citation")
    not_indexed: list[int] = Field(default=[], description="citations whose text is not a passage of the index")
    cites_evidence: bool | None = Field(None, description="None for unanswerable questions")
    facts_stated: list[str] = []
    facts_missing: list[str] = []
    cited: list[HitSummary] = Field(default=[], description="The cited passages (doc, section, relevant)")
    error: str | None = None

    @property
    def citations_valid(self) -> bool:
        return self.error is None and not self.unresolved and not self.not_indexed

    @property
    def refused(self) -> bool:
        return self.grounded is not True

    @property
    def failed(self) -> bool:
        """Something a reader would count against the answer."""
        if not self.citations_valid:
            return True
        if not self.answerable:
            return self.grounded is not False
        return self.refused or not self.cites_evidence or bool(self.facts_missing)


class AnswerFigures(BaseModel):
    """The figures over one group of cases (all, one category, one language)."""

    cases: int
    answerable: int
    unanswerable: int
    citation_validity: float | None = Field(description="Share of answers whose citations all resolve and are indexed")
    cites_evidence: float | None = Field(description="Share of answerable questions citing an evidence passage")
    facts_stated: float | None = Field(description="Share of expected facts stated in the answer text")
    all_facts: float | None = Field(description="Share of answerable questions stating every expected fact")
    refusal_accuracy: float | None = Field(description="Share of unanswerable questions answered grounded=false")
    false_refusal_rate: float | None = Field(description="Share of answerable questions answered grounded=false")
    unanswerable_refused: int = Field(default=0, description="Unanswerable questions answered grounded=false (of `unanswerable`)")
    answerable_refused: int = Field(default=0, description="Answerable questions answered grounded=false (of `answerable`)")
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    errors: int = 0


class AnswerReport(BaseModel):
    overall: AnswerFigures
    by_category: dict[str, AnswerFigures]
    by_lang: dict[str, AnswerFigures]
    by_split: dict[str, AnswerFigures] = Field(default={}, description="'tune' and 'heldout' when the cases are split")
    cases: list[AnswerCaseResult]

    def misses(self) -> list[AnswerCaseResult]:
        """Cases with an invalid citation, a wrong refusal decision, no evidence cited or a fact missing."""
        return [c for c in self.cases if c.failed]


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def answer_figures(results: Sequence[AnswerCaseResult]) -> AnswerFigures:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    facts_total = sum(len(r.facts_stated) + len(r.facts_missing) for r in answerable)
    latencies = [r.latency_ms for r in results]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return AnswerFigures(
        cases=len(results),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        citation_validity=_share(sum(r.citations_valid for r in results), len(results)),
        cites_evidence=_share(sum(bool(r.cites_evidence) for r in answerable), len(answerable)),
        facts_stated=_share(sum(len(r.facts_stated) for r in answerable), facts_total),
        all_facts=_share(sum(not r.facts_missing for r in answerable), len(answerable)),
        refusal_accuracy=_share(sum(r.grounded is False for r in unanswerable), len(unanswerable)),
        false_refusal_rate=_share(sum(r.refused for r in answerable), len(answerable)),
        unanswerable_refused=sum(r.grounded is False for r in unanswerable),
        answerable_refused=sum(r.refused for r in answerable),
        latency_p50_ms=round(p50, 1) if p50 is not None else None,
        latency_p95_ms=round(p95, 1) if p95 is not None else None,
        errors=sum(r.error is not None for r in results),
    )


def evaluate_answer(
    case: EvalCase, answer: Any, latency_ms: float, passage_fn: PassageFn | None = None
) -> AnswerCaseResult:
    """Score one answer (an ``Answer`` or a dict of the same shape) against its case."""
    unresolved, not_indexed = check_citations(answer, passage_fn)
    citations = list(_get(answer, "citations", None) or [])
    cited = [
        HitSummary(doc=str(_get(c, "doc", "")), section=str(_get(c, "section", "")),
                   relevant=case.answerable and bool(matched_evidence(c, case)))
        for c in citations
    ]
    stated, missing = stated_facts(answer_text(answer), case.facts)
    return AnswerCaseResult(
        id=case.id,
        category=case.category,
        lang=case.lang,
        split=case.split,
        answerable=case.answerable,
        grounded=bool(_get(answer, "grounded", True)),
        intent=str(_get(answer, "intent", "") or ""),
        latency_ms=round(latency_ms, 1),
        citations=len(citations),
        unresolved=unresolved,
        not_indexed=not_indexed,
        cites_evidence=any(c.relevant for c in cited) if case.answerable else None,
        facts_stated=stated,
        facts_missing=missing,
        cited=cited,
    )


def evaluate_answers(
    cases: Sequence[EvalCase],
    answer_fn: AnswerFn,
    passage_fn: PassageFn | None = None,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> AnswerReport:
    """Answer every case once with `answer_fn`, score the answers and aggregate.

    An exception from `answer_fn` is recorded on its case (``error``) and counts against every
    figure; the other cases still run.
    """
    results: list[AnswerCaseResult] = []
    for case in cases:
        started = clock()
        try:
            answer = answer_fn(case.question)
        except Exception as exc:  # one broken answer must not hide the figures of the others
            ms = (clock() - started) * 1000
            log.warning("answer to %s failed: %s", case.id, exc)
            results.append(AnswerCaseResult(
                id=case.id, category=case.category, lang=case.lang, split=case.split, answerable=case.answerable,
                grounded=None,
                latency_ms=round(ms, 1), cites_evidence=False if case.answerable else None,
                facts_missing=list(case.facts), error=f"{type(exc).__name__}: {exc}",
            ))
            continue
        ms = (clock() - started) * 1000
        results.append(evaluate_answer(case, answer, ms, passage_fn))
    log.info("answered %d cases", len(results))

    def group(key: Callable[[AnswerCaseResult], str]) -> dict[str, AnswerFigures]:
        names = sorted({key(r) for r in results})
        return {name: answer_figures([r for r in results if key(r) == name]) for name in names}

    return AnswerReport(
        overall=answer_figures(results),
        by_category=group(lambda r: r.category),
        by_lang=group(lambda r: r.lang),
        by_split={name: fig for name, fig in group(lambda r: r.split).items() if name},
        cases=results,
    )


__all__ = [
    "AnswerCaseResult",
    "AnswerFigures",
    "AnswerFn",
    "AnswerReport",
    "PassageFn",
    "answer_figures",
    "check_citations",
    "evaluate_answer",
    "evaluate_answers",
    "markers",
    "normalize_answer",
    "percentile",
    "stated_facts",
]
