"""Notes under a quoted answer: targets whose horizon year has passed, plans whose period is over,
and clauses from documents that are no longer in force; and the same as a short reason on each
citation (``outdated``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from bot.assistant.offline.citations import CitationBook
from bot.assistant.wording import LanguageWording
from retrieval.models import Hit

_HORIZON = re.compile(r"到\s*(20\d\d)\s*年")

Lookup = Callable[[str, str, str], "Hit | None"]  # (doc, section, hint) -> the passage, as Toolbox.find_clause


@dataclass
class VintageRule:
    """A target table whose horizon year is stated in another passage (intents.yaml ``vintage``)."""

    doc: str
    section_prefix: str
    hint: str


def vintage_note(
    hits: Sequence[Hit],
    w: LanguageWording,
    *,
    book: CitationBook | None = None,
    rules: Sequence[VintageRule] = (),
    lookup: Lookup | None = None,
    today: dt.date | None = None,
) -> str:
    """A note on targets whose horizon year ("到2020年") has passed, naming the document's own date.

    The year is taken from a cited passage: the quoted one, or, for a table whose horizon is
    stated elsewhere (``rules``), the passage ``lookup`` finds, which is then cited too. A horizon
    still ahead of ``today`` gets no note.
    """
    this_year = (today or dt.date.today()).year
    found: list[tuple[str, str, str, str]] = []
    looked_up: dict[tuple[str, str, str], Hit | None] = {}  # one search per rule, however many rows are quoted
    for hit in hits:
        years = sorted(set(_HORIZON.findall(hit.text)))
        marker = ""
        if not years and lookup is not None:
            for rule in rules:
                if hit.doc == rule.doc and hit.section.startswith(rule.section_prefix):
                    key = (rule.doc, rule.section_prefix, rule.hint)
                    if key not in looked_up:
                        looked_up[key] = lookup(*key)
                    intro = looked_up[key]
                    intro_years = sorted(set(_HORIZON.findall(intro.text))) if intro is not None else []
                    if intro is not None and intro_years:
                        years = intro_years
                        marker = book.marker(intro) if book is not None else ""
                    break
        if years and int(years[-1]) < this_year:
            found.append((years[-1], (hit.date or "")[:4], hit.doc or hit.title, marker))
    if not found:
        return ""
    year, issued, doc, marker = sorted(set(found))[0]
    return w.notes.vintage.format(year=year, marker=marker, doc=doc,
                                  issued=w.notes.vintage_issued.format(year=issued) if issued else "")


def is_stale(hit: Hit) -> bool:
    return hit.status != "in_force"


def in_force_first(hits: Sequence[Hit]) -> list[Hit]:
    """Passages of in-force documents before those of superseded, repealed or expired ones (stable).
    The picker still judges every passage by its words; this only decides who wins a tie, so the
    current rule is quoted when an old and a new document say the same thing."""
    return [h for h in hits if not is_stale(h)] + [h for h in hits if is_stale(h)]


def status_note(hits: Sequence[Hit], w: LanguageWording, *, considered: Sequence[Hit] = (),
                book: CitationBook | None = None) -> str:
    """Say when a quoted passage comes from a document no longer in force ("该条款出自已被…替代的文件"),
    and when an old version among the `considered` hits was set aside for the document replacing it."""
    notes: list[str] = []
    quoted_docs = {h.doc for h in hits}
    seen: set[str] = set()
    for hit in hits:
        if not is_stale(hit) or hit.doc in seen:
            continue
        seen.add(hit.doc)
        marker = book.marker(hit) if book is not None else ""
        if hit.status == "superseded" and hit.superseded_by:
            notes.append(w.notes.superseded.format(marker=marker, by=hit.superseded_by, doc=hit.doc))
        else:
            notes.append(w.notes.no_longer_in_force.format(marker=marker, doc=hit.doc,
                                                          status=w.notes.statuses.of(hit.status)))
    for hit in considered:
        by = hit.superseded_by
        if is_stale(hit) and by and by in quoted_docs and hit.doc not in quoted_docs and hit.doc not in seen:
            seen.add(hit.doc)
            notes.append(w.notes.also_covered.format(doc=hit.doc, by=by))
    return "\n".join(notes)


class PlanRules(BaseModel):
    """Plans whose title names their period (drafting.yaml ``plans``): the period's last year."""

    periods: dict[str, int]
    span: str


def plan_end(hit: Hit, plans: PlanRules) -> tuple[str, int] | None:
    """(period, last year) of a plan whose title names its period ("十二五" → 2015), else None."""
    title = hit.title or ""
    for period, year in sorted(plans.periods.items(), key=lambda p: -len(p[0])):
        if f"“{period}”" in title or f"\"{period}\"" in title or f"{period}规划" in title or f"{period}发展规划" in title:
            return period, year
    m = re.search(plans.span, title)
    return (m.group(0), int(m.group(2))) if m else None


def outdated_reason(hit: Hit, w: LanguageWording, plans: PlanRules | None, today: dt.date) -> str:
    """Why the rule a passage states may be out of date, worded for a citation label; "" when current.

    A document no longer in force (its status), a plan whose period is over (its title), or a target
    whose horizon year has passed (the passage's own "到2020年")."""
    if is_stale(hit):
        return w.notes.statuses.of(hit.status).rstrip("的")
    plan = plan_end(hit, plans) if plans is not None else None
    if plan is not None and plan[1] < today.year:
        return w.notes.plan_over.format(period=plan[0], end=plan[1])
    years = sorted({int(y) for y in _HORIZON.findall(hit.text)})
    if years and years[-1] < today.year:
        return w.notes.target_passed.format(year=years[-1])
    return ""
