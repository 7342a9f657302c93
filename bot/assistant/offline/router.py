"""The offline router: which tool answers a message, and with which entities.

Rules are data (``config/assistant/intents.yaml``): intent patterns with priorities and the
entities each intent needs, category names and abbreviations, rule checks for enterprises and
persons, indicator aliases. The router itself only applies them:

1. normalise the message (simplified Chinese, half-width, lower case);
2. find entities: a park of the cohort (its id, or its name matched fuzzily with rapidfuzz), the
   附1 categories (longest alias first), a rule check and its number (an age, a percentage), what-if
   changes (``1.2 提高到 900``), and (``park_terms``, offline/park_terms.py) the 附2 primary in
   question, the year asked ("今年" = the latest year of the data), a park or a category that does
   not exist ("SYN-999", "国际一流示范园区": the tools then say so and name the real ones);
3. fill what is missing from the previous turn when the message is a follow-up
   ("那创新型科技园区呢？" keeps the park, or the question about a category's targets; "它排第几？"
   keeps the park; "跟SYN-003比差在哪" compares the previous park with SYN-003, keeping the primary);
4. pick the highest-priority intent whose patterns match (and no `unless` pattern) and whose needs
   are met; a park named with no intent of its own gets its score card; otherwise a policy
   question answered from the documents.

The router is deterministic and knows nothing about retrieval or scoring; the cohort's parks
and the registry's indicators are passed in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from bot.assistant.config_files import assistant_config, load_yaml_model
from bot.assistant.normalize import normalize_message
from bot.assistant.offline.park_terms import ParkTerms, ParkTermsConfig
from bot.assistant.types import IndicatorRef, ParkRef
from retrieval.normalize import detect_language

log = logging.getLogger(__name__)

Intent = Literal["policy", "score", "eligibility", "explain", "what_if", "draft", "list_parks", "rule_check",
                 "indicator_system", "compare", "targets", "help", "thanks"]
PARK_INTENTS = {"score", "eligibility", "explain", "what_if"}
NAMED_PARK_INTENTS = {"score", "compare", "what_if"}  # a park's name here that the cohort lacks is an unknown park


def default_intents_file() -> Path:
    return assistant_config("intents.yaml")


class Change(BaseModel):
    """One what-if change: indicator code and the new value as the user wrote it ("40%", "900")."""

    code: str
    name: str = ""
    value: str


class Route(BaseModel):
    intent: Intent = "policy"
    language: Literal["zh", "en"] = "zh"
    query: str = Field(description="The message, normalised; what the search tool is asked")
    park: ParkRef | None = None
    parks: list[ParkRef] = Field(default_factory=list, description="Every park the message names, in order")
    category: str | None = None
    rule: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    changes: list[Change] = Field(default_factory=list)
    followup: bool = False
    inherited: list[str] = Field(default_factory=list, description="entities taken from the previous turn")
    categories: list[str] = Field(default_factory=list, description="Every 附1 category the message names, in order")
    primary: str | None = Field(default=None, description="The 附2 primary in question (\"国际化\" → \"3\")")
    year: int | Literal["latest"] | None = Field(default=None, description="The year asked; latest for 今年")
    unknown_park: str | None = Field(default=None, description="A park named that the cohort does not have")
    unknown_category: str | None = Field(default=None, description="A park category named that 附1 does not have")
    topic: str = Field(default="", description="The question a follow-up continues (else the message)")

    @property
    def park_asked(self) -> str | None:
        """The park to ask the tools about: the cohort's id, or the unknown name (the tool then says so)."""
        return self.park.park_id if self.park else self.unknown_park

    def entities(self) -> dict[str, Any]:
        """What a later follow-up may reuse."""
        out: dict[str, Any] = {"intent": self.intent, "query": self.query, "topic": self.topic or self.query}
        if self.primary:
            out["primary"] = self.primary
        if len(self.categories) > 1:
            out["categories"] = self.categories
        if self.park:
            out["park"] = self.park.model_dump()
        if len(self.parks) > 1:
            out["parks"] = [p.model_dump() for p in self.parks]
        if self.category:
            out["category"] = self.category
        if self.rule:
            out["rule"] = self.rule
            out["facts"] = self.facts
        return out


