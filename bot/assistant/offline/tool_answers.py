"""Answers written from tool results: score cards, explanations, comparisons, what-if, eligibility,
rule checks, the indicator system, the park list, and failures.

Each takes the tool's typed result (``bot.assistant.types``) and renders compact markdown in the
question's language (config/assistant/wording.yaml), citing the clause the result rests on. Every
number is the scoring engine's; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.assistant.formatting import fmt_value, md_table
from bot.assistant.offline.citations import CitationBook
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.policy import PolicyComposer
from bot.assistant.types import (
    Comparison,
    EligibilityCheck,
    IndicatorSystem,
    ParkListing,
    RuleCheck,
    ScoreExplanation,
    ToolFailure,
    WhatIfOutcome,
)
from bot.assistant.wording import LanguageWording
from retrieval.models import Hit
from scoring import ScoreCard
from scoring.explain import IndicatorEffect


class ToolAnswers:
    """Renders tool results; quotes clauses through the policy composer (same sentences, same notes)."""

    def __init__(self, policy: PolicyComposer) -> None:
        self.policy = policy
        self.wording = policy.wording

    def _banner(self, w: LanguageWording, synthetic: bool) -> list[str]:
        return [w.synthetic_banner] if synthetic else []

    def failure(self, failure: ToolFailure, *, english: bool = False) -> Composed:
        """A tool's expected failure, worded in the question's language."""
        template = getattr(self.wording.lang(english).failures, failure.wording, None) if failure.wording else None
        try:
            text = template.format(**failure.params) if isinstance(template, str) else failure.message
        except KeyError:
            text = failure.message
        return Composed(text, [], False)

    def score(self, card: ScoreCard, clause: Hit | None, *, english: bool = False) -> Composed:
        w = self.wording.lang(english)
        book = CitationBook()
        cite = book.marker(clause)
        lines = self._banner(w, card.synthetic)
        if card.total is None:
            flags = w.score.flags_separator.join(f.get("message") or str(f) for f in card.flags)
            lines.append(w.score.not_rankable.format(name=card.name, flags=flags))
        else:
            lines.append(w.score.headline.format(
                name=card.name, year=w.score.year.format(year=card.year) if card.year else "",
                total=fmt_value(card.total), size=card.cohort_size, rank=card.rank))
        rows = [[p.code, p.name, fmt_value(p.weight), fmt_value(p.score), p.rank or "—"] for p in card.primaries]
        if rows:
            lines += ["", md_table(w.score.header, rows)]
        lines += ["", w.score.basis.format(cite=cite, registry=card.registry, method=card.method,
                                           disclaimer=w.score_disclaimer)]
        return Composed("\n".join(lines), book.citations, True)

    def explanation(self, result: ScoreExplanation, clause: Hit | None, *, english: bool = False) -> Composed:
        w = self.wording.lang(english)
        card, why = result.card, result.explanation
        book = CitationBook()
        cite = book.marker(clause)
        lines = self._banner(w, card.synthetic)
        lines.append(w.explain.headline.format(name=card.name, total=fmt_value(card.total), rank=card.rank,
                                               size=card.cohort_size))
        values = {i.code: i.value for i in card.indicators}

        def row(e: IndicatorEffect) -> list[str]:
            return [e.code, e.name, fmt_value(values.get(e.code)), fmt_value(e.normalized), fmt_value(e.contribution),
                    fmt_value(e.headroom)]

        if why.losses:
            lines += ["", w.explain.lost, "", md_table(w.explain.header, [row(e) for e in why.losses])]
        if why.strengths:
            lines += ["", w.explain.strong, "", md_table(w.explain.header, [row(e) for e in why.strengths])]
        if why.missing:
            lines.append("\n" + w.explain.missing + w.list_separator.join(why.missing))
        lines += ["", w.explain.basis.format(cite=cite, disclaimer=w.score_disclaimer)]
        return Composed("\n".join(lines), book.citations, True)

    def comparison(self, result: Comparison, clause: Hit | None, *, english: bool = False) -> Composed:
        w = self.wording.lang(english)
        book = CitationBook()
        cards = result.cards
        lines = self._banner(w, any(c.synthetic for c in cards))
        lines.append(w.compare.headline.format(count=len(cards), size=cards[0].cohort_size if cards else 0))
        primaries = [(p.code, p.name) for p in cards[0].primaries] if cards else []
        header = [*w.compare.header, *(name for _, name in primaries)]
        rows = []
        for c in cards:
            scores = {p.code: p.score for p in c.primaries}
            rows.append([c.park_id, c.name, fmt_value(c.total), c.rank or "—", *(fmt_value(scores.get(code)) for code, _ in primaries)])
        lines += ["", md_table(header, rows)]
        method = cards[0] if cards else None
        if method is not None:
            lines += ["", w.score.basis.format(cite=book.marker(clause), registry=method.registry, method=method.method,
                                               disclaimer=w.score_disclaimer)]
        return Composed("\n".join(lines), book.citations, True)

    def what_if(self, result: WhatIfOutcome, *, english: bool = False) -> Composed:
        w = self.wording.lang(english)
        s = result.summary
        lines = self._banner(w, s.synthetic or result.park.synthetic)
        changes = w.list_separator.join(w.what_if.change.format(code=k, value=v) for k, v in result.changes.items())
        lines.append(w.what_if.headline.format(name=result.park.name, changes=changes))
        rows = [[w.what_if.now, fmt_value(s.total_before), s.rank_before or "—"],
                [w.what_if.then, fmt_value(s.total_after), s.rank_after or "—"]]
        lines += ["", md_table(w.what_if.header, rows)]
        if result.indicators:
            lines += ["", md_table(w.what_if.indicators_header,
                                   [[i.code, i.name, fmt_value(i.before), fmt_value(i.after), fmt_value(i.contribution_delta)]
                                    for i in result.indicators])]
        lines += ["", w.score_disclaimer]
        return Composed("\n".join(lines), [], True)

    def eligibility(self, result: EligibilityCheck, clause: Hit | None, *, english: bool = False) -> Composed:
        w = self.wording.lang(english)
        report = result.eligibility
        book = CitationBook()
        cite = book.marker(clause)
        source = f"{report.citation.doc} {report.citation.section}".strip()
        lines = self._banner(w, result.park.synthetic or report.synthetic)
        lines.append(w.eligibility.headline.format(park=result.park.name, category=report.category, source=source,
                                                   cite=cite, overall=w.overall.of(report.overall)))
        rows = [
            [t.no, t.name, t.requirement or fmt_value(t.threshold, t.unit), fmt_value(t.value, t.unit), w.met.of(t.met),
             fmt_value(t.gap, t.unit) if t.met is False else ""]
            for t in report.targets
        ]
        if rows:
            lines += ["", md_table(w.eligibility.header, rows)]
        if report.failing:
            lines.append("\n" + w.eligibility.not_met + w.list_separator.join(report.failing))
        if report.missing:
            lines.append(w.eligibility.missing + w.list_separator.join(report.missing))
        if report.near_misses:
            lines.append(w.eligibility.near_misses + w.list_separator.join(report.near_misses))
        note = self.policy.vintage([clause], book, english=english) if clause is not None else ""
        if note:
            lines += ["", note]
        return Composed("\n".join(lines), book.citations, True)

    def rule(self, result: RuleCheck, query: str, hits: Sequence[Hit], clause: Hit | None, *,
             english: bool = False) -> Composed:
        """A rule-pack verdict (an eligibility report for an enterprise or a person) and its clause, quoted."""
        w = self.wording.lang(english)
        report = result.report
        book = CitationBook()
        cite = book.marker(clause)
        source = f"{report.citation.doc} {report.citation.section}".strip()
        verdicts = w.rule.verdict
        any_met = any(t.met is True for t in report.targets)
        verdict = {"pass": verdicts.pass_, "fail": verdicts.fail}.get(
            report.overall, verdicts.partly if any_met else verdicts.undecided)
        lines = [w.rule.headline.format(verdict=verdict, category=report.category, source=source, cite=cite)]
        rows = [
            [t.name, t.requirement or fmt_value(t.threshold, t.unit), fmt_value(t.value, t.unit), w.met.of(t.met)]
            for t in report.targets
            if not (t.met is None and t.value is None and t.threshold is None)  # unstated yes/no: listed below
        ]
        if rows:
            lines += ["", md_table(w.rule.header, rows)]
        if report.missing:
            lines += ["", w.rule.to_confirm + w.rule.conditions_separator.join(report.missing)]
        # the clause the rule rests on is what is quoted; without it, the best passages of the search
        quoted, _chosen, _ = self.policy.passages(query, [clause] if clause is not None else hits, book, english=english)
        if quoted:
            lines += ["", w.rule.source_text, *quoted]
        return Composed("\n".join(lines), book.citations, True)

    def indicator_system(self, outline: IndicatorSystem, clauses: Sequence[Hit | None], question: str, *,
                         english: bool = False) -> Composed:
        """The indicator system from the registry (config data), each primary cited to its 附2 row.

        The secondaries are listed when the question asks for them or names a primary."""
        w = self.wording.lang(english)
        book = CitationBook()
        primaries = outline.primaries
        named = [p for p in primaries if p.name in question]
        show_secondaries = bool(named) or "二级" in question or "secondary" in question.lower()
        cites: dict[str, str] = {}
        rows = []
        for p, clause in zip(primaries, clauses, strict=False):
            cites[p.code] = book.marker(clause)
            rows.append([p.code, f"{p.name}{cites[p.code]}", "" if p.weight is None else f"{p.weight:g}%", len(p.indicators)])
        source = f"{outline.doc} {outline.section}".strip()
        lines = [w.indicator_system.headline.format(
            title=outline.title or "国家高新区评价指标体系", source=source, primaries=len(primaries),
            secondaries=sum(len(p.indicators) for p in primaries)), "", md_table(w.indicator_system.header, rows)]
        for p in (named or primaries) if show_secondaries else []:
            items = w.indicator_system.secondaries_separator.join(
                w.indicator_system.secondary_with_coefficient.format(code=i.code, name=i.name, coefficient=f"{i.coefficient:g}",
                                                                     source=i.source)
                if i.coefficient is not None else w.indicator_system.secondary.format(code=i.code, name=i.name, source=i.source)
                for i in p.indicators
            )
            lines += ["", w.indicator_system.primary_line.format(code=p.code, name=p.name, cite=cites.get(p.code, ""),
                                                                 secondaries=items)]
        lines += ["", w.indicator_system.footer]
        return Composed("\n".join(lines), book.citations, bool(book.citations))

    def parks(self, listing: ParkListing, *, english: bool = False, limit: int = 30) -> Composed:
        """The parks the caller may see, with their ranks in the whole cohort."""
        w = self.wording.lang(english)
        parks = listing.parks
        lines = self._banner(w, listing.synthetic)
        lines.append(w.parks.headline_scoped.format(count=len(parks), size=listing.cohort_size) if listing.scoped
                     else w.parks.headline.format(count=len(parks)))
        rows = [[p.park_id, p.name, p.year or "", fmt_value(p.total), p.rank or "—"] for p in parks[:limit]]
        lines += ["", md_table(w.parks.header, rows)]
        if len(parks) > limit:
            lines.append(w.parks.more.format(count=len(parks) - limit))
        return Composed("\n".join(lines), [], True)
