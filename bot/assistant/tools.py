"""The deterministic tools, each defined once: name, description, argument model and function.

The offline router and the LLM agent both call them through :class:`Toolbox`, which is bound to
the :class:`~bot.principal.Principal` who asks: a park outside the principal's scope yields a
:class:`~bot.assistant.types.ToolFailure` ("此令牌无权查看 SYN-002") and nothing of that park,
whichever channel and whichever answer mode asked. Listings show only the parks in scope, with
their ranks in the whole cohort.

    search_policies(query, k, doc)      passages of the corpus + the coverage signal
    indicator_system()                  the 附2 indicator system (primaries, weights, secondaries)
    category_targets(category)          the 附1 targets of one park category, each row with its passage
    list_parks()                        the parks the caller may see, ranked in the cohort
    score_park(park)                    score card (total, rank, primaries, indicators)
    explain_score(park)                 where the points come from and where they are lost
    compare_parks(parks)                score cards side by side
    check_eligibility(park, category)   附1 targets of one category: pass / fail / incomplete
    what_if(park, changes)              the cohort recomputed with changed indicator values
    check_rule(rule_set, facts)         an enterprise or a person against a rule set

A tool returns a :class:`ToolOutcome`: a short ``text`` for a language model and a typed
``result`` for the composer and the channels. Expected failures (unknown park, park out of scope,
no index, bad value) come back as a ``ToolFailure`` result, never as an exception. The ports are
:class:`PolicySearch` (``retrieval.search.Searcher`` has its method) and
:class:`~bot.assistant.parks.ParkData`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz

from bot.assistant.normalize import normalize_message
from bot.assistant.parks import ParkData, visible_result
from bot.assistant.types import (
    CategoryTargets,
    Comparison,
    EligibilityCheck,
    IndicatorSystem,
    ListedPark,
    ParkListing,
    ParkRef,
    PolicyPassages,
    RuleCheck,
    ScoreExplanation,
    ScoreLookup,
    ToolCall,
    ToolFailure,
    ToolResult,
    WhatIfOutcome,
)
from bot.assistant.wording import Failures, load_wording
from bot.principal import Principal
from retrieval.docrefs import cites
from retrieval.models import Hit
from retrieval.search import MAX_QUERY_CHARS

log = logging.getLogger(__name__)

SEARCH_K_LIMIT = 8
EXPLAIN_TOP = 3
KNOWN_PARKS_SHOWN = 6


class PolicySearch(Protocol):
    """What the tools need from retrieval: ``retrieval.search.Searcher.run`` → a result with
    ``hits`` (``Hit``), ``coverage`` (``Coverage``) and ``query.expanded``; ``Searcher.section`` →
    every passage of one section of a document (a table's rows), in reading order."""

    def run(self, query: str, k: int | None = None, filters: Mapping[str, Any] | None = None) -> Any: ...

    def section(self, doc: str, section: str) -> list[Hit]: ...


# -- argument models (what the LLM agent sees as the tools' schemas) --------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    pass


class SearchArgs(_Args):
    query: str = Field(min_length=1, description="The question in Chinese, in the documents' wording where possible.")
    k: int = Field(default=5, ge=1, le=SEARCH_K_LIMIT, description="How many passages to return.")
    doc: str | None = Field(default=None, description="Optional 文号 (e.g. 国发〔2020〕7号) to search within one document.")
    jurisdiction: str | None = Field(default=None, description="Optional: only documents of national, province, city "
                                     "or one place (广东省, 青岛市).")


class ParkArgs(_Args):
    park: str = Field(min_length=1, description="The park's id or name as listed by list_parks.")


class CategoryArgs(_Args):
    category: str = Field(description="世界一流高科技园区, 创新型科技园区 or 创新型特色园区 "
                          "(or world_class, innovative_sci_tech, innovative_featured).")


class CompareArgs(_Args):
    parks: list[str] = Field(min_length=2, max_length=10, description="Two or more park ids or names.")


class EligibilityArgs(ParkArgs):
    category: str = Field(description="世界一流高科技园区, 创新型科技园区 or 创新型特色园区 "
                          "(or world_class, innovative_sci_tech, innovative_featured).")


class WhatIfArgs(ParkArgs):
    changes: dict[str, str] = Field(description='Indicator code or name → new value as text, e.g. {"1.2": "900", "2.2": "35%"}.')


class RuleArgs(_Args):
    rule_set: str = Field(description="The rule set's id, e.g. hte_rd_intensity, work_permit_age, residence_permit.")
    facts: dict[str, Any] = Field(description='Facts by the rule set\'s fact ids, e.g. {"rd_intensity": "4.5%"} or {"age": 63}.')


# -- the definitions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolSpec:
    """One tool: what the agent is told (name, description, argument model) and the Toolbox method."""

    name: str
    description: str
    args: type[BaseModel]
    method: Callable[..., ToolOutcome]


TOOLS: dict[str, ToolSpec] = {}


def tool(args: type[BaseModel]) -> Callable[[Callable[..., ToolOutcome]], Callable[..., ToolOutcome]]:
    """Register a Toolbox method as a tool; its docstring's first paragraph is the description."""

    def register(method: Callable[..., ToolOutcome]) -> Callable[..., ToolOutcome]:
        doc = (method.__doc__ or "").strip().split("\n\n")[0]
        TOOLS[method.__name__] = ToolSpec(method.__name__, " ".join(doc.split()), args, method)
        return method

    return register


@dataclass
class ToolOutcome:
    """``text`` is what a model reads; ``result`` is what the composer and the channels render."""

    name: str
    args: dict[str, Any]
    text: str
    result: ToolResult
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not isinstance(self.result, ToolFailure)

    @property
    def call(self) -> ToolCall:
        return ToolCall(name=self.name, args=self.args, ok=self.ok, result=self.result)


# -- the toolbox -------------------------------------------------------------------------------------


class Toolbox:
    """The tools over one searcher and one cohort, acting for one principal."""

    def __init__(self, search: PolicySearch | None, parks: ParkData | None, principal: Principal) -> None:
        self.search = search
        self.park_data = parks
        self.principal = principal
        self.failures: Failures = load_wording().zh.failures

    def acting_for(self, principal: Principal) -> Toolbox:
        """The same tools for another principal (cheap: the ports are shared)."""
        return Toolbox(self.search, self.park_data, principal)

    @staticmethod
    def specs() -> list[ToolSpec]:
        return list(TOOLS.values())

    def run(self, name: str, args: Mapping[str, Any]) -> ToolOutcome:
        """Call a tool by name with unvalidated arguments (what a model sends)."""
        spec = TOOLS.get(name)
        if spec is None:
            return self._fail(name, dict(args), "unknown_tool", tool=name,
                              known=", ".join(TOOLS))
        try:
            parsed = spec.args.model_validate(dict(args))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            return self._fail(name, dict(args), "bad_arguments", problems=problems)
        outcome: ToolOutcome = spec.method(self, **parsed.model_dump())
        return outcome

    # -- helpers -----------------------------------------------------------------------------------

    def _fail(self, name: str, args: dict[str, Any], code: str, *, wording: str | None = None, **params: Any) -> ToolOutcome:
        """A failure worded by ``failures.<wording>`` (default: the code) of the wording file, else ``{message}``."""
        wording = code if wording is None else wording
        template = getattr(self.failures, wording, "{message}") if wording else "{message}"
        text = template.format(**params)
        return ToolOutcome(name, args, text, ToolFailure(code=code, message=text, wording=wording if wording in
                                                         Failures.model_fields else "",
                                                         params={k: str(v) for k, v in params.items()}))

    def _library_error(self, name: str, args: dict[str, Any], exc: Exception) -> ToolOutcome:
        """A library's own error (it carries a ``code`` and a message naming the fix) as a failure."""
        code = getattr(exc, "code", None)
        if code is None:
            raise exc
        return self._fail(name, args, str(code), wording="", message=exc)

    def _visible(self) -> list[ParkRef]:
        parks = self.park_data.parks() if self.park_data is not None else []
        return [p for p in parks if self.principal.may_read_park(p.park_id)]

    def resolve_park(self, park: str) -> ParkRef | None:
        """A park of the cohort by id, or by (fuzzy) name among the parks the principal may see: a
        park outside its scope is known only by its id, so a refusal never tells a name's id."""
        if self.park_data is None:
            return None
        key = normalize_message(park)
        for p in self.park_data.parks():
            if p.park_id.lower() == key:
                return p
        parks = self._visible()
        for p in parks:
            if normalize_message(p.name) == key:
                return p
        scored = sorted(((fuzz.WRatio(key, normalize_message(p.name)), p) for p in parks), key=lambda s: -s[0])
        return scored[0][1] if scored and scored[0][0] >= 80 else None

    def _park(self, name: str, args: dict[str, Any], park: str) -> ParkRef | ToolOutcome:
        """The park the caller may read, or the failure to return (unknown, or out of scope)."""
        if self.park_data is None:
            return self._fail(name, args, "no_park_data")
        ref = self.resolve_park(park)
        if ref is None:
            visible = sorted(self._visible(), key=lambda p: p.park_id)
            known = self.failures.known_separator.join(f"{p.park_id} {p.name}" for p in visible[:KNOWN_PARKS_SHOWN])
            return self._fail(name, args, "park_not_found", park=park.strip(), known=known, size=len(visible),
                              first=visible[0].park_id if visible else "—", last=visible[-1].park_id if visible else "—",
                              synthetic=str(any(p.synthetic for p in visible)).lower())
        if not self.principal.may_read_park(ref.park_id):
            log.info("%s refused for %s: park outside its scope", name, self.principal.key)
            wording = "park_forbidden" if self.principal.kind == "token" else "park_forbidden_account"
            return self._fail(name, args, "park_forbidden", wording=wording, park=park.strip())
        return ref

    # -- policies ------------------------------------------------------------------------------------

    @tool(SearchArgs)
    def search_policies(self, query: str, k: int = 5, doc: str | None = None,
                        jurisdiction: str | None = None) -> ToolOutcome:
        """Search the policy documents; returns numbered passages to cite as [n]."""
        filters = ({"doc": doc} if doc else {}) | ({"jurisdiction": jurisdiction} if jurisdiction else {})
        args: dict[str, Any] = {"query": query, "k": k} | filters
        if self.search is None:
            return self._fail("search_policies", args, "index_missing")
        if len(query) > MAX_QUERY_CHARS:  # a long message (within the chat limit) searches with its head
            log.info("search query of %d characters searched with its first %d", len(query), MAX_QUERY_CHARS)
            query = query[:MAX_QUERY_CHARS]
        t0 = time.perf_counter()
        try:
            found = self.search.run(query, k, filters or None)
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code is None:
                raise
            log.warning("search failed: %s", exc)
            wording = "index_missing" if code == "index_missing" else "search_unavailable"
            return self._fail("search_policies", args, str(code), wording=wording, reason=exc)
        ms = (time.perf_counter() - t0) * 1000
        expanded = getattr(getattr(found, "query", None), "expanded", None) or query
        result = PolicyPassages(query=query, query_expanded=expanded, hits=list(found.hits),
                                coverage=getattr(found, "coverage", None),
                                named_docs=list(getattr(found, "named_docs", None) or []),
                                named_spans=list(getattr(found, "named_spans", None) or []),
                                unknown_refs=list(getattr(found, "unknown_refs", None) or []))
        lines = [f"[{i}] {h.doc} {h.section} (chunk {h.chunk_id}): {h.text[:400]}" for i, h in enumerate(result.hits, 1)]
        if result.unknown_refs and not result.named_docs:
            citing = [str(i) for i, h in enumerate(result.hits, 1) if any(cites(h.text, r) for r in result.unknown_refs)]
            lines.insert(0, f"NOTE: the corpus holds no document numbered {'、'.join(result.unknown_refs)}; "
                            "these passages are from other documents." + (
                                f" Passages {', '.join(f'[{i}]' for i in citing)} cite it: what they say of it may be "
                                "quoted, saying the document itself is not in the corpus; its own date, issuer or "
                                "content beyond that is not known." if citing else ""))
        if not result.covered:
            lines.insert(0, "NOTE: the corpus probably does not cover this question (the coverage signal: no passage close enough).")
        log.info("search_policies %r: %d hits in %.1f ms", query[:40], len(result.hits), ms)
        return ToolOutcome("search_policies", args, "\n".join(lines) or "没有找到相关条文。", result, ms)

    def find_clause(self, doc: str, section: str, hint: str) -> Hit | None:
        """The passage a tool result rests on (see :func:`find_clause`)."""
        return find_clause(self.search, doc, section, hint)

    # -- the cohort ----------------------------------------------------------------------------------

    @tool(NoArgs)
    def indicator_system(self) -> ToolOutcome:
        """The evaluation indicator system (附2): primary indicators with weights and their secondaries."""
        if self.park_data is None:
            return self._fail("indicator_system", {}, "no_registry")
        outline: IndicatorSystem = self.park_data.indicator_system()
        text = "\n".join(
            f"{p.code} {p.name} {p.weight}%: " + "、".join(f"{i.code}{i.name}" for i in p.indicators)
            for p in outline.primaries
        )
        return ToolOutcome("indicator_system", {}, text, outline)

    def _category(self, key: str) -> CategoryTargets | None:
        wanted = normalize_message(key)
        for cat in self.park_data.categories() if self.park_data is not None else []:
            if wanted in (normalize_message(cat.category), normalize_message(cat.name)):
                return cat
        return None

    def _unknown_category(self, name: str, args: dict[str, Any], category: str, park: str = "") -> ToolOutcome:
        """A category 附1 does not have: the failure names the categories there are (and the park asked about)."""
        cats = self.park_data.categories() if self.park_data is not None else []
        return self._fail(name, args, "unknown_category", wording="unknown_category_park" if park else None,
                          park=park.strip(), category=category.strip(),
                          known=self.failures.known_separator.join(c.name for c in cats),
                          count=len(cats), doc=cats[0].doc if cats else "", section=cats[0].section.split()[0] if cats else "")

    @tool(CategoryArgs)
    def category_targets(self, category: str) -> ToolOutcome:
        """The targets a park category must reach (附1), every row, each with the passage it is printed in."""
        args = {"category": category}
        if self.park_data is None:
            return self._fail("category_targets", args, "no_rule_packs")
        cat = self._category(category)
        if cat is None:
            return self._unknown_category("category_targets", args, category)
        passages = self.section_passages(cat.doc, cat.section)
        rows = [row.model_copy(update={"passage": row_passage(passages, row.name, row.requirement)}) for row in cat.rows]
        result = cat.model_copy(update={"rows": rows})
        text = f"{cat.name} ({cat.doc} {cat.section}):\n" + "\n".join(
            f"{r.no}. {r.name}: {r.requirement}" + (f" (chunk {r.passage.chunk_id})" if r.passage else "") for r in rows)
        return ToolOutcome("category_targets", args, text, result)

    def section_passages(self, doc: str, section: str) -> list[Hit]:
        """Every passage of a section (a table's rows); empty when the index does not hold it."""
        if self.search is None or not doc:
            return []
        try:
            return list(self.search.section(doc, section))
        except Exception as exc:  # e.g. the document is indexed under another 文号
            if getattr(exc, "code", None) is None:
                raise
            log.info("section %s %s not in the index: %s", doc, section, exc)
            return []

    @tool(NoArgs)
    def list_parks(self) -> ToolOutcome:
        """List the parks of the (SYNTHETIC sample) cohort that you may see, with their ids and cohort ranks."""
        if self.park_data is None:
            return self._fail("list_parks", {}, "no_park_data")
        everyone = self.park_data.parks()
        listed = []
        for p in self._visible():
            try:
                card = self.park_data.score_card(p.park_id)
                total, rank = card.total, card.rank
            except Exception as exc:  # a cohort that cannot be scored is still listed
                if getattr(exc, "code", None) is None:
                    raise
                total, rank = None, None
            listed.append(ListedPark(**p.model_dump(), total=total, rank=rank))
        listed.sort(key=lambda p: (p.rank is None, p.rank or 0, p.park_id))
        result = ParkListing(parks=listed, cohort_size=len(everyone), synthetic=any(p.synthetic for p in everyone),
                             scoped=len(listed) < len(everyone))
        lines = [f"{p.park_id} {p.name} {p.year or ''} total {p.total} rank {p.rank}/{result.cohort_size}" for p in listed]
        head = [self.failures.synthetic_note] if result.synthetic else []
        if result.scoped:
            head.append(self.failures.scoped_listing.format(shown=len(listed), size=result.cohort_size))
        return ToolOutcome("list_parks", {}, "\n".join(head + lines), result)

    def _about_park(self, name: str, args: dict[str, Any], park: str,
                    compute: Callable[[ParkRef], tuple[str, ToolResult] | ToolOutcome]) -> ToolOutcome:
        """A park tool: the park checked against the caller's scope, then ``compute`` → (text, result)."""
        ref = self._park(name, args, park)
        if isinstance(ref, ToolOutcome):
            return ref
        try:
            computed = compute(ref)
        except Exception as exc:
            return self._library_error(name, args, exc)
        if isinstance(computed, ToolOutcome):
            return computed
        text, result = computed
        return ToolOutcome(name, args, text, visible_result(result, self.principal))

    @tool(ParkArgs)
    def score_park(self, park: str) -> ToolOutcome:
        """Score one park of the cohort with ParkBot's documented method (total, rank, primaries)."""

        def compute(ref: ParkRef) -> tuple[str, ToolResult]:
            card = self.park_data.score_card(ref.park_id)  # type: ignore[union-attr]
            text = (
                f"{card.name} ({card.park_id}): total {card.total}, rank {card.rank} of {card.cohort_size}; primaries "
                + "; ".join(f"{p.code} {p.name} {p.score}" for p in card.primaries)
                + f". registry {card.registry}, method {card.method}."
                + (f" ({self.failures.synthetic_note})" if card.synthetic else "")
            )
            return text, ScoreLookup(park=ref, card=card)

        return self._about_park("score_park", {"park": park}, park, compute)

    @tool(ParkArgs)
    def explain_score(self, park: str) -> ToolOutcome:
        """Explain a park's score: where its points come from and where it loses most."""

        def compute(ref: ParkRef) -> tuple[str, ToolResult]:
            card = self.park_data.score_card(ref.park_id)  # type: ignore[union-attr]
            why = self.park_data.explain(ref.park_id, EXPLAIN_TOP)  # type: ignore[union-attr]
            text = (
                f"{why.name}: total {why.total}, rank {why.rank}. Most points lost on: "
                + "; ".join(f"{e.code} {e.name} headroom {e.headroom}" for e in why.losses)
                + ". Largest contributions: "
                + "; ".join(f"{e.code} {e.name} {e.contribution}" for e in why.strengths)
                + (f". Missing: {', '.join(why.missing)}" if why.missing else "")
            )
            return text, ScoreExplanation(park=ref, card=card, explanation=why)

        return self._about_park("explain_score", {"park": park}, park, compute)

    @tool(CompareArgs)
    def compare_parks(self, parks: list[str]) -> ToolOutcome:
        """Compare the score cards of two or more parks side by side (totals, ranks, primaries)."""
        args = {"parks": list(parks)}
        refs: list[ParkRef] = []
        for park in parks:
            ref = self._park("compare_parks", args, park)
            if isinstance(ref, ToolOutcome):
                return ref
            if ref not in refs:
                refs.append(ref)
        try:
            cards = [self.park_data.score_card(r.park_id) for r in refs]  # type: ignore[union-attr]
        except Exception as exc:
            return self._library_error("compare_parks", args, exc)
        text = "\n".join(
            f"{c.name} ({c.park_id}): total {c.total}, rank {c.rank} of {c.cohort_size}; "
            + "; ".join(f"{p.code} {p.name} {p.score}" for p in c.primaries)
            for c in cards
        )
        return ToolOutcome("compare_parks", args, text,
                           visible_result(Comparison(parks=refs, cards=cards), self.principal))

    @tool(EligibilityArgs)
    def check_eligibility(self, park: str, category: str) -> ToolOutcome:
        """Check a park against the 附1 targets of one category (到2020年 targets)."""

        args = {"park": park, "category": category}

        def compute(ref: ParkRef) -> tuple[str, ToolResult] | ToolOutcome:
            if self._category(category) is None:
                return self._unknown_category("check_eligibility", args, category, ref.park_id)
            report = self.park_data.eligibility(ref.park_id, category)  # type: ignore[union-attr]
            targets = "".join(
                f"\n- {t.name}: threshold {t.threshold} {t.unit or ''}, value {t.value}, met {t.met}, gap {t.gap}"
                for t in report.targets
            )
            text = (
                f"{ref.name} vs {report.category}: {report.overall}. "
                + (f"Not met: {', '.join(report.failing)}. " if report.failing else "")
                + (f"Missing data: {', '.join(report.missing)}. " if report.missing else "")
                + f"Source: {report.citation.doc} {report.citation.section}."
                + (f"\nTargets (ratios are fractions):{targets}" if targets else "")
            )
            return text, EligibilityCheck(park=ref, eligibility=report)

        return self._about_park("check_eligibility", args, park, compute)

    @tool(WhatIfArgs)
    def what_if(self, park: str, changes: dict[str, str]) -> ToolOutcome:
        """Recompute a park's score with some indicator values changed (exact, the whole cohort rescored)."""
        args = {"park": park, "changes": dict(changes)}

        def compute(ref: ParkRef) -> tuple[str, ToolResult] | ToolOutcome:
            if not changes:
                return self._fail("what_if", args, "no_changes")
            summary, before, after, rows = self.park_data.what_if(ref.park_id, changes)  # type: ignore[union-attr]
            text = (
                f"{ref.name}: total {summary.total_before} → {summary.total_after}, rank {summary.rank_before} → "
                f"{summary.rank_after} (recomputed with {dict(changes)})."
            )
            return text, WhatIfOutcome(park=ref, changes=dict(changes), summary=summary, before=before, after=after,
                                       indicators=rows)

        return self._about_park("what_if", args, park, compute)

    @tool(RuleArgs)
    def check_rule(self, rule_set: str, facts: dict[str, Any]) -> ToolOutcome:
        """Check an enterprise or a person against a rule set of the policy rule packs (R&D share, foreign talent age …)."""
        args = {"rule_set": rule_set, "facts": dict(facts)}
        if self.park_data is None:
            return self._fail("check_rule", args, "no_rule_packs")
        try:
            report = self.park_data.check_rule(rule_set, facts)
        except Exception as exc:
            return self._library_error("check_rule", args, exc)
        lines = [f"{t.name}: requirement {t.requirement or t.threshold}, value {t.value}, met {t.met}" for t in report.targets]
        text = (
            f"{report.category}: {report.overall}. " + "; ".join(lines)
            + (f". To confirm: {', '.join(report.missing)}" if report.missing else "")
            + f". Source: {report.citation.doc} {report.citation.section}."
        )
        return ToolOutcome("check_rule", args, text, RuleCheck(rule_set=rule_set, facts=dict(facts), report=report))


def find_clause(search: PolicySearch | None, doc: str, section: str, hint: str) -> Hit | None:
    """The passage a tool result rests on: in ``doc``, the passage of the section ``section`` that best
    matches ``hint`` (read from the section itself, no search); else, searching, one of its parent or
    child sections; failing that, a passage that contains ``hint`` nearly verbatim."""
    if search is None:
        return None
    if doc and section:
        try:
            passages = list(search.section(doc, section))
        except Exception as exc:  # e.g. the document is indexed under another 文号
            if getattr(exc, "code", None) is None:
                raise
            passages = []
        if passages:
            key = normalize_message(hint)
            scores = [fuzz.partial_ratio(key, normalize_message(p.text)) for p in passages]
            return passages[max(range(len(passages)), key=lambda i: (scores[i], -i))]
    hits: list[Hit] = []
    if doc:
        try:
            hits = list(search.run(hint, 10, {"doc": doc}).hits)
        except Exception as exc:  # e.g. the document is indexed under another 文号
            log.info("clause lookup in %s failed: %s", doc, exc)
    if section:
        def rank(h: Hit) -> int:
            if h.section == section:
                return 0
            if h.section and (h.section.startswith(section) or section.startswith(h.section)):
                return 1
            return 9

        ranked = sorted((rank(h), i) for i, h in enumerate(hits))
        if ranked and ranked[0][0] < 9:
            return hits[ranked[0][1]]
    if not hits:
        try:
            hits = list(search.run(hint[:MAX_QUERY_CHARS], 5).hits)
        except Exception as exc:
            log.info("clause lookup for %r failed: %s", hint[:30], exc)
            return None
    key = normalize_message(hint)
    for h in hits:
        if len(key) >= 8 and fuzz.partial_ratio(key, normalize_message(h.text)) >= 80:
            return h
    return None


def row_passage(passages: list[Hit], *cells: str) -> Hit | None:
    """The passage of a table that prints a row: the one containing every cell (compared without
    whitespace and width differences), else the one that contains the last cell and best matches
    the others."""
    keys = [normalize_message(c).replace(" ", "") for c in cells if c.strip()]
    texts = [normalize_message(p.text).replace(" ", "") for p in passages]
    for passage, text in zip(passages, texts, strict=True):
        if all(k in text for k in keys):
            return passage
    scored = [(fuzz.partial_ratio(keys[0], text), i) for i, text in enumerate(texts) if keys and keys[-1] in text]
    best = max(scored, default=(0.0, -1))
    return passages[best[1]] if best[0] >= 85 else None
