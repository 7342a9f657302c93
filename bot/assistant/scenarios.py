"""Conversation scenarios: a few turns, and what the last answer must (and must not) say.

``evaluation.py`` scores one question against the passages it should cite. Park questions,
follow-ups and draft letters need more: the answer to "跟SYN-003比差在哪" depends on the turn
before it, and what makes it right is that both parks and the indicators of the primary in
question are in it. A scenario is one JSON line::

    {"id": "st-02", "split": "tune", "kind": "targets_followup",
     "turns": ["创新型特色园区要达到哪些指标", "那创新型科技园区呢？"],
     "facts": ["50万/人", "35%"], "absent": ["40万/人"], "grounded": true,
     "cites": [{"doc": "国科发火〔2013〕388号", "evidence": "50万/人"}],
     "lead": ["35%"], "mode": "answer", "title_has": [], "title_lacks": []}

- ``turns``: the user's messages, asked in one conversation; only the last answer is judged;
- ``facts``: strings the last answer states; ``absent``: strings it must not contain (a row of
  another category, the refusal wording where a park question was meant);
- ``lead``: facts the answer's first paragraph states (the answer comes first), after the
  SYNTHETIC banner;
- ``grounded``: the expected ``grounded`` flag (refused = false), when it matters;
- ``cites``: passages one of the citations must be (document, and a string of its text);
- ``mode``: ``draft`` for a reply letter; ``title_has`` / ``title_lacks``: what the letter's
  first line (its subject) names, and what of the enquiry's wording it must not copy.

Strings are compared as ``evaluation.normalize_answer`` compares facts (NFKC, no whitespace,
markers or emphasis, case folded). Pure: the caller passes the function that answers a turn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.assistant.evaluation import normalize_answer, percentile
from retrieval.evaluation import doc_matches, normalize_text

# (message, conversation_id, mode) -> an Answer (anything with answer, citations, grounded, conversation_id)
TurnFn = Callable[[str, "str | None", str], Any]


class CitedEvidence(BaseModel):
    doc: str
    evidence: str


class Scenario(BaseModel):
    id: str
    split: Literal["tune", "heldout"]
    kind: str
    turns: list[str] = Field(min_length=1)
    mode: Literal["answer", "draft"] = "answer"
    facts: list[str] = []
    absent: list[str] = []
    lead: list[str] = []
    grounded: bool | None = None
    cites: list[CitedEvidence] = []
    title_has: list[str] = []
    title_lacks: list[str] = []


class ScenarioResult(BaseModel):
    id: str
    split: str
    kind: str
    problems: list[str]
    latency_ms: float
    answer: str = ""

    @property
    def passed(self) -> bool:
        return not self.problems


class ScenarioFigures(BaseModel):
    cases: int
    passed: int
    share: float | None
    latency_p95_ms: float | None


def load_scenarios(path: Path) -> list[Scenario]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(Scenario.model_validate(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: not a scenario ({exc})") from exc
    return out


def _first_paragraph(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    while paragraphs and ("SYNTHETIC" in paragraphs[0] and len(paragraphs) > 1 and len(paragraphs[0]) < 80):
        paragraphs.pop(0)
    return paragraphs[0] if paragraphs else ""


def judge(case: Scenario, answer: Any) -> list[str]:
    """What is wrong with the last answer of a scenario (empty when nothing is)."""
    text = str(getattr(answer, "answer", "") or "")
    norm = normalize_answer(text)
    problems = [f"missing {f!r}" for f in case.facts if normalize_answer(f) not in norm]
    problems += [f"should not say {a!r}" for a in case.absent if normalize_answer(a) in norm]
    lead = normalize_answer(_first_paragraph(text))
    problems += [f"not stated first {f!r}" for f in case.lead if normalize_answer(f) not in lead]
    grounded = bool(getattr(answer, "grounded", True))
    if case.grounded is not None and grounded != case.grounded:
        problems.append("refused" if case.grounded else "answered (should refuse)")
    if case.cites:
        citations = list(getattr(answer, "citations", None) or [])
        if not any(doc_matches(c.doc, cit) and normalize_text(c.evidence) in normalize_text(cit.text)
                   for c in case.cites for cit in citations):
            problems.append("evidence not cited")
    title = normalize_answer(text.strip().split("\n", 1)[0]) if text.strip() else ""
    problems += [f"subject lacks {t!r}" for t in case.title_has if normalize_answer(t) not in title]
    problems += [f"subject copies {t!r}" for t in case.title_lacks if normalize_answer(t) in title]
    return problems


def run_scenarios(cases: Sequence[Scenario], turn_fn: TurnFn, *,
                  clock: Callable[[], float] = time.perf_counter) -> list[ScenarioResult]:
    """Ask every scenario's turns in a conversation of its own and judge the last answer."""
    results = []
    for case in cases:
        conversation: str | None = None
        answer: Any = None
        latency = 0.0
        for message in case.turns:
            started = clock()
            answer = turn_fn(message, conversation, case.mode)
            latency = (clock() - started) * 1000
            conversation = getattr(answer, "conversation_id", None) or conversation
        results.append(ScenarioResult(id=case.id, split=case.split, kind=case.kind, problems=judge(case, answer),
                                      latency_ms=round(latency, 1), answer=str(getattr(answer, "answer", ""))))
    return results


def figures(results: Sequence[ScenarioResult]) -> ScenarioFigures:
    passed = sum(r.passed for r in results)
    p95 = percentile([r.latency_ms for r in results], 95)
    return ScenarioFigures(cases=len(results), passed=passed, share=passed / len(results) if results else None,
                           latency_p95_ms=None if p95 is None else round(p95, 1))


__all__ = ["Scenario", "ScenarioFigures", "ScenarioResult", "TurnFn", "figures", "judge", "load_scenarios",
           "run_scenarios"]
