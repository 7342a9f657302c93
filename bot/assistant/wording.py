"""What the answers say, in Chinese and English: config/assistant/wording.yaml as typed models.

The file is data an analyst edits; these models make sure both languages carry every key (a
missing or misspelt key is refused when the file is loaded, naming it) and give the composer and
the tools attribute access (``wording.zh.score.headline``). Numbers never come from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.assistant.config_files import assistant_config, load_yaml_model
from retrieval.models import Jurisdiction

Language = Literal["zh", "en"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Met(_Strict):
    met: str
    not_met: str
    unknown: str

    def of(self, value: bool | None) -> str:
        return self.unknown if value is None else self.met if value else self.not_met


class Overall(_Strict):
    pass_: str = Field(alias="pass")
    fail: str
    incomplete: str

    def of(self, value: str) -> str:
        return {"pass": self.pass_, "fail": self.fail, "incomplete": self.incomplete}.get(value, value)


class JurisdictionWords(_Strict):
    """How a document's level and place read in its label: 国家层面, 广东省, 深圳市."""

    national: str
    province: str
    city: str

    def of(self, level: str, place: str) -> str:
        return str(getattr(self, level, "{place}")).format(place=place) if level in ("national", "province", "city") \
            else place


class PolicyWording(_Strict):
    document: str
    document_untitled: str
    details_separator: str
    passage_head: str
    section_prefix: str
    status: str
    lead: str
    listed: str
    grant: str
    forbid: str
    basis: str
    jurisdiction: JurisdictionWords
    outdated: str

    def document_name(self, title: str, doc: str, date: str | None, jurisdiction: Jurisdiction | None = None) -> str:
        """《title》（文号，date，level/place）— the 文号 is left out when it is the title (a document without
        one); the level reads 国家层面 for national rules, else the province or city (广东省, 青岛市)."""
        place = self.jurisdiction.of(jurisdiction.level, jurisdiction.place) if jurisdiction is not None else ""
        details = [p for p in (doc if doc and doc != title else "", date or "", place) if p]
        if not details:
            return self.document_untitled.format(title=title)
        return self.document.format(title=title, details=self.details_separator.join(details))


class RefusalWording(_Strict):
    not_found: str
    not_stated: str
    topic_named: str
    topic_unnamed: str
    closest: str
    documents_separator: str
    partial: str
    other_year: str
    no_year: str
    year_detail: str
    detail: str  # what a partial answer says is not stated when the question names no detail and no kind
    whose_detail: str  # the kind not stated, of the thing asked, when the quoted sentence is another thing's
    other_place: str
    other_place_docs: str
    not_in_named: str
    not_held: str
    cited_only: str  # a document not held, answered from those citing it


class StatusWords(_Strict):
    superseded: str
    repealed: str
    expired: str
    other: str

    def of(self, status: str) -> str:
        return str(getattr(self, status, self.other)) if status in ("superseded", "repealed", "expired") else self.other


class NotesWording(_Strict):
    vintage: str
    vintage_issued: str
    superseded: str
    no_longer_in_force: str
    also_covered: str
    statuses: StatusWords
    plan_over: str
    target_passed: str


class MetadataWording(_Strict):
    """Answers about a document itself (文号, dates, issuer, status, jurisdiction)."""

    date: str
    date_law: str
    date_history: str
    date_published: str  # adopted, then published (no revision since)
    effective_date: str
    issuer: str
    doc_number: str
    no_doc_number: str
    title: str
    status: str
    jurisdiction: str
    recipients: str
    not_stated: str
    from_record: str
    day: str
    statuses: dict[str, str]
    fields: dict[str, str]


class ScoreWording(_Strict):
    headline: str
    year: str
    latest_year: str
    year_missing: str
    not_rankable: str
    flags_separator: str
    header: list[str]
    basis: str


class ExplainWording(_Strict):
    headline: str
    header: list[str]
    lost: str
    strong: str
    missing: str
    basis: str


class Relation(_Strict):
    lower: str
    higher: str
    same: str