class IntentRule(BaseModel):
    priority: int = 0
    needs: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list, description="Patterns that take the intent out of the candidates")


class CategoryRule(BaseModel):
    name: str
    aliases: list[str]


class RuleSpec(BaseModel):
    """A rule check the router recognises: the rule pack's rule set and the fact the number is."""

    subject: str
    rule_set: str = Field(description="The rule set's id in config/scoring/rules (check_rule's rule_set)")
    context: list[str]
    requires_any: list[str] = Field(default_factory=list)
    value: Literal["percent", "age", "years"]
    fact: str = Field(description="The rule set's fact id the number is")


class RouterConfig(BaseModel):
    intents: dict[str, IntentRule]
    followup: dict[str, list[str]] = Field(default_factory=dict)
    categories: dict[str, CategoryRule]
    rules: dict[str, RuleSpec] = Field(default_factory=dict)
    quantity_cues: list[str] = Field(default_factory=list)
    indicator_aliases: dict[str, list[str]] = Field(default_factory=dict)
    vintage: list[dict[str, str]] = Field(default_factory=list)
    park_terms: ParkTermsConfig = Field(default_factory=ParkTermsConfig)

    @classmethod
    def load(cls, path: Path | None = None) -> RouterConfig:
        return load_yaml_model(cls, path or default_intents_file(), "invalid intent rules")


_SUFFIXES = ("国家高新技术产业开发区", "高新技术产业开发区", "高新区", "科技园区", "科技园", "园区", "开发区", "示范区")
_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|个百分点|percent)")
_PCT_CN = re.compile(r"百分之(\d+(?:\.\d+)?)")
_AGE = re.compile(r"(\d{2,3})\s*(周岁|岁)|(?:aged?|age of)\s*(\d{2,3})|(\d{2,3})\s*(?:years?|yrs?)[ -]old")
_YEARS = re.compile(r"(\d{1,2})\s*年(?!龄)|(\d{1,2})\s*-?\s*years?(?! old)")
_CODE = re.compile(r"(?<![\d.])([1-4]\.(?:1[01]|[1-9]))(?![\d.])")
_CHANGE = re.compile(
    r"(?P<subject>[^，,。；;？?]{1,40}?)\s*(?:从[^，,。到]{0,12})?"
    r"(?:提高到|提升到|提高至|提升至|增加到|增加至|增长到|降低到|降到|降至|减少到|达到|变为|变成|改为|改成|调到|调整为|调整到|为|到|raised to|increased to|to)\s*"
    r"(?P<value>\d+(?:\.\d+)?\s*(?:%|％|万元/人|万/人|万元|万|亿元|亿|元/万元|元|个|家|人)?)"
)


