"""The types that travel from retrieval and scoring to the channels (CONTRACT.md, POST /api/chat).

::

    AnswerRequest(principal, message, conversation_id, mode, channel)     what a channel asks
        │  Services.answer / Services.stream_answer (bot/services.py)
        ▼
    StreamEvent = TextDelta | ToolEvent | FinalAnswer                      what comes back, in order
        FinalAnswer.answer: Answer(answer, citations, tool_calls, grounded, …)
            Citation.from_hit(retrieval.models.Hit)                        the one place citations are built
            ToolCall(name, args, ok, result: ToolResult)                   a typed result per tool

A tool result is one of the models below, told apart by ``kind``; the score card, explanation,
eligibility report and what-if summary inside them are the ``scoring`` library's own types, the
passages ``retrieval``'s ``Hit``. Renderers (web page, Slack, WeCom, the OpenAI endpoint, the CLI)
read these types and never guess a shape.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from bot.principal import Principal
from retrieval.coverage import Coverage
from retrieval.models import Hit, Jurisdiction
from scoring.cards import ScoreCard
from scoring.eligibility import EligibilityReport
from scoring.explain import Explanation
from scoring.whatif import IndicatorChange, WhatIfResult

Mode = Literal["answer", "draft"]
Channel = Literal["api", "openai", "slack", "wecom", "wecom_aibot", "cli", "eval"]


# -- parks as the router and the tools see them ---------------------------------------------------


class ParkRef(BaseModel):
    """A park of the cohort: its id, name and year, and whether the cohort is SYNTHETIC."""

    park_id: str
    name: str
    year: int | None = None
    synthetic: bool = True


class IndicatorRef(BaseModel):
    code: str
    name: str


# -- citations ------------------------------------------------------------------------------------


class Citation(BaseModel):
    """A passage an answer cites; ``n`` is the number used in the ``[n]`` marker."""

    n: int
    chunk_id: str
    doc: str
    title: str
    section: str
    text: str
    date: str | None = None
    status: str = "in_force"
    issuer: str | None = None
    doc_number: str | None = None
    jurisdiction: Jurisdiction | None = Field(default=None, description="Whose rule: national, a province's or a city's")
    superseded_by: str | None = None
    outdated: str = Field(default="", description="Why the rule may be out of date (superseded, repealed, a plan period "
                                          "or target year passed), as the answer words it; empty when current")

    @classmethod
    def from_hit(cls, hit: Hit, n: int, outdated: str = "") -> Citation:
        """The citation of a search hit (a document without a title is named by its 文号)."""
        return cls(n=n, chunk_id=hit.chunk_id, doc=hit.doc, title=hit.title or hit.doc, section=hit.section,
                   text=hit.text, date=hit.date, status=hit.status, issuer=hit.issuer, doc_number=hit.doc_number,
                   jurisdiction=hit.jurisdiction, superseded_by=hit.superseded_by, outdated=outdated)


# -- tool results ---------------------------------------------------------------------------------


class PolicyPassages(BaseModel):
    """search_policies: passages of the corpus and whether they cover the question."""

    kind: Literal["passages"] = "passages"
    query: str
    query_expanded: str
    hits: list[Hit]
    coverage: Coverage | None = None
    named_docs: list[str] = Field(default_factory=list, description="Documents the query names (文号, 7号文, title words)")
    named_spans: list[str] = Field(default_factory=list, description="The parts of the query that name them")
    unknown_refs: list[str] = Field(default_factory=list,
                                    description="Documents the query names by a number no document has (国发〔2015〕32号, 8号文)")

    @property
    def covered(self) -> bool:
        """False when retrieval says the corpus does not cover the question (or nothing was found)."""
        if self.coverage is not None:
            return self.coverage.covered
        return bool(self.hits)


class ListedPark(ParkRef):
    total: float | None = None
    rank: int | None = Field(default=None, description="Rank in the whole cohort, not among the parks listed")


class ParkListing(BaseModel):
    """list_parks: the parks the caller may see, ranked; ranks are those of the whole cohort."""

    kind: Literal["parks"] = "parks"
    parks: list[ListedPark]
    cohort_size: int
    synthetic: bool
    scoped: bool = Field(description="True when the caller may see only some of the cohort's parks")


class AboutAPark(BaseModel):
    """A result about one park of the cohort (one the caller may see)."""

    park: ParkRef


class ScoreLookup(AboutAPark):
    """score_park: one park's score card."""

    kind: Literal["score_card"] = "score_card"
    card: ScoreCard


class ScoreExplanation(AboutAPark):
    """explain_score: where a park's points come from and where it loses most (scoring.explain)."""

    kind: Literal["explanation"] = "explanation"
    card: ScoreCard
    explanation: Explanation


class Comparison(BaseModel):
    """compare_parks: score cards side by side."""

    kind: Literal["comparison"] = "comparison"
    parks: list[ParkRef]
    cards: list[ScoreCard]


class EligibilityCheck(AboutAPark):
    """check_eligibility: a park of the cohort against the 附1 targets of one category."""

    kind: Literal["eligibility"] = "eligibility"
    eligibility: EligibilityReport


