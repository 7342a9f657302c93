"""The offline backend: router → deterministic tools → composer. No model, no network.

Each intent has a handler that calls the tools it needs (acting for the caller: a park out of
scope comes back as a failure, which is what the answer then says) and writes the answer from
their typed results. A handler is a generator: it yields each tool outcome as the tool returns,
so the stream carries the tool events before the text, and returns the composed answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from bot.assistant.backend import Question
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.drafting import LetterRules, draft_letter, enquiry_text
from bot.assistant.offline.metadata import MetadataAnswers
from bot.assistant.offline.notes import VintageRule
from bot.assistant.offline.policy import PolicyComposer, default_reader
from bot.assistant.offline.question import Question as QuestionFrame
from bot.assistant.offline.question import unique
from bot.assistant.offline.router import Route, Router, RouterConfig
from bot.assistant.offline.sentences import ARTICLE, SentencePicker, answer_types
from bot.assistant.offline.table_rows import named_rows
from bot.assistant.offline.tool_answers import IndicatorFocus, ToolAnswers
from bot.assistant.parks import ParkData
from bot.assistant.tools import SEARCH_K_LIMIT, PolicySearch, ToolOutcome, find_clause
from bot.assistant.types import (
    Answer,
    CategoryTargets,
    Comparison,
    EligibilityCheck,
    FinalAnswer,
    IndicatorSystem,
    ParkListing,
    PolicyPassages,
    RuleCheck,
    ScoreExplanation,
    ScoreLookup,
    StreamEvent,
    TextDelta,
    ToolEvent,
    ToolFailure,
    Turn,
    WhatIfOutcome,
)
from bot.assistant.wording import Wording, load_wording
from retrieval.docrefs import cites
from retrieval.models import Hit

log = logging.getLogger(__name__)

FOLLOWUP_MAX_CHARS = 16  # a longer message is a question of its own, even when it starts with 那
DEFINITION_HITS = 3  # passages searched for a term the question describes instead of naming
MAX_NAMED_DOCS = 2  # a question naming more documents than this is answered from all of them
WHOLE_SECTION_TOP = 5  # the best hits whose article, split over passages, is read whole
WHOLE_SECTION_MAX = 4  # … when it is split over at most this many
SCORE_CLAUSE = ("国科发火〔2013〕388号", "附2", "国家高新区评价指标体系 一级指标 二级指标 赋权")

Handler = Generator[ToolOutcome, None, Composed]


class OfflineBackend:
    """The embedded default backend."""

    name = "offline"

    def __init__(self, policy: PolicyComposer, router_config: RouterConfig, parks: ParkData | None = None,
                 *, search_k: int = 5, expand: Callable[[str], str] = str) -> None:
        self.policy = policy
        self.answers = ToolAnswers(policy)
        self.metadata = MetadataAnswers(policy.wording)
        self.router_config = router_config
        self.park_data = parks
        self.search_k = search_k
        self.expand = expand  # the question with retrieval's synonyms appended (高企 → 高新技术企业)
        self.letter_rules = LetterRules.load()
        self._router: Router | None = None

    @property
    def router(self) -> Router:
        """Built on first use: it needs the cohort's parks and the registry's indicators (all of them:
        a park the caller may not see is still recognised, and the tool then refuses it)."""
        if self._router is None:
            parks, indicators = [], []
            if self.park_data is not None:
                try:
                    parks, indicators = self.park_data.parks(), self.park_data.indicators()
                except Exception as exc:  # the assistant still answers policy questions
                    log.warning("cohort not available to the router: %s", exc)
            self._router = Router(self.router_config, parks, indicators)
        return self._router

    def stream(self, question: Question) -> Iterator[StreamEvent]:
        previous = previous_entities(question.history)
        route = self.router.route(question.message, previous, mode=question.mode,
                                  may_read=question.toolbox.principal.may_read_park)
        handler: Callable[..., Handler] = getattr(self, f"_on_{route.intent}", self._on_policy)
        calls: list[ToolOutcome] = []
        run = handler(question, route, previous)
        try:
            while True:
                outcome = next(run)
                calls.append(outcome)
                yield ToolEvent(call=outcome.call)
        except StopIteration as stop:
            composed: Composed = stop.value
        # the composer writes the whole text at once, in milliseconds: it is sent as one piece
        yield TextDelta(text=composed.text)
        yield FinalAnswer(answer=Answer(
            conversation_id=question.conversation_id, answer=composed.text, citations=composed.citations,
            tool_calls=[c.call for c in calls], grounded=composed.grounded, mode=question.mode, backend=self.name,
            intent=route.intent, notices=composed.notices,
        ))

    # -- handlers ----------------------------------------------------------------------------------

    def _failed(self, outcome: ToolOutcome, route: Route) -> Composed:
        assert isinstance(outcome.result, ToolFailure)
        return self.answers.failure(outcome.result, english=route.language == "en")

    def _search(self, q: Question, query: str, k: int | None = None, **filters: str | None
                ) -> Generator[ToolOutcome, None, ToolOutcome]:
        outcome = q.toolbox.search_policies(query, k or self.search_k, **filters)
        yield outcome
        return outcome

    def _not_held(self, q: Question, query: str, frame: QuestionFrame, found: PolicyPassages, before: str | None, *,
                  english: bool) -> Handler:
        """The question names a document the corpus does not hold. The documents that cite it ("按照《…办法》
        （东府办〔2016〕20号）执行的…") answer what they say of it, after a sentence saying so; its own
        date, issuer or number they do not state. Else the refusal names the closest documents."""
        citing = [h for h in found.hits if any(cites(h.text, ref) for ref in found.unknown_refs)]
        if not citing or frame.metadata:
            return self.policy.not_held(found.unknown_refs, [*citing, *found.hits], english=english)
        docs = unique(h.doc for h in citing)[:MAX_NAMED_DOCS]
        doc_hits: list[Hit] = []
        for doc in docs:
            within = yield from self._search(q, query, SEARCH_K_LIMIT, doc=doc)
            if isinstance(within.result, PolicyPassages):
                doc_hits = _merged(doc_hits, within.result.hits)
        passages = _merged(citing, doc_hits)
        hits = self.policy.cited_scope(found.unknown_refs, passages, doc_hits)
        frame = self.policy.reread(frame, found.unknown_refs, before)  # 东府办〔2016〕20号 asks no year 2016
        answer = self.policy.policy_answer(_without(found.query_expanded, found.unknown_refs), hits, found.coverage,
                                           english=english, question=q.message, frame=frame, named=docs)
        return self.policy.cited_only(found.unknown_refs, citing, answer, found.hits, passages, english=english)

    def _on_policy(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        """Read the question, search where it points (a named document, a place's own rules), answer."""
        english = route.language == "en"
        before = None
        if (route.followup and previous.get("intent") == "policy" and previous.get("query")
                and len(q.message) <= FOLLOWUP_MAX_CHARS):
            # "那居留许可呢？" continues the question the conversation is about, and keeps its scope
            before = str(previous.get("topic") or previous["query"])
        query = f"{q.message} {before}" if before else q.message
        frame = self.policy.read(q.message, before, english=english)
        evidence = self.policy.evidence(frame)
        k = SEARCH_K_LIMIT if evidence.places else self.search_k
        outcome = yield from self._search(q, query, k)
        if not isinstance(outcome.result, PolicyPassages):
            return self._failed(outcome, route)
        found = outcome.result
        own = evidence.own_rules_of
        if own and not found.named_docs:  # "广东省对高新区有什么要求": that place's own documents answer
            local = self.policy.reader.without_places(query, own) or query  # its name is the filter's now
            mine = yield from self._search(q, local, k, jurisdiction=own[0].name)
            if isinstance(mine.result, PolicyPassages) and mine.result.hits:
                found = mine.result.model_copy(update={"hits": _merged(mine.result.hits, found.hits)})
            else:  # no document of that place: say so, with what other places have
                return self.policy.other_place(frame, evidence, found.hits, english=english)
        if found.unknown_refs and not found.named_docs:  # "国发〔2015〕32号…" when no document has that number
            return (yield from self._not_held(q, query, frame, found, before, english=english))
        named = found.named_docs[:MAX_NAMED_DOCS]
        if found.named_spans:  # "2005年的纲要", "7号文" name documents: they are not what is asked
            frame = self.policy.reread(frame, found.named_spans, before)
        if frame.metadata:
            answer = yield from self._metadata(q, frame, found, named, english=english)
            if answer is not None:
                return answer
        hits = list(found.hits)
        if named and len(found.named_docs) <= MAX_NAMED_DOCS:
            per_doc: list[list[Hit]] = []
            listed: list[Hit] = []
            for doc in named:  # the documents the question names answer it: search each of them
                within = yield from self._search(q, query, doc=doc)
                if isinstance(within.result, PolicyPassages):
                    per_doc.append(list(within.result.hits))
                if frame.listed_item:  # "259号文提出了哪几项火炬工程": the passages naming one, after the others
                    naming = yield from self._search(q, f"“{frame.listed_item[-2:]}” {frame.listed_item}",
                                                     SEARCH_K_LIMIT, doc=doc)
                    if isinstance(naming.result, PolicyPassages):
                        listed += naming.result.hits
            hits = _merged(_merged(_interleaved(per_doc), hits), listed)
        hits = _whole_sections(q, hits)
        named = named if len(found.named_docs) <= MAX_NAMED_DOCS else []
        query_words = _without(found.query_expanded, found.named_spans)
        answer = self.policy.policy_answer(query_words, hits, found.coverage, english=english, question=q.message,
                                           frame=frame, named=named)
        defined = None if answer.grounded or english else next(
            ((by, h.doc) for h in hits[:DEFINITION_HITS] if (by := self.policy.reader.described(q.message, h.text))),
            None)
        if defined is None:
            return answer
        # the question describes what the document names by a term it defines: its rules are written with the term
        (_, renamed), doc = defined
        by_term = yield from self._search(q, renamed, doc=doc)
        if not isinstance(by_term.result, PolicyPassages):
            return answer
        again = self.policy.policy_answer(renamed, _merged(by_term.result.hits, hits), found.coverage,
                                          english=english, question=q.message, frame=frame, named=named)
        return again if again.grounded else answer

    def _metadata(self, q: Question, frame: QuestionFrame, found: PolicyPassages, named: list[str], *,
                  english: bool) -> Generator[ToolOutcome, None, Composed | None]:
        """A question about a document's 文号, dates, issuer …: from its metadata, citing its text."""
        doc = self.metadata.target(q.message, named, found.hits)
        if doc is None:
            return None
        if frame.metadata == ["status"] and not self.metadata.names(q.message, doc, found.hits):
            return None  # "原来那个…条例还管用吗" may be about a document the corpus only mentions
        known = next((h for h in found.hits if h.doc == doc), None)
        within = yield from self._search(q, f"{self.metadata.hint(known, frame.metadata)} {q.message}".strip(), SEARCH_K_LIMIT, doc=doc)
        passages = within.result.hits if isinstance(within.result, PolicyPassages) else []
        subject = known or next((h for h in passages if h.doc == doc), None)
        if subject is None:
            return None
        if known is None:  # now that the document's values are known, find the passage stating them
            again = yield from self._search(q, self.metadata.hint(subject, frame.metadata), SEARCH_K_LIMIT, doc=doc)
            passages = _merged(again.result.hits if isinstance(again.result, PolicyPassages) else [], passages)
        answer = self.metadata.answer(frame, subject, _merged(passages, found.hits), english=english)
        return answer if answer.text else None

    def _on_help(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        """A message that asks nothing of the documents (intents help and thanks): the reply of that
        name in wording.yaml ``chat`` (what ParkBot answers, with examples; 不客气). No document is quoted."""
        yield from ()
        return Composed(getattr(self.policy.wording.lang(route.language == "en").chat, route.intent), [], False)

    _on_thanks = _on_help

    def _on_draft(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        outcome = yield from self._search(q, enquiry_text(q.message, self.letter_rules))
        if not isinstance(outcome.result, PolicyPassages):
            return self._failed(outcome, route)
        found = outcome.result
        return draft_letter(self.policy, q.message, found.hits, found.coverage, query=found.query_expanded,
                            rules=self.letter_rules)

    def _on_list_parks(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        outcome = q.toolbox.list_parks()
        yield outcome
        if not isinstance(outcome.result, ParkListing):
            return self._failed(outcome, route)
        return self.answers.parks(outcome.result, english=route.language == "en")

    def _on_indicator_system(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        outcome = q.toolbox.indicator_system()
        if not isinstance(outcome.result, IndicatorSystem):  # no registry loaded: answer from the documents
            return (yield from self._on_policy(q, route, previous))
        outline = outcome.result
        focus = self._indicator_focus(outline, route, q.message)
        if focus is None:  # a weight or a source of something the registry does not have: the documents
            return (yield from self._on_policy(q, route, previous))
        yield outcome
        rows = q.toolbox.section_passages(outline.doc, outline.section)
        return self.answers.indicator_system(outline, rows, q.message, focus, english=route.language == "en")

    def _indicator_focus(self, outline: IndicatorSystem, route: Route, message: str) -> IndicatorFocus | None:
        """What of the indicator system the question asks: named indicators, the indicators of one data
        source, one primary, or the whole system; None when it names nothing the registry has."""
        secondaries = [i for p in outline.primaries for i in p.indicators]
        expanded = self.expand(message)
        named = [secondaries[i].code for i in named_rows(expanded, [i.name for i in secondaries])]
        named += [i.code for i in secondaries if re.search(rf"(?<![\d.]){re.escape(i.code)}(?![\d.])", route.query)
                  and i.code not in named]
        if named:
            return IndicatorFocus(secondaries=named[:3])
        sources = sorted({i.source for i in secondaries if i.source and i.source in route.query})
        if len(sources) == 1 and self.router.terms.asks_which(route.query):
            return IndicatorFocus(source=sources[0])
        if route.primary and any(p.code == route.primary for p in outline.primaries):
            return IndicatorFocus(primary=route.primary)
        if self.router.terms.asks_system(route.query):
            return IndicatorFocus()
        return None

    def _cited_by_the_weights(self, route: Route, outcome: ToolOutcome, kind: type[Any],
                               write: Callable[..., Composed], q: Question) -> Handler:
        """Answers from score cards: the result written and the 附2 weights cited."""
        yield outcome
        if not isinstance(outcome.result, kind):
            return self._failed(outcome, route)
        return write(outcome.result, q.toolbox.find_clause(*SCORE_CLAUSE), english=route.language == "en")

    def _on_score(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        assert route.park_asked is not None
        return (yield from self._cited_by_the_weights(
            route, q.toolbox.score_park(route.park_asked), ScoreLookup,
            lambda result, clause, english: self.answers.score(result.card, clause, english=english,
                                                               year_asked=route.year), q))

    def _on_explain(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        assert route.park_asked is not None
        return (yield from self._cited_by_the_weights(
            route, q.toolbox.explain_score(route.park_asked), ScoreExplanation,
            lambda result, clause, english: self.answers.explanation(result, clause, english=english,
                                                                     primary=route.primary, year_asked=route.year), q))

    def _on_compare(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        asked = [p.park_id for p in route.parks] + ([route.unknown_park] if route.unknown_park else [])
        return (yield from self._cited_by_the_weights(
            route, q.toolbox.compare_parks(asked), Comparison,
            lambda result, clause, english: self.answers.comparison(result, clause, english=english,
                                                                    primary=route.primary, year_asked=route.year), q))

    def _on_targets(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        """The 附1 targets of the category asked (every row, or the rows the question names), or of two
        categories side by side; a category 附1 does not have is answered with those it has."""
        results: list[CategoryTargets] = []
        for category in route.categories or [route.category or route.unknown_category or ""]:
            outcome = q.toolbox.category_targets(category)
            yield outcome
            if not isinstance(outcome.result, CategoryTargets):
                return self._failed(outcome, route)
            results.append(outcome.result)
        labels: list[tuple[str, str]] = []
        for result in results:
            labels += [(r.fact, r.name) for r in result.rows if (r.fact, r.name) not in labels]
        expanded = self.expand(route.topic or q.message)
        named = named_rows(expanded, [name for _, name in labels])
        asked = {labels[i][0] for i in named}
        unlisted = self._unlisted_indicator(q, expanded, [name for _, name in labels]) \
            if len(results) == 1 and not asked else None
        also = None
        if len(results) == 1 and self.router.matches("compare", route.query):
            # one category set against something else ("2005年纲要…的下限和388号文…的目标"): the documents
            # say what the other is; passages of the table itself are not repeated
            found = yield from self._search(q, q.message)
            if isinstance(found.result, PolicyPassages) and found.result.covered:
                table = (results[0].doc, results[0].section)
                also = (found.result.query_expanded, [h for h in found.result.hits if (h.doc, h.section) != table])
        return self.answers.targets(results, asked, english=route.language == "en", also=also, unlisted=unlisted)

    def _unlisted_indicator(self, q: Question, expanded: str, labels: list[str]) -> str | None:
        """The 附2 indicator a targets question names when the category's table has no row for it
        ("世界一流高科技园区单位增加值综合能耗的目标"): the table sets no such target, and the answer says so
        instead of reading as if it did. None when the question names a row of the table or no indicator."""
        outcome = q.toolbox.indicator_system()
        if not isinstance(outcome.result, IndicatorSystem):
            return None
        system = [i.name for p in outcome.result.primaries for i in p.indicators]
        best = named_rows(expanded, labels + system)
        if not best or best[0] < len(labels):
            return None
        name = system[best[0] - len(labels)]
        return None if named_rows(name, labels) else name

    def _on_eligibility(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        assert route.park_asked is not None
        outcome = q.toolbox.check_eligibility(route.park_asked, route.category or route.unknown_category or "")
        yield outcome
        if not isinstance(outcome.result, EligibilityCheck):
            return self._failed(outcome, route)
        cited = outcome.result.eligibility.citation
        hint = f"{outcome.result.eligibility.category} 目标要求 序号 指标 要求"
        clause = q.toolbox.find_clause(cited.doc, cited.section, hint)
        return self.answers.eligibility(outcome.result, clause, english=route.language == "en", year_asked=route.year)

    def _on_what_if(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        assert route.park_asked is not None
        outcome = q.toolbox.what_if(route.park_asked, {c.code: c.value for c in route.changes})
        yield outcome
        if not isinstance(outcome.result, WhatIfOutcome):
            return self._failed(outcome, route)
        return self.answers.what_if(outcome.result, english=route.language == "en")

    def _on_rule_check(self, q: Question, route: Route, previous: dict[str, Any]) -> Handler:
        assert route.rule is not None
        spec = self.router_config.rules[route.rule]
        outcome = q.toolbox.check_rule(spec.rule_set, {k: v for k, v in route.facts.items() if k != "subject"})
        yield outcome
        if not isinstance(outcome.result, RuleCheck):  # the rule pack cannot decide: answer from the documents
            return (yield from self._on_policy(q, route, previous))
        report = outcome.result.report
        found = yield from self._search(q, q.message)
        hits = found.result.hits if isinstance(found.result, PolicyPassages) else []
        query = found.result.query_expanded if isinstance(found.result, PolicyPassages) else q.message
        hint = next((t.requirement for t in report.targets if t.threshold is not None and t.requirement), None) or q.message
        clause = q.toolbox.find_clause(report.citation.doc, report.citation.section, hint)
        return self.answers.rule(outcome.result, query, hits, clause, english=route.language == "en")


def _interleaved(lists: Sequence[Sequence[Hit]]) -> list[Hit]:
    """One hit of each list in turn (each named document gets its best passages in the top)."""
    out: list[Hit] = []
    for row in range(max((len(x) for x in lists), default=0)):
        out += [x[row] for x in lists if row < len(x)]
    return _merged(out, [])


def _without(text: str, spans: Sequence[str]) -> str:
    """``text`` without the parts that name documents (matched case- and width-insensitively)."""
    from bot.assistant.normalize import normalize_message

    out = normalize_message(text)
    for span in spans:
        out = out.replace(span, " ")
    return " ".join(out.split()) or text


def _whole_sections(q: Question, hits: Sequence[Hit]) -> list[Hit]:
    """An article (第…条) split over passages is read whole: of the best hits, the passages of its article
    the search did not return follow it (the 70% of "第三十七条" sits in the passage before the one found).
    A numbered part of a notice or plan ("三、（二）") is a topic whose passages are rules of their own."""
    out: list[Hit] = []
    seen = {h.chunk_id for h in hits}
    for rank, hit in enumerate(hits):
        out.append(hit)
        if rank >= WHOLE_SECTION_TOP or not ARTICLE.fullmatch(hit.section):
            continue
        siblings = q.toolbox.section_passages(hit.doc, hit.section)
        if 1 < len(siblings) <= WHOLE_SECTION_MAX:
            for sibling in siblings:
                if sibling.chunk_id not in seen:
                    seen.add(sibling.chunk_id)
                    out.append(sibling.model_copy(update={"score": hit.score}))
    return out


def _merged(first: Sequence[Hit], then: Sequence[Hit]) -> list[Hit]:
    """Hits of ``first`` then those of ``then`` not already in it."""
    seen = {h.chunk_id for h in first}
    return [*first, *(h for h in then if h.chunk_id not in seen)]


def previous_entities(history: Sequence[Turn]) -> dict[str, Any]:
    """The entities the latest assistant turn resolved (park, category, rule …), for follow-ups."""
    for turn in reversed(history):
        if turn.role == "assistant" and turn.entities:
            return dict(turn.entities)
    return {}


def build_offline_backend(
    search: PolicySearch | None, parks: ParkData | None, router_config: RouterConfig | None = None,
    wording: Wording | None = None, *, home: str | None = None,
) -> OfflineBackend:
    """The offline backend with the tokenizer retrieval uses (so the composer cuts words the same way);
    ``home`` is the deployment's own jurisdiction (setting ``assistant.jurisdiction``), if any."""
    from retrieval.normalize import QueryNormalizer
    from retrieval.tokenize import tokenize

    config = router_config or RouterConfig.load()
    reader = default_reader()
    picker = SentencePicker(tokenize, quantity_cues=config.quantity_cues,
                            answer_types=list(answer_types(reader.config).values()))

    def lookup(doc: str, section: str, hint: str) -> Any:
        return find_clause(search, doc, section, hint)

    policy = PolicyComposer(picker, vintage_rules=[VintageRule(**v) for v in config.vintage], lookup=lookup,
                            wording=wording or load_wording(), reader=reader, home=home,
                            plans=LetterRules.load().plans)
    normalizer = QueryNormalizer()
    return OfflineBackend(policy, config, parks, expand=lambda text: normalizer(text).expanded)