class Router:
    """Maps a message (and the previous turn's entities) to a :class:`Route`."""

    def __init__(
        self,
        config: RouterConfig | None = None,
        parks: Sequence[ParkRef] = (),
        indicators: Sequence[IndicatorRef] = (),
        *,
        park_threshold: float = 86.0,
    ) -> None:
        self.config = config or RouterConfig.load()
        self.parks = list(parks)
        self.indicators = list(indicators)
        self.park_threshold = park_threshold
        self._intent_res = {
            name: [re.compile(p) for p in rule.patterns] for name, rule in self.config.intents.items()
        }
        self._unless_res = {
            name: [re.compile(p) for p in rule.unless] for name, rule in self.config.intents.items()
        }
        self._followup_res = [re.compile(p) for p in self.config.followup.get("patterns", [])]
        self._pronoun_res = [re.compile(p) for p in self.config.followup.get("park_pronouns", [])]
        aliases = [
            (normalize_message(alias), cat_id)
            for cat_id, cat in self.config.categories.items()
            for alias in [cat.name, *cat.aliases]
        ]
        self._category_aliases = sorted(set(aliases), key=lambda a: -len(a[0]))
        self._park_keys = [(p, _park_core(normalize_message(p.name))) for p in self.parks]
        self.terms = ParkTerms(self.config.park_terms, self.parks, [a for a, _ in aliases])

    # -- entities ----------------------------------------------------------------------------

    def find_park(self, text: str) -> tuple[ParkRef | None, str]:
        """The park named in ``text`` (id or fuzzy name) and the span to blank out, or (None, "")."""
        for park in self.parks:
            if self._id_in(park, text):
                return park, park.park_id.lower()
        best: tuple[float, int, ParkRef | None, str] = (0.0, 0, None, "")
        for park, core in self._park_keys:
            full = normalize_message(park.name)
            if full and full in text:
                return park, full
            if len(core) < 2:
                continue
            score = fuzz.partial_ratio(core, text)
            if len(core) <= 3 and core not in text:
                continue  # two or three characters must match exactly, or noise matches
            if score >= self.park_threshold and (score, len(core)) > best[:2]:
                best = (score, len(core), park, core)
        return best[2], best[3]

    def _outside_scope(self, route: Route, text: str, may_read: Callable[[str], bool]) -> None:
        """A park the asker may not see, named by its name rather than its id, is taken for a park
        the cohort does not have, named as the asker wrote it: the answer is then the same as for
        any unknown name and tells nothing of that park, not even its id. (An id the asker wrote
        is kept: the refusal repeats only what was asked.)"""
        hidden = [p for p in route.parks or ([route.park] if route.park else [])
                  if not may_read(p.park_id) and not self._id_in(p, text)]
        if not hidden:
            return
        route.parks = [p for p in route.parks if p not in hidden]
        route.park = route.parks[0] if route.parks else None
        if route.unknown_park is None:
            route.unknown_park = self._as_written(hidden[0], text)

    def _as_written(self, park: ParkRef, text: str) -> str:
        """How ``text`` names a park: the part its name was matched in, with the suffix that follows
        it (高新区 …), so a reply repeats the asker's words and not the park's own name."""
        core = next(c for p, c in self._park_keys if p.park_id == park.park_id)
        found = fuzz.partial_ratio_alignment(core, text)
        start, end = (found.dest_start, found.dest_end) if found else (0, len(text))
        rule = self.config.park_terms.park_names
        suffixes = sorted({*_SUFFIXES, *(rule.suffixes if rule else [])}, key=len, reverse=True)
        suffix = next((s for s in suffixes if text.startswith(s, end)), "")
        return text[start:end] + suffix

    @staticmethod
    def _id_in(park: ParkRef, text: str) -> bool:
        return re.search(rf"(?<![0-9a-z_-]){re.escape(park.park_id.lower())}(?![0-9a-z_-])", text) is not None

    def find_parks(self, text: str) -> list[ParkRef]:
        """Every park ``text`` names (ids and names), in order of appearance, each once."""
        found: list[tuple[int, ParkRef]] = []
        rest = text
        while True:
            park, span = self.find_park(rest)
            if park is None or not span or any(p.park_id == park.park_id for _, p in found):
                break
            found.append((text.find(span), park))
            rest = rest.replace(span, " ")
        return [p for _, p in sorted(found, key=lambda f: f[0])]

    def find_category(self, text: str) -> str | None:
        found = self.find_categories(text)
        return found[0] if found else None

    def find_categories(self, text: str) -> list[str]:
        """Every 附1 category ``text`` names, in order of appearance (longest alias first, each once)."""
        found: list[tuple[int, str]] = []
        for alias, cat_id in self._category_aliases:
            at = text.find(alias) if alias else -1
            if at >= 0 and all(c != cat_id for _, c in found):
                found.append((at, cat_id))
                text = text.replace(alias, " " * len(alias))  # 创新型特色园区 is not also 特色园区
        return [c for _, c in sorted(found)]

    def find_rule(self, text: str) -> tuple[str | None, dict[str, Any]]:
        for rule_id, spec in self.config.rules.items():
            if not any(normalize_message(c) in text for c in spec.context):
                continue
            if spec.requires_any and not any(normalize_message(c) in text for c in spec.requires_any):
                continue
            value = _extract_value(text, spec.value)
            if value is not None:
                return rule_id, {spec.fact: value, "subject": spec.subject}
        return None, {}

    def find_changes(self, text: str) -> list[Change]:
        changes: list[Change] = []
        for m in _CHANGE.finditer(text):
            subject = m.group("subject")
            ref = self._indicator_in(subject)
            if ref and not any(c.code == ref.code for c in changes):
                changes.append(Change(code=ref.code, name=ref.name, value=re.sub(r"\s+", "", m.group("value"))))
        return changes

    def _indicator_in(self, subject: str) -> IndicatorRef | None:
        code = _CODE.search(subject)
        by_code = {i.code: i for i in self.indicators}
        if code:
            return by_code.get(code.group(1), IndicatorRef(code=code.group(1), name=""))
        for ind_code, aliases in self.config.indicator_aliases.items():
            if any(normalize_message(a) in subject for a in aliases):
                return by_code.get(ind_code, IndicatorRef(code=ind_code, name=""))
        best: tuple[float, IndicatorRef | None] = (0.0, None)
        for ind in self.indicators:
            name = normalize_message(ind.name)
            score = fuzz.partial_ratio(name, subject) if len(subject) >= 4 else 0.0
            if score >= 80 and score > best[0]:
                best = (score, ind)
        return best[1]

    def matches(self, intent: str, text: str) -> bool:
        """Whether one of ``intent``'s patterns matches the (normalised) text and none of its ``unless``."""
        return (any(r.search(text) for r in self._intent_res.get(intent, []))
                and not any(r.search(text) for r in self._unless_res.get(intent, [])))

    def is_followup(self, text: str) -> bool:
        return any(r.search(text) for r in self._followup_res)

    def refers_back(self, text: str) -> bool:
        return any(r.search(text) for r in self._pronoun_res)

    # -- routing -----------------------------------------------------------------------------

    def route(self, message: str, previous: dict[str, Any] | None = None, *, mode: str = "answer",
              may_read: Callable[[str], bool] | None = None) -> Route:
        """Read a message; ``may_read`` is the asker's park scope (see ``_outside_scope``)."""
        text = normalize_message(message)
        route = Route(query=text, language=detect_language(message))
        park, span = self.find_park(text)
        rest = text.replace(span, " ") if span else text
        route.park = park
        route.parks = self.find_parks(text) if park is not None else []
        route.categories = self.find_categories(rest)
        route.category = route.categories[0] if route.categories else None
        explicit_category = route.category is not None
        route.primary = self.terms.primary(text)
        route.year = self.terms.year(text)
        route.topic = text
        route.unknown_park = self.terms.unknown_park_id(text)
        if may_read is not None:
            self._outside_scope(route, text, may_read)
        route.rule, route.facts = self.find_rule(rest)
        if self.indicators or self.config.indicator_aliases:
            route.changes = self.find_changes(rest)
        route.followup = bool(previous) and self.is_followup(text)

        matched = [(self.config.intents[name].priority, name) for name in self._intent_res if self.matches(name, text)]
        matched.sort(reverse=True)
        names = [n for _, n in matched]

        prev = previous or {}
        prev_intent = prev.get("intent")
        prev_park = ParkRef.model_validate(prev["park"]) if prev.get("park") else None
        if route.park is None and route.unknown_park is None and set(names) & NAMED_PARK_INTENTS:
            route.unknown_park = self.terms.unknown_park_name(rest)
        # A follow-up or a pronoun keeps the previous park; a park-less message after a park turn
        # that asks a park question ("它排第几？") keeps it too.
        if route.park is None and route.unknown_park is None and prev_park is not None and (
            route.followup or self.refers_back(text) or (set(names) & PARK_INTENTS)
        ):
            route.park = prev_park
            route.inherited.append("park")
        # "跟SYN-003比差在哪" after a turn about SYN-010 compares the two
        if ("compare" in names and len(route.parks) == 1 and prev_park is not None
                and prev_park.park_id != route.parks[0].park_id):
            route.parks = [prev_park, *route.parks]
            route.park = prev_park
            route.inherited.append("park")
        if route.primary is None and prev.get("primary") and "park" in route.inherited:
            route.primary = prev["primary"]
            route.inherited.append("primary")
        # two parks asked about one thing ("SYN-004和SYN-005哪个综合得分高") are compared
        if len(route.parks) + (route.unknown_park is not None) > 1 and set(names) & {"score", "explain"} \
                and "compare" not in names:
            names.insert(0, "compare")
        if route.category is None and prev.get("category") and (
            route.followup or (route.park is not None and "eligibility" in names)
        ):
            route.category = prev["category"]
            route.inherited.append("category")
        if mode == "draft":
            route.intent = "draft"
            return route
        # A follow-up that names no intent of its own continues the previous one, and its question.
        if route.followup and prev_intent and not (set(names) - {"policy"}):
            names = [prev_intent]
            route.topic = prev.get("topic") or prev.get("query") or text
            if route.primary is None and prev.get("primary"):
                route.primary = prev["primary"]
                route.inherited.append("primary")
        if route.category is None and (
                (route.park is not None and "eligibility" in names) or (route.park is None and "targets" in names)):
            route.unknown_category = self.terms.unknown_category(rest)
        # A category named after a park turn ("创新型特色园区呢？") is an eligibility check, unless
        # the message asks another park question of its own.
        if (
            explicit_category
            and route.park
            and "eligibility" not in names
            and not (set(names) & (PARK_INTENTS - {"eligibility"}))
        ):
            names.insert(0, "eligibility")
        for name in names:
            if self._satisfied(name, route):
                route.intent = name  # type: ignore[assignment]
                return route
        # parks named in a message that asks nothing the rules know are asked about: their score cards
        named = len(route.parks) + (route.unknown_park is not None) if "park" not in route.inherited else 0
        if named:
            route.intent = "compare" if named > 1 else "score"
            return route
        route.intent = "policy"
        return route

    def _satisfied(self, intent: str, route: Route) -> bool:
        rule = self.config.intents.get(intent)
        if rule is None:
            return False
        for need in rule.needs:
            if need == "park" and route.park_asked is None:
                return False
            if need == "category" and route.category is None and route.unknown_category is None:
                return False
            if need == "rule" and route.rule is None:
                return False
            if need == "parks" and len(route.parks) + (route.unknown_park is not None) < 2:
                return False
        if intent == "what_if" and not route.changes:
            return False
        return True

    def category_name(self, category_id: str | None) -> str:
        if not category_id:
            return ""
        cat = self.config.categories.get(category_id)
        return cat.name if cat else category_id


def _park_core(name: str) -> str:
    core = re.sub(r"[（(][^）)]*[）)]", "", name).strip()  # "(SYNTHETIC)" and similar tags
    for suffix in _SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            return core[: -len(suffix)]
    return core


def _extract_value(text: str, kind: str) -> float | int | None:
    if kind == "percent":
        m = _PCT.search(text) or _PCT_CN.search(text)
        return round(float(m.group(1)) / 100, 6) if m else None
    if kind == "age":
        m = _AGE.search(text)
        if not m:
            return None
        return int(next(g for g in (m.group(1), m.group(3), m.group(4)) if g))
    if kind == "years":
        m = _YEARS.search(text)
        if not m:
            return None
        return int(next(g for g in m.groups() if g))
    return None