class WhatIfOutcome(AboutAPark):
    """what_if: the cohort recomputed with one park's values changed (scoring.what_if)."""

    kind: Literal["what_if"] = "what_if"
    changes: dict[str, str]
    summary: WhatIfResult
    before: ScoreCard
    after: ScoreCard
    indicators: list[IndicatorChange] = Field(description="The indicators whose value changed, exactly recomputed")


class RuleCheck(BaseModel):
    """check_rule: an enterprise or a person against a rule set of the rule packs (scoring.check_rules)."""

    kind: Literal["rule_check"] = "rule_check"
    rule_set: str
    facts: dict[str, Any]
    report: EligibilityReport


class SecondaryIndicator(BaseModel):
    code: str
    name: str
    source: str = ""
    coefficient: float | None = None


class PrimaryIndicator(BaseModel):
    code: str
    name: str
    weight: float | None = None
    indicators: list[SecondaryIndicator]


class IndicatorSystem(BaseModel):
    """indicator_system: the registry's structure (附2): primaries with weights and their secondaries."""

    kind: Literal["indicator_system"] = "indicator_system"
    registry: str
    title: str
    doc: str
    section: str
    primaries: list[PrimaryIndicator]


class TargetRow(BaseModel):
    """One row of a category's target table (附1): as the rule pack transcribes it, and the passage
    of the index it is printed in (None when the index does not hold that document)."""

    no: int
    fact: str = Field(description="The rule pack's fact id: the same target in another category has the same one")
    name: str
    requirement: str = Field(description="The requirement as printed (\"8%\", \"70万/人\")")
    passage: Hit | None = None


class CategoryTargets(BaseModel):
    """category_targets: every target of one park category (附1), each row with its passage."""

    kind: Literal["targets"] = "targets"
    category: str = Field(description="The category id (world_class, innovative_sci_tech, innovative_featured)")
    name: str
    doc: str
    title: str
    section: str
    rows: list[TargetRow]


class ToolFailure(BaseModel):
    """An expected failure (unknown park, park outside the caller's scope, no index …)."""

    kind: Literal["error"] = "error"
    code: str
    message: str
    wording: str = Field(default="", description="The key of config/assistant/wording.yaml `failures` the message is")
    params: dict[str, str] = Field(default_factory=dict, description="What the message names (to word it in another language)")


ToolResult = Annotated[
    PolicyPassages | ParkListing | ScoreLookup | ScoreExplanation | Comparison | EligibilityCheck | WhatIfOutcome
    | RuleCheck | IndicatorSystem | CategoryTargets | ToolFailure,
    Field(discriminator="kind"),
]


class ToolCall(BaseModel):
    """A call of a deterministic tool and its typed result (numbers come from here, never from a model)."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    result: ToolResult | None = None


# -- answers --------------------------------------------------------------------------------------


class RemovedSentence(BaseModel):
    """A sentence of a model's answer that failed the checks and was not shown, and why."""

    sentence: str
    reason: str


class Fallback(BaseModel):
    """Why a model's answer was replaced by the offline answer."""

    reason: str


class Verification(BaseModel):
    """What the checks on a model's text did: removed sentences, and whether the answer fell back."""

    removed: list[RemovedSentence] = Field(default_factory=list)
    fallback: Fallback | None = None


class Answer(BaseModel):
    conversation_id: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    grounded: bool = True
    mode: Mode = "answer"
    backend: str = "offline"
    intent: str = ""
    notices: list[str] = Field(default_factory=list, description="e.g. guard removals, fallbacks")
    verification: Verification = Field(default_factory=Verification,
                                       description="What the checks on a model's text did (empty in offline mode)")

    def results(self, kind: type[Any]) -> list[Any]:
        """The tool results of one type, in call order (e.g. ``answer.results(ScoreLookup)``)."""
        return [c.result for c in self.tool_calls if c.ok and isinstance(c.result, kind)]


class AnswerRequest(BaseModel):
    """What a channel asks of ``Services.answer``: who asks, what, in which conversation and how."""

    principal: Principal
    message: str
    conversation_id: str | None = Field(default=None, description="The caller's id; stored per principal")
    mode: Mode = "answer"
    channel: Channel


class Turn(BaseModel):
    """One exchange kept in conversation memory."""

    role: Literal["user", "assistant"]
    content: str
    intent: str = ""
    entities: dict[str, Any] = Field(default_factory=dict, description="park ids, category, indicator… for follow-ups")


# -- streaming ------------------------------------------------------------------------------------


class TextDelta(BaseModel):
    """A piece of the answer text, sent when it is ready; the pieces concatenate to ``Answer.answer``."""

    kind: Literal["delta"] = "delta"
    text: str


class ToolEvent(BaseModel):
    """A tool has returned (before the answer that uses it is written)."""

    kind: Literal["tool"] = "tool"
    call: ToolCall


class FinalAnswer(BaseModel):
    """The complete answer; always the last event of a stream."""

    kind: Literal["answer"] = "answer"
    answer: Answer


StreamEvent = Annotated[TextDelta | ToolEvent | FinalAnswer, Field(discriminator="kind")]
