"""Retrieval quality on an evaluation set: recall@k, MRR@k and the refusal figures.

Pure functions: no index, no model, no I/O except `load_cases`. The caller passes a search
function ``search_fn(question, k) -> hits`` (anything with ``.doc`` and ``.text``, e.g.
`retrieval.models.Hit`, or dicts with those keys) and optionally a coverage function
``covers_fn(question) -> bool`` (True: the corpus covers the question, so do not refuse).

Relevance. A hit is relevant to a case when its document matches an expected ``doc`` (see
`doc_matches`) and its text contains that entry's ``evidence`` once both are normalised (`normalize_text`: NFKC,
whitespace and table separators removed, bracket variants unified). The expected ``section``
is informative only: chunkers print heading paths differently, the evidence is what counts.

Figures (answerable cases only, unless said otherwise):

- ``recall@k``: share of cases with at least one relevant hit in the top k;
- ``complete@k``: share of cases where *every* expected evidence is in the top k (matters for
  questions that span two documents);
- ``MRR@k``: mean of 1/rank of the first relevant hit, 0 when none is in the top k;
- ``refusal_accuracy``: share of unanswerable cases that `covers_fn` declares not covered;
- ``false_refusal_rate``: share of answerable cases that `covers_fn` declares not covered.

The evaluation-set format is described in ``tests/eval/holdout_style.md``.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from retrieval.errors import RetrievalError

logger = logging.getLogger(__name__)

SearchFn = Callable[[str, int], Sequence[Any]]
CoversFn = Callable[[str], bool]

CATEGORIES = (
    "paraphrase",
    "keyword",
    "table",
    "cross_doc",
    "english",
    "abbreviation",
    "unanswerable",
)


class BadEvalCases(RetrievalError):
    """An evaluation-set file cannot be read or a line does not follow the format."""

    code = "bad_eval_cases"

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(
            f"{path}: {reason} (one JSON object per line: id, question, lang, answerable, "
            "expected [{doc, section, evidence}], facts, category; see tests/eval/holdout_style.md)"
        )


# ---------------------------------------------------------------- the evaluation set


class Expected(BaseModel):
    """Where the answer is: a document, its heading path and a short verbatim substring."""

    doc: str = Field(description="文号, or the title for a document without one")
    section: str = Field("", description="Heading path as printed, e.g. 七、（二十一）, 附1 一, 附2")
    evidence: str = Field(min_length=1, description="A short substring of the document text")


class EvalCase(BaseModel):
    id: str
    question: str = Field(min_length=1)
    lang: Literal["zh", "en"] = "zh"
    answerable: bool = True
    expected: list[Expected] = []
    facts: list[str] = Field(default=[], description="Short strings a correct answer must state")
    category: str = "paraphrase"
    split: str = Field(default="", description="'tune' (looked at while improving) or 'heldout'; empty: unsplit")


def load_cases(path: str | Path) -> list[EvalCase]:
    """Read a JSONL evaluation set. Blank lines are skipped; a bad line names its number."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadEvalCases(path, f"cannot read the file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise BadEvalCases(path, "the file is not UTF-8") from exc
    return parse_cases(lines, source=path)


def parse_cases(lines: Iterable[str], source: str | Path = "<cases>") -> list[EvalCase]:
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = EvalCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise BadEvalCases(source, f"line {number} is not JSON ({exc.msg})") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadEvalCases(source, f"line {number}: field '{where}': {first['msg']}") from exc
        if case.id in seen:
            raise BadEvalCases(source, f"line {number}: id '{case.id}' is used twice")
        if case.answerable and not case.expected:
            raise BadEvalCases(source, f"line {number}: answerable case '{case.id}' has no expected passage")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise BadEvalCases(source, "no cases in the file")
    return cases


# ---------------------------------------------------------------- matching

_WHITESPACE = re.compile(r"\s+")
_SEPARATORS = str.maketrans({"|": None, "\u3000": None, "〔": "[", "〕": "]", "【": "[", "】": "]"})
_DOC_PUNCT = str.maketrans({"“": None, "”": None, '"': None, "《": None, "》": None, "·": None})


def normalize_text(text: str) -> str:
    """Text as compared for evidence: NFKC, no whitespace, no table bars, one bracket style."""
    text = unicodedata.normalize("NFKC", text).translate(_SEPARATORS)
    return _WHITESPACE.sub("", text)


def normalize_doc(doc: str) -> str:
    """Document ids as compared: `normalize_text` plus quotes and book-title marks dropped."""
    return normalize_text(doc).translate(_DOC_PUNCT)


def _field(hit: Any, name: str) -> str:
    value = hit.get(name, "") if isinstance(hit, Mapping) else getattr(hit, name, "")
    return value or ""


def doc_matches(expected_doc: str, hit: Any) -> bool:
    """The hit belongs to `expected_doc`: its ``doc`` is that id, or its section path starts with it.

    The second form is how a forwarding notice printed on the same page as the document it
    forwards is indexed (file 000: ``doc`` 国科发火字〔2005〕16号, ``section`` 粤府办〔2005〕92号 二).
    """
    wanted = normalize_doc(expected_doc)
    return normalize_doc(_field(hit, "doc")) == wanted or normalize_doc(_field(hit, "section")).startswith(
        wanted
    )


def matched_evidence(hit: Any, case: EvalCase) -> list[int]:
    """Indices of the case's expected entries that this hit contains."""
    text = normalize_text(_field(hit, "text"))
    return [
        i
        for i, exp in enumerate(case.expected)
        if normalize_text(exp.evidence) in text and doc_matches(exp.doc, hit)
    ]


def is_relevant(hit: Any, case: EvalCase) -> bool:
    return bool(matched_evidence(hit, case))


# ---------------------------------------------------------------- report


