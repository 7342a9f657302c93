"""Policy answers: the quoted sentences that answer a question, each cited, or a plain refusal.

The chosen sentences (``sentences.SentencePicker``) are quoted verbatim, grouped under the
document they come from (title, 文号, date, section) and cited with ``[n]``. Targets with a horizon
("到2020年") and clauses of documents no longer in force get a note. When the coverage signal says
the corpus does not cover the question, or no sentence gives what is asked, the answer says so
("现有政策文件中没有找到…") and names the closest documents instead of guessing; ``grounded`` is
then false. Nothing here invents a number: every figure is in a quoted passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.assistant.offline.citations import CitationBook, doc_label, section_label
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.notes import (
    Lookup,
    VintageRule,
    in_force_first,
    is_stale,
    status_note,
    vintage_note,
)
from bot.assistant.offline.sentences import AnswerType, Sentence, SentencePicker
from bot.assistant.wording import Wording, load_wording
from retrieval.coverage import Coverage
from retrieval.models import Hit
from retrieval.versions import status_label


class PolicyComposer:
    """Quotes what answers a policy question; shared by the result renderers and the reply letter."""

    def __init__(
        self,
        picker: SentencePicker,
        *,
        min_overlap: float = 0.12,
        trust_overlap: float = 0.5,
        vintage_rules: Sequence[VintageRule] = (),
        lookup: Lookup | None = None,
        wording: Wording | None = None,
    ) -> None:
        self.picker = picker
        self.min_overlap = min_overlap
        self.trust_overlap = trust_overlap
        self.vintage_rules = list(vintage_rules)
        self.lookup = lookup
        self.wording = wording or load_wording()

    def vintage(self, hits: Sequence[Hit], book: CitationBook, *, english: bool = False) -> str:
        return vintage_note(hits, self.wording.lang(english), book=book, rules=self.vintage_rules, lookup=self.lookup)

    def supported(
        self, query: str, chosen: Sequence[Sentence], overlap: float, coverage: Coverage | None, *,
        english: bool = False,
    ) -> tuple[bool, AnswerType | None]:
        """Whether the chosen sentences answer the question, and the kind of answer missing if not.

        Not answered: nothing chosen; the best sentence shares too little with the question
        (``min_overlap``; English questions are matched through their Chinese expansion, so this
        is not applied to them); the retrieval coverage signal says "not covered" and the best
        sentence does not hold at least ``trust_overlap`` of the question's weighted terms (for an
        English question the overlap counts only its Chinese expansion, so the signal stands); or
        the question asks for a kind of answer (an amount, a day, a period …) no chosen sentence
        gives.
        """
        if not chosen or (overlap < self.min_overlap and not english):
            return False, None
        if coverage is not None and not coverage.covered and (english or overlap < self.trust_overlap):
            return False, None
        missing = self.picker.unanswered(query, chosen)
        return missing is None, missing

    def passages(
        self, query: str, hits: Sequence[Hit], book: CitationBook, *, english: bool = False, bullet: str = "- ",
    ) -> tuple[list[str], list[Sentence], float]:
        """Quoted sentences grouped under their document, each with its [n]."""
        w = self.wording.lang(english)
        chosen, overlap = self.picker.pick(query, hits)
        lines: list[str] = []
        current: tuple[str, str] | None = None
        for sent in chosen:
            key = (sent.hit.doc, sent.hit.section)
            if key != current:
                current = key
                status = w.policy.status.format(status=status_label(sent.hit.status, sent.hit.superseded_by)) \
                    if is_stale(sent.hit) and not english else ""
                section = section_label(sent.hit)
                lines.append(w.policy.passage_head.format(
                    document=doc_label(sent.hit, w), status=status,
                    section=w.policy.section_prefix + section if section else ""))
            lines.append(f"{bullet}{sent.text}[{book.cite(sent.hit)}]")
        return lines, chosen, overlap

    def policy_answer(
        self, query: str, hits: Sequence[Hit], coverage: Coverage | None, *, english: bool = False,
        question: str | None = None,
    ) -> Composed:
        """Quoted sentences that answer ``query`` (the search query, synonyms expanded) or a refusal;
        a refusal echoes ``question`` (the user's own words) when it is given."""
        asked = question or query
        if not hits:
            return self.refusal(asked, hits, english=english)
        book = CitationBook()
        hits = in_force_first(hits)
        lines, chosen, overlap = self.passages(query, hits, book, english=english)
        ok, missing = self.supported(query, chosen, overlap, coverage, english=english)
        if not ok:
            # with `missing`, the documents discuss the topic but do not give what is asked (an amount, a day …)
            return self.refusal(asked, hits, english=english, missing=missing)
        w = self.wording.lang(english)
        body = [w.policy.intro, "", *lines]
        quoted = [s.hit for s in chosen]
        for note in (self.vintage(quoted, book, english=english),
                     status_note(quoted, w, considered=hits[: self.picker.max_hits], book=book)):
            if note:
                body += ["", note]
        return Composed("\n".join(body), book.citations, True)

    def refusal(self, query: str, hits: Sequence[Hit], *, english: bool = False,
                missing: AnswerType | None = None) -> Composed:
        """Say plainly that the documents do not answer, and name the closest documents.

        With ``missing`` (the kind of answer asked for, e.g. an amount) the text says that the
        documents touch the topic but do not state that.
        """
        w = self.wording.lang(english)
        seen: list[str] = []
        for hit in hits:
            label = doc_label(hit, w)
            if label not in seen:
                seen.append(label)
        # the question is echoed only without figures: every number in an answer must come from a source
        topic = w.refusal.topic_named.format(question=_short(query)) if not re.search(r"\d", query) \
            else w.refusal.topic_unnamed
        label = (missing.label_en if english else missing.label) if missing is not None else ""
        text = w.refusal.not_stated.format(topic=topic, label=label) if label \
            else w.refusal.not_found.format(topic=topic)
        if seen:
            text += w.refusal.closest.format(documents=w.refusal.documents_separator.join(seen[:3]))
        return Composed(text, [], False)


def _short(text: str, limit: int = 40) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip("？?。.!！")
    return text if len(text) <= limit else text[: limit - 1] + "…"
