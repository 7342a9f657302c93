"""Answers written from tool results: score cards, explanations, comparisons, what-if, eligibility,
rule checks, the 附1 targets, the indicator system, the park list, and failures.

Each takes the tool's typed result (``bot.assistant.types``) and renders compact markdown in the
question's language (config/assistant/wording.yaml), citing the clause the result rests on. The
answer comes first (the asked figure, the asked row, the asked park), then the table it comes
from. Every number is the scoring engine's or printed in a cited passage; nothing is computed
here (comparisons say which of two printed numbers is lower, never by how much).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.assistant.formatting import (
    fmt_shown,
    fmt_value,
    md_table,
    target_gap,
    target_requirement,
    target_value,
)
from bot.assistant.offline.citations import CitationBook
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.policy import PolicyComposer
from bot.assistant.tools import row_passage
from bot.assistant.types import (
    CategoryTargets,
    Comparison,
    EligibilityCheck,
    IndicatorSystem,
    ParkListing,
    PrimaryIndicator,
    RuleCheck,
    ScoreExplanation,
    SecondaryIndicator,
    ToolFailure,
    WhatIfOutcome,
)
from bot.assistant.wording import LanguageWording
from retrieval.models import Hit
from scoring import ScoreCard
from scoring.cards import IndicatorScore
from scoring.explain import IndicatorEffect


@dataclass
class IndicatorFocus:
    """What of the indicator system a question asks: some indicators by code, the indicators of one
    data source (统计, 调查, 定性), one primary, or (all empty) the whole system."""

    secondaries: list[str] = field(default_factory=list)
    source: str | None = None
    primary: str | None = None


def _year_lines(w: LanguageWording, year_asked: int | str | None, year: int | None) -> list[str]:
    """"今年" is the latest year of the data, said so; a year the data lacks is said to be missing."""
    if year is None or year_asked is None:
        return []
    if year_asked == "latest":
        return [w.score.latest_year.format(year=year)]
    return [w.score.year_missing.format(year=year)] if year_asked != year else []


def _coefficient(value: float | None) -> str:
    """A 赋权 as 附2 prints it: one decimal at least (1.0, 0.8)."""
    if value is None:
        return "—"
    text = f"{value:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _indicators_of(card: ScoreCard, primary: str) -> list[IndicatorScore]:
    return [i for i in card.indicators if i.code.split(".")[0] == primary]


class ToolAnswers:
    """Renders tool results; quotes clauses through the policy composer (same sentences, same notes)."""

    def __init__(self, policy: PolicyComposer) -> None:
        self.policy = policy
        self.wording = policy.wording

    def _banner(self, w: LanguageWording, synthetic: bool) -> list[str]:
        return [w.synthetic_banner] if synthetic else []

    def failure(self, failure: ToolFailure, *, english: bool = False) -> Composed:
        """A tool's expected failure, worded in the question's language (SYNTHETIC said when the parks it
        lists are)."""
        w = self.wording.lang(english)
        template = getattr(w.failures, failure.wording, None) if failure.wording else None
        params = dict(failure.params)
        if template == w.failures.park_not_found:  # the ids are shown in the language of the answer
            params["known"] = params.get("known", "").replace(self.wording.zh.failures.known_separator,
                                                                w.failures.known_separator)
        try:
            text = template.format(**params) if isinstance(template, str) else failure.message
        except KeyError:
            text = failure.message
        banner = self._banner(w, failure.params.get("synthetic") == "true")
        return Composed("\n".join([*banner, text]), [], False)

    def score(self, card: ScoreCard, clause: Hit | None, *, english: bool = False,
              year_asked: int | str | None = None) -> Composed:
        w = self.wording.lang(english)
        book = CitationBook()
        cite = book.marker(clause)
        lines = self._banner(w, card.synthetic) + _year_lines(w, year_asked, card.year)
        if card.total is None:
            flags = w.score.flags_separator.join(f.get("message") or str(f) for f in card.flags)
            lines.append(w.score.not_rankable.format(name=card.name, flags=flags))
        else:
            lines.append(w.score.headline.format(
                name=card.name, park_id=card.park_id, year=w.score.year.format(year=card.year) if card.year else "",
                total=fmt_value(card.total), size=card.rankable_count or card.cohort_size, rank=card.rank))
        rows = [[p.code, p.name, fmt_value(p.weight), fmt_value(p.score), p.rank or "—"] for p in card.primaries]
        if rows:
            lines += ["", md_table(w.score.header, rows)]
        lines += ["", w.score.basis.format(cite=cite, registry=card.registry, method=card.method,
                                           disclaimer=w.score_disclaimer)]
        return Composed("\n".join(lines), book.citations, True)

    def explanation(self, result: ScoreExplanation, clause: Hit | None, *, english: bool = False,
                    primary: str | None = None, year_asked: int | str | None = None) -> Composed:
        """Where the points are lost and where they come from; with ``primary`` ("为什么国际化低"), that
        primary's own indicators, most points lost first."""
        if primary and any(p.code == primary for p in result.card.primaries):
            return self._explain_primary(result.card, primary, clause, english=english, year_asked=year_asked)
        w = self.wording.lang(english)
        card, why = result.card, result.explanation
        book = CitationBook()
        cite = book.marker(clause)
        lines = self._banner(w, card.synthetic) + _year_lines(w, year_asked, card.year)
        lines.append(w.explain.headline.format(name=card.name, total=fmt_value(card.total), rank=card.rank,
                                               size=card.rankable_count or card.cohort_size))
        values = {i.code: fmt_shown(i.value, i.display_unit, i.display_scale) for i in card.indicators}

        def row(e: IndicatorEffect) -> list[str]:
            return [e.code, e.name, values.get(e.code, "—"), fmt_value(e.normalized), fmt_value(e.contribution),
                    fmt_value(e.headroom)]

        if why.losses:
            lines += ["", w.explain.lost, "", md_table(w.explain.header, [row(e) for e in why.losses])]
        if why.strengths:
            lines += ["", w.explain.strong, "", md_table(w.explain.header, [row(e) for e in why.strengths])]
        if why.missing:
            lines.append("\n" + w.explain.missing + w.list_separator.join(why.missing))
        lines += ["", w.explain.basis.format(cite=cite, disclaimer=w.score_disclaimer)]
        return Composed("\n".join(lines), book.citations, True)

    def _explain_primary(self, card: ScoreCard, primary: str, clause: Hit | None, *, english: bool,
                         year_asked: int | str | None) -> Composed:
        w = self.wording.lang(english)
        book = CitationBook()
        cite = book.marker(clause)
        p = next(p for p in card.primaries if p.code == primary)
        lines = self._banner(w, card.synthetic) + _year_lines(w, year_asked, card.year)
        if p.score is None:
            lines.append(w.explain_primary.not_scored.format(name=card.name, park_id=card.park_id, primary=p.name,
                                                             code=p.code, reason=p.reason or ""))
        else:
            indicators = _indicators_of(card, primary)
            scored = sorted((i for i in indicators if i.headroom is not None), key=lambda i: -(i.headroom or 0))
            lines.append(w.explain_primary.headline.format(
                name=card.name, park_id=card.park_id, primary=p.name, code=p.code, weight=fmt_value(p.weight),
                score=fmt_value(p.score), rank=p.rank or "—", size=p.ranked or card.rankable_count or card.cohort_size,
                count=len(indicators)))
            rows = [[i.code, i.name, fmt_shown(i.value, i.display_unit, i.display_scale), fmt_value(i.normalized),
                     fmt_value(i.contribution),
                     fmt_value(i.headroom)] for i in scored]
            lines += ["", md_table(w.explain_primary.header, rows)]
            missing = [f"{i.code} {i.name}" for i in indicators if i.headroom is None]
            if missing:
                lines.append("\n" + w.explain_primary.missing + w.list_separator.join(missing))
        lines += ["", w.explain.basis.format(cite=cite, disclaimer=w.score_disclaimer)]
        return Composed("\n".join(lines), book.citations, True)

    def comparison(self, result: Comparison, clause: Hit | None, *, english: bool = False,
                   primary: str | None = None, year_asked: int | str | None = None) -> Composed:
        """Score cards side by side. For two parks the answer comes first: how the first one's total
        stands against the second's and the primaries where it is lower; with ``primary``, that
        primary's indicators follow side by side."""
        w = self.wording.lang(english)
        book = CitationBook()
        cards = result.cards
        lines = self._banner(w, any(c.synthetic for c in cards)) + _year_lines(w, year_asked, cards[0].year if cards else None)
        if len(cards) == 2:
            lines += [*self._first_against_second(w, *cards), ""]
        lines.append(w.compare.headline.format(count=len(cards),
                                               size=(cards[0].rankable_count or cards[0].cohort_size) if cards else 0))
        primaries = [(p.code, p.name) for p in cards[0].primaries] if cards else []
        header = [*w.compare.header, *(name for _, name in primaries)]
        rows = []
        for c in cards:
            scores = {p.code: p.score for p in c.primaries}
            rows.append([c.park_id, c.name, fmt_value(c.total), c.rank or "—", *(fmt_value(scores.get(code)) for code, _ in primaries)])
        lines += ["", md_table(header, rows)]
        if len(cards) == 2:
            lines += self._lower_indicators(w, cards[0], cards[1], primary)
        method = cards[0] if cards else None
        if method is not None:
            lines += ["", w.score.basis.format(cite=book.marker(clause), registry=method.registry, method=method.method,
                                               disclaimer=w.score_disclaimer)]
        return Composed("\n".join(lines), book.citations, True)

    def _first_against_second(self, w: LanguageWording, first: ScoreCard, second: ScoreCard) -> list[str]:
        """Whether ``first``'s total is below, above or equal to ``second``'s, and the primaries where it
        is lower (which of two of the engine's numbers is lower; never by how much)."""
        lines = []
        if first.total is not None and second.total is not None:
            relation = (w.compare.relation.lower if first.total < second.total
                        else w.compare.relation.higher if first.total > second.total else w.compare.relation.same)
            lines.append(w.compare.totals.format(
                park=first.park_id, total=fmt_value(first.total), rank=first.rank, relation=relation,
                other=second.park_id, other_total=fmt_value(second.total), other_rank=second.rank))
        theirs = {p.code: p.score for p in second.primaries}
        lower = [p.name for p in first.primaries if p.score is not None and (t := theirs.get(p.code)) is not None
                 and p.score < t]
        lines.append(w.compare.lower_primaries.format(park=first.park_id, other=second.park_id,
                                                      names=w.list_separator.join(lower)) if lower
                     else w.compare.lower_none.format(park=first.park_id, other=second.park_id))
        return lines

    def _lower_indicators(self, w: LanguageWording, first: ScoreCard, second: ScoreCard, primary: str | None) -> list[str]:
        """The asked primary's indicators side by side, and those where ``first`` is below ``second``."""
        lines: list[str] = []
        named = next((p for p in first.primaries if p.code == primary), None)
        if named is None:
            return lines
        other = {i.code: i for i in second.indicators}
        rows, below = [], []
        for i in _indicators_of(first, named.code):
            j = other.get(i.code)
            cells = [w.compare.primary_cell.format(value=fmt_shown(x.value, x.display_unit, x.display_scale),
                                                   normalized=fmt_value(x.normalized))
                     if x is not None else "—" for x in (i, j)]
            rows.append([i.code, i.name, *cells])
            if j is not None and i.normalized is not None and j.normalized is not None and i.normalized < j.normalized:
                below.append(f"{i.code} {i.name}")
        lines += ["", w.compare.primary_headline.format(primary=named.name, code=named.code), "",
                  md_table([*w.compare.primary_header, first.park_id, second.park_id], rows)]
        if below:
            lines += ["", w.compare.lower_indicators.format(park=first.park_id, other=second.park_id,
                                                            names=w.list_separator.join(below))]
        return lines

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

    def eligibility(self, result: EligibilityCheck, clause: Hit | None, *, english: bool = False,
                    year_asked: int | str | None = None) -> Composed:
        w = self.wording.lang(english)
        report = result.eligibility
        book = CitationBook()
        cite = book.marker(clause)
        source = f"{report.citation.doc} {report.citation.section}".strip()
        lines = self._banner(w, result.park.synthetic or report.synthetic) + _year_lines(w, year_asked, result.park.year)
        lines.append(w.eligibility.headline.format(park=result.park.name, category=report.category, source=source,
                                                   cite=cite, overall=w.overall.of(report.overall)))
        rows = [[t.no, t.name, target_requirement(t), target_value(t), w.met.of(t.met), target_gap(t)]
                for t in report.targets]
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

    def targets(self, results: Sequence[CategoryTargets], asked: set[str], *, english: bool = False,
                also: tuple[str, Sequence[Hit]] | None = None, unlisted: str | None = None) -> Composed:
        """附1 targets, each row cited to the passage it is printed in: every row of the category, the
        rows the question names (``asked`` fact ids) stated first, or two categories side by side.
        ``also`` (the search query and its hits outside the table) is a question that sets the
        targets against other documents: what those say follows, quoted. ``unlisted``: an indicator the
        question asks a target for that the table does not list; the answer says so first (not grounded:
        the documents do not state what was asked) and shows the targets the table does set."""
        w = self.wording.lang(english)
        book = CitationBook()
        lines: list[str] = []
        if len(results) == 1:
            cat = results[0]
            source = f"{cat.doc} {cat.section}".strip()
            named = [r for r in cat.rows if r.fact in asked]
            for r in named:
                lines.append(w.targets.one.format(category=cat.name, name=r.name, requirement=r.requirement,
                                                  cite=book.marker(r.passage), source=source, no=r.no))
            if not named:
                headline = w.targets.unlisted if unlisted else w.targets.headline
                lines.append(headline.format(category=cat.name, count=len(cat.rows), source=source, name=unlisted))
                lines += ["", md_table(w.targets.header, [[r.no, r.name, f"{r.requirement}{book.marker(r.passage)}"]
                                                           for r in cat.rows])]
        else:
            facts: list[tuple[str, str]] = []
            for cat in results:
                facts += [(r.fact, r.name) for r in cat.rows if r.fact not in {f for f, _ in facts}]
            shown = [f for f in facts if f[0] in asked] or facts
            by_fact = [{r.fact: r for r in cat.rows} for cat in results]
            rows = [[name, *(f"{row.requirement}{book.marker(row.passage)}" if (row := rows_of.get(fact)) else w.targets.absent
                             for rows_of in by_fact)] for fact, name in shown]
            docs = {f"{c.doc} {c.section.split()[0]}" for c in results}
            lines.append(w.targets.compare_headline.format(
                categories=w.targets.categories_separator.join(c.name for c in results), source="；".join(sorted(docs))))
            lines += ["", md_table([w.targets.compare_first, *(c.name for c in results)], rows)]
        if also is not None:
            others, _chosen, _ = self.policy.passages(also[0], also[1], book, english=english)
            if others:
                lines += ["", w.targets.elsewhere, *others]
        quoted = [r.passage for cat in results for r in cat.rows if r.passage is not None]
        note = self.policy.vintage(quoted[:1], book, english=english)
        if note:
            lines += ["", note]
        return Composed("\n".join(lines), book.citations, bool(book.citations) and not unlisted)

    def indicator_system(self, outline: IndicatorSystem, rows: Sequence[Hit], question: str,
                         focus: IndicatorFocus | None = None, *, english: bool = False) -> Composed:
        """The indicator system from the registry (config data), each primary and indicator cited to its
        附2 row (``rows``: the passages of that section). The answer comes first: the asked indicators'
        primary, weight, coefficient and source; the indicators of one source; or one primary's weight and
        indicators. Asked about the whole system, the count of primaries and indicators comes first,
        then the table of primaries with their weights (and the secondaries of the primaries named)."""
        w = self.wording.lang(english)
        wi = w.indicator_system
        focus = focus or IndicatorFocus()
        book = CitationBook()
        primaries = outline.primaries
        source = f"{outline.doc} {outline.section}".strip()

        def primary_row(p: PrimaryIndicator) -> Hit | None:
            return row_passage(list(rows), p.name, f"{p.indicators[0].code}{p.indicators[0].name}") if p.indicators \
                else row_passage(list(rows), p.name)

        def secondary_row(i: SecondaryIndicator) -> Hit | None:
            return row_passage(list(rows), f"{i.code}{i.name}")

        weight = {p.code: "" if p.weight is None else f"{p.weight:g}" for p in primaries}
        lead: list[str] = []
        for code in focus.secondaries:
            for p in primaries:
                for i in p.indicators:
                    if i.code == code:
                        lead.append(wi.secondary_fact.format(
                            name=i.name, code=i.code, primary=p.name, weight=weight[p.code],
                            coefficient=_coefficient(i.coefficient), source=i.source or "—",
                            cite=book.marker(secondary_row(i)), doc=outline.doc, section=outline.section))
        if focus.source:
            listed = [i for p in primaries for i in p.indicators if i.source == focus.source]
            lead.append(wi.by_source.format(source=focus.source, count=len(listed), doc=outline.doc, section=outline.section)
                        + wi.items_separator.join(wi.indicator_item.format(code=i.code, name=i.name,
                                                                           cite=book.marker(secondary_row(i)))
                                                  for i in listed))
        named = [p for p in primaries if p.code == focus.primary or p.name in question]
        if focus.primary and not focus.secondaries and not focus.source:
            for p in named:
                lead.append(wi.primary_weight.format(
                    name=p.name, weight=weight[p.code], cite=book.marker(primary_row(p)), source=source,
                    count=len(p.indicators), secondaries=wi.items_separator.join(
                        wi.indicator_item.format(code=i.code, name=i.name, cite=book.marker(secondary_row(i)))
                        for i in p.indicators)))
        if focus.secondaries or focus.source or focus.primary:
            lines = [*lead]
        else:
            show_secondaries = bool(named) or "二级" in question or "secondary" in question.lower()
            table = [[p.code, f"{p.name}{book.marker(primary_row(p))}", f"{weight[p.code]}%" if weight[p.code] else "",
                      len(p.indicators)] for p in primaries]
            lines = [wi.headline.format(
                title=outline.title or "国家高新区评价指标体系", source=source, primaries=len(primaries),
                secondaries=sum(len(p.indicators) for p in primaries)), "", md_table(wi.header, table)]
            for p in (named or primaries) if show_secondaries else []:
                items = wi.secondaries_separator.join(
                    wi.secondary_with_coefficient.format(code=i.code, name=i.name, coefficient=_coefficient(i.coefficient),
                                                         source=i.source)
                    if i.coefficient is not None else wi.secondary.format(code=i.code, name=i.name, source=i.source)
                    for i in p.indicators
                )
                lines += ["", wi.primary_line.format(code=p.code, name=p.name, cite=book.marker(primary_row(p)),
                                                     secondaries=items)]
        lines += ["", wi.footer]
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