class HitSummary(BaseModel):
    doc: str
    section: str
    relevant: bool


class CaseResult(BaseModel):
    id: str
    category: str
    lang: str
    answerable: bool
    rank: int | None = Field(
        None, description="1-based rank of the first relevant hit, None if not retrieved"
    )
    complete_rank: int | None = Field(None, description="Rank by which every expected evidence was seen")
    covered: bool | None = Field(None, description="What the coverage function said (None: not measured)")
    top: list[HitSummary] = []


class Figures(BaseModel):
    """The figures over one group of cases (all, one category, one language)."""

    cases: int
    answerable: int
    unanswerable: int
    recall: dict[int, float | None] = Field(description="k -> share of answerable cases found in the top k")
    complete: dict[int, float | None] = Field(description="k -> share with every expected evidence in top k")
    mrr: float | None
    refusal_accuracy: float | None = None
    false_refusal_rate: float | None = None


class RetrievalReport(BaseModel):
    ks: list[int]
    mrr_k: int
    overall: Figures
    by_category: dict[str, Figures]
    by_lang: dict[str, Figures]
    cases: list[CaseResult]

    def misses(self, k: int) -> list[CaseResult]:
        """Answerable cases with no relevant hit in the top k."""
        return [c for c in self.cases if c.answerable and (c.rank is None or c.rank > k)]


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def figures(results: Sequence[CaseResult], ks: Sequence[int], mrr_k: int) -> Figures:
    """Aggregate per-case results into recall@k, complete@k, MRR@mrr_k and refusal figures."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    n = len(answerable)
    recall = {k: _share(sum(1 for r in answerable if r.rank is not None and r.rank <= k), n) for k in ks}
    complete = {
        k: _share(sum(1 for r in answerable if r.complete_rank is not None and r.complete_rank <= k), n)
        for k in ks
    }
    mrr = sum(1.0 / r.rank for r in answerable if r.rank is not None and r.rank <= mrr_k) / n if n else None
    refusal_accuracy = false_refusal_rate = None
    measured_u = [r for r in unanswerable if r.covered is not None]
    measured_a = [r for r in answerable if r.covered is not None]
    if measured_u:
        refusal_accuracy = sum(1 for r in measured_u if not r.covered) / len(measured_u)
    if measured_a:
        false_refusal_rate = sum(1 for r in measured_a if not r.covered) / len(measured_a)
    return Figures(
        cases=len(results),
        answerable=n,
        unanswerable=len(unanswerable),
        recall=recall,
        complete=complete,
        mrr=mrr,
        refusal_accuracy=refusal_accuracy,
        false_refusal_rate=false_refusal_rate,
    )


def evaluate_case(
    case: EvalCase,
    hits: Sequence[Any],
    covered: bool | None = None,
    top_n: int = 3,
) -> CaseResult:
    """Score one case against the hits a search returned (best first)."""
    rank = complete_rank = None
    seen: set[int] = set()
    summaries = []
    for position, hit in enumerate(hits, 1):
        matched = matched_evidence(hit, case) if case.answerable else []
        if matched and rank is None:
            rank = position
        seen.update(matched)
        if case.expected and complete_rank is None and len(seen) == len(case.expected):
            complete_rank = position
        if position <= top_n:
            summaries.append(
                HitSummary(doc=_field(hit, "doc"), section=_field(hit, "section"), relevant=bool(matched))
            )
    return CaseResult(
        id=case.id,
        category=case.category,
        lang=case.lang,
        answerable=case.answerable,
        rank=rank,
        complete_rank=complete_rank,
        covered=covered,
        top=summaries,
    )


def evaluate_retrieval(
    cases: Sequence[EvalCase],
    search_fn: SearchFn,
    ks: Sequence[int] = (1, 5, 10),
    covers_fn: CoversFn | None = None,
    mrr_k: int = 10,
) -> RetrievalReport:
    """Run every case through `search_fn` (once, with k = max(ks, mrr_k)) and aggregate.

    `search_fn(question, k)` returns hits best first; `covers_fn(question)` says whether the
    corpus covers the question (omit it to skip the refusal figures). Unanswerable cases are
    not searched (recall is measured on answerable cases only); they are only put to
    `covers_fn`. Answerable cases are put to both.
    """
    if not ks or any(k < 1 for k in ks) or mrr_k < 1:
        raise ValueError(f"ks and mrr_k must be positive integers, got ks={list(ks)}, mrr_k={mrr_k}")
    ks = sorted(set(ks))
    depth = max(max(ks), mrr_k)
    results: list[CaseResult] = []
    for case in cases:
        hits = search_fn(case.question, depth) if case.answerable else []
        covered = covers_fn(case.question) if covers_fn is not None else None
        results.append(evaluate_case(case, list(hits)[:depth], covered))
    logger.info("evaluated %d cases at depth %d", len(results), depth)

    def group(key: Callable[[CaseResult], str]) -> dict[str, Figures]:
        names = sorted({key(r) for r in results})
        return {name: figures([r for r in results if key(r) == name], ks, mrr_k) for name in names}

    return RetrievalReport(
        ks=ks,
        mrr_k=mrr_k,
        overall=figures(results, ks, mrr_k),
        by_category=group(lambda r: r.category),
        by_lang=group(lambda r: r.lang),
        cases=results,
    )


__all__ = [
    "BadEvalCases",
    "CATEGORIES",
    "CaseResult",
    "CoversFn",
    "EvalCase",
    "Expected",
    "Figures",
    "HitSummary",
    "RetrievalReport",
    "SearchFn",
    "evaluate_case",
    "evaluate_retrieval",
    "doc_matches",
    "figures",
    "is_relevant",
    "load_cases",
    "matched_evidence",
    "normalize_doc",
    "normalize_text",
    "parse_cases",
]