class CompareWording(_Strict):
    headline: str
    header: list[str]
    totals: str
    relation: Relation
    lower_primaries: str
    lower_none: str
    primary_headline: str
    primary_header: list[str]
    primary_cell: str
    lower_indicators: str


class ExplainPrimaryWording(_Strict):
    headline: str
    not_scored: str
    header: list[str]
    missing: str


class TargetsWording(_Strict):
    headline: str
    header: list[str]
    one: str
    compare_headline: str
    compare_first: str
    absent: str
    categories_separator: str
    elsewhere: str
    unlisted: str


class WhatIfWording(_Strict):
    headline: str
    change: str
    header: list[str]
    now: str
    then: str
    indicators_header: list[str]


class EligibilityWording(_Strict):
    headline: str
    header: list[str]
    not_met: str
    missing: str
    near_misses: str


class RuleVerdicts(_Strict):
    pass_: str = Field(alias="pass")
    fail: str
    partly: str
    undecided: str


class RuleWording(_Strict):
    verdict: RuleVerdicts
    headline: str
    header: list[str]
    to_confirm: str
    conditions_separator: str
    source_text: str


class IndicatorSystemWording(_Strict):
    headline: str
    header: list[str]
    secondary: str
    secondary_with_coefficient: str
    secondaries_separator: str
    primary_line: str
    footer: str
    primary_weight: str
    secondary_fact: str
    by_source: str
    indicator_item: str
    items_separator: str


class ParksWording(_Strict):
    headline: str
    headline_scoped: str
    header: list[str]
    more: str


class Failures(_Strict):
    """Tool failures: the tools word them in Chinese for the model; the composer in the question's language."""

    park_forbidden: str
    park_forbidden_account: str
    park_not_found: str
    unknown_category: str
    unknown_category_park: str
    known_separator: str
    no_park_data: str
    no_registry: str
    no_rule_packs: str
    no_changes: str
    index_missing: str
    search_unavailable: str
    unknown_tool: str
    bad_arguments: str
    synthetic_note: str
    scoped_listing: str


class Notices(_Strict):
    llm_unavailable: str
    llm_not_configured: str
    llm_failed: str
    message_too_long: str  # a bot question over limits.max_message_chars ({limit})


class ChatWording(_Strict):
    """Replies to a message that asks nothing of the documents: a greeting or "what can you do", thanks."""

    help: str
    thanks: str


class LanguageWording(_Strict):
    synthetic_banner: str
    score_disclaimer: str
    list_separator: str
    met: Met
    overall: Overall
    policy: PolicyWording
    refusal: RefusalWording
    notes: NotesWording
    metadata: MetadataWording
    score: ScoreWording
    explain: ExplainWording
    compare: CompareWording
    explain_primary: ExplainPrimaryWording
    targets: TargetsWording
    what_if: WhatIfWording
    eligibility: EligibilityWording
    rule: RuleWording
    indicator_system: IndicatorSystemWording
    parks: ParksWording
    failures: Failures
    notices: Notices
    chat: ChatWording


class LetterVerbs(_Strict):
    rule: str
    aim: str
    other: str


class LetterWording(_Strict):
    """The formal reply letter (mode "draft"), always in Chinese."""

    title: str
    title_unnamed: str
    salutation: str
    opening: str
    opening_unnamed: str
    basis_current: str
    basis_dated: str
    point: str
    verbs: LetterVerbs
    numerals: str
    plan_ended: str
    caveat: str
    received: str
    received_unnamed: str
    not_covered: str
    closing: list[str]


class Wording(_Strict):
    zh: LanguageWording
    en: LanguageWording
    letter: LetterWording

    def lang(self, english: bool) -> LanguageWording:
        return self.en if english else self.zh


def default_wording_file() -> Path:
    return assistant_config("wording.yaml")


def load_wording(path: Path | None = None) -> Wording:
    """The wording file (cached); refused with the offending key named if it is incomplete."""
    return load_yaml_model(Wording, path or default_wording_file(), "the answer wording is incomplete or has unknown keys")
