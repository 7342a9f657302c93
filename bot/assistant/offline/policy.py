"""Policy answers: the direct answer first, then the quoted, cited sentences it rests on — or an
honest partial answer or refusal.

The question is read first (``question.QuestionReader``: the kind of fact asked, the detail and
its topic, a year, places, a named document) and its :class:`~bot.assistant.offline.evidence.Evidence`
judges the sentences the picker (``sentences.SentencePicker``) chooses:

- an answer opens with one direct answer — the clause of the best sentence that gives what is
  asked (the number, the date, the list), with 可以/不可以 for a can-we question when the clause
  grants or forbids it — quoted verbatim and cited, then the supporting sentences grouped under
  their document (title, 文号, date, level and place, section), each with its ``[n]``;
- passages of another province or city than the one asked about are not quoted;
- when the documents touch the topic but not the detail asked (瞪羚企业 but not its 认定标准, 2003's
  figures for a question about 2018), the answer says exactly that and cites the passage that
  touches the topic; ``grounded`` is false;
- when the coverage signal says the corpus does not cover the question, or no sentence shares
  enough with it, the answer says so ("现有政策文件中没有找到…") and names the closest documents.

Targets with a passed horizon ("到2020年"), plans whose period is over and clauses of documents no
longer in force get a note, and their citations say why (``Citation.outdated``). Nothing here
invents a number: every figure is in a quoted passage.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence

from bot.assistant.offline.citations import CitationBook, doc_label, section_label, short_label
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.evidence import Evidence, EvidenceRules, Missing, clause_with
from bot.assistant.offline.notes import (
    Lookup,
    PlanRules,
    VintageRule,
    in_force_first,
    is_stale,
    outdated_reason,
    status_note,
    vintage_note,
)
from bot.assistant.offline.question import Question, QuestionConfig, QuestionReader, unique
from bot.assistant.offline.sentences import QUANTITY, AnswerType, Sentence, SentencePicker, split_sentences
from bot.assistant.wording import Wording, load_wording
from retrieval.coverage import Coverage
from retrieval.docrefs import cites
from retrieval.models import Hit
from retrieval.versions import status_label

LONG_LEAD = 40  # a longer sentence is cut to the clause that holds most of the question's words
_ENUMERATOR = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、]|——"
                         r"|第[一二三四五六七八九十百零〇]+条(?:之[一二三四五六七八九十]+)?)\s*")


def default_reader(config: QuestionConfig | None = None) -> QuestionReader:
    """The question reader with retrieval's dictionary (whole words, no bigrams) and glossary."""
    from retrieval.normalize import load_synonyms
    from retrieval.tokenize import TokenizerConfig, get_tokenizer

    words = get_tokenizer(TokenizerConfig(mode="search", bigrams=False))  # 利润总额 → 利润, 总额, 利润总额
    return QuestionReader(config or QuestionConfig.load(), words.tokenize, load_synonyms())


def items_after(lead_in: Sentence) -> list[Sentence]:
    """The enumerated items ("（一）…；", "1.…") that follow a sentence opening a list ("符合以下条件的：")
    in its passage; none for another sentence."""
    if not re.search(r"[：:]$", lead_in.text):
        return []
    return _following(lead_in, lambda text: bool(_ITEM.match(text)), MAX_ITEMS)


def exceptions_after(rule: Sentence, exception: re.Pattern[str] | None) -> list[Sentence]:
    """The sentences right after ``rule`` in its passage that qualify it ("仅受到警告处罚的不予公示")."""
    if exception is None:
        return []
    return _following(rule, lambda text: bool(exception.search(text)) and not _ITEM.match(text), MAX_EXCEPTIONS)


def _following(sent: Sentence, belongs: Callable[[str], bool], limit: int) -> list[Sentence]:
    """The run of sentences right after ``sent`` in its passage that ``belongs`` accepts, at most ``limit``."""
    out: list[Sentence] = []
    for order, text in enumerate(split_sentences(sent.hit.text)[sent.order + 1:], sent.order + 1):
        if not belongs(text) or len(out) >= limit:
            break
        out.append(Sentence(text=text, hit_rank=sent.hit_rank, hit=sent.hit, order=order))
    return out


def completed(chosen: Sequence[Sentence], exception: re.Pattern[str] | None = None) -> list[Sentence]:
    """``chosen`` with what completes each rule quoted right after it, each sentence once: the items of a
    list it opens ("同时符合以下条件的：" is not stated without its conditions) and the sentences that
    qualify it (its exceptions)."""
    out: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for sent in chosen:
        for s in (sent, *items_after(sent), *exceptions_after(sent, exception)):
            if (s.hit.chunk_id, s.order) not in seen:
                seen.add((s.hit.chunk_id, s.order))
                out.append(s)
    return out


_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、)）]|——)")
MAX_ITEMS = 15  # items quoted after a list's opening sentence
MAX_LEAD_ITEMS = 8  # items the direct answer names before "……"
MAX_EXCEPTIONS = 2  # qualifying sentences quoted after a rule
LEAD_TIE = 0.05  # lexical overlaps this close count as equally close to the question


class PolicyComposer:
    """Quotes what answers a policy question; shared by the result renderers and the reply letter."""

    verdict_floor = 0.35  # a 可以/不可以 is said only from a sentence holding this share of the question

    def __init__(
        self,
        picker: SentencePicker,
        *,
        min_overlap: float | None = None,
        trust_reach: float | None = None,
        vintage_rules: Sequence[VintageRule] = (),
        lookup: Lookup | None = None,
        wording: Wording | None = None,
        reader: QuestionReader | None = None,
        home: str | None = None,
        plans: PlanRules | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.picker = picker
        self.vintage_rules = list(vintage_rules)
        self.lookup = lookup
        self.wording = wording or load_wording()
        self.reader = reader or default_reader()
        refusal = self.reader.config.refusal  # config/assistant/question.yaml unless given here
        self.min_overlap = refusal.min_overlap if min_overlap is None else min_overlap
        self.trust_reach = refusal.trust_reach if trust_reach is None else trust_reach
        self.rules = EvidenceRules.from_config(self.reader.config)
        self.home = home or None
        self.plans = plans
        self._today = today

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- the question ---------------------------------------------------------------------------

    def read(self, message: str, previous: str | None = None, *, english: bool | None = None) -> Question:
        return self.reader.read(message, previous, language=None if english is None else ("en" if english else "zh"))

    def reread(self, question: Question, spans: Sequence[str], previous: str | None = None) -> Question:
        """The question read again without the parts that name documents ("2005年纲要" is no year
        asked about); its places stay as first read."""
        text = question.text
        for span in spans:
            text = text.replace(span, " ")
        again = self.reader.read(text, previous, language=question.language)
        return again.model_copy(update={"places": question.places, "text": question.text})

    def evidence(self, question: Question) -> Evidence:
        return self.rules.for_question(question, self.home)

    def book(self, english: bool = False) -> CitationBook:
        w = self.wording.lang(english)
        plans, today = self.plans, self.today
        return CitationBook(lambda hit: outdated_reason(hit, w, plans, today))

    def vintage(self, hits: Sequence[Hit], book: CitationBook, *, english: bool = False) -> str:
        return vintage_note(hits, self.wording.lang(english), book=book, rules=self.vintage_rules, lookup=self.lookup,
                            today=self.today)

    # -- sentences --------------------------------------------------------------------------------

    def supported(
        self, query: str, chosen: Sequence[Sentence], overlap: float, coverage: Coverage | None, *,
        english: bool = False,
    ) -> tuple[bool, AnswerType | None]:
        """Whether the chosen sentences answer the question, and the kind of answer missing if not.

        Not answered: nothing chosen; the best sentence shares too little with the question
        (``min_overlap``; English questions are matched through their Chinese expansion, so this
        is not applied to them); the retrieval coverage signal says "not covered" and the best
        sentence does not hold at least ``trust_reach`` of all the question's weighted terms (not
        applied to English questions, whose words count only through their Chinese expansion); or
        the question asks for a kind of answer (an amount, a day, a period …) no chosen sentence
        gives.
        """
        if not self.enough(chosen, overlap, coverage, english=english):
            return False, None
        missing = self.picker.unanswered(query, chosen)
        return missing is None, missing

    def enough(self, chosen: Sequence[Sentence], overlap: float, coverage: Coverage | None, *,
               english: bool = False) -> bool:
        """The first checks of :meth:`supported`: something chosen that shares enough with the question.

        ``overlap`` counts only the question's words some retrieved sentence holds (they are what tells
        the sentences apart); the trust in a sentence despite the coverage signal counts all of them:
        "红烧肉怎么做" shares only 怎么 with any passage, which is then all of its overlap."""
        if not chosen or (overlap < self.min_overlap and not english):
            return False
        return (coverage is None or coverage.covered
                or (not english and max(s.reach for s in chosen) >= self.trust_reach))

    def passages(
        self, query: str, hits: Sequence[Hit], book: CitationBook, *, english: bool = False, bullet: str = "- ",
        evidence: Evidence | None = None,
    ) -> tuple[list[str], list[Sentence], float]:
        """Quoted sentences grouped under their document, each with its [n]."""
        chosen, overlap = self.picker.pick(query, hits, evidence)
        return self.quote(chosen, book, english=english, bullet=bullet), chosen, overlap

    def quote(self, chosen: Sequence[Sentence], book: CitationBook, *, english: bool = False,
              bullet: str = "- ") -> list[str]:
        w = self.wording.lang(english)
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
        return lines

    # -- the answer ---------------------------------------------------------------------------------

    def policy_answer(
        self, query: str, hits: Sequence[Hit], coverage: Coverage | None, *, english: bool = False,
        question: str | None = None, frame: Question | None = None, named: Sequence[str] = (),
    ) -> Composed:
        """The answer to ``question`` (the user's words; ``frame`` its reading, read here when not
        given) from ``hits``, whose sentences are matched against ``query`` (the search query,
        synonyms expanded). With ``named`` (documents the question names), those documents answer;
        when they do not, the others may, after a sentence saying so. A refusal echoes the question
        when it has no figures."""
        asked = question or query
        frame = frame or self.read(asked, english=english)
        evidence = self.evidence(frame)
        in_scope, elsewhere = evidence.scoped(hits, named)
        if not in_scope:
            if elsewhere and evidence.places:
                return self.other_place(frame, evidence, elsewhere, english=english)
            return self.refusal(asked, hits, english=english)
        inside = [h for h in in_scope if h.doc in named] if named else []
        if inside:
            # the question names these documents: whether the corpus covers its topic is not the question
            answer = self._answer(query, inside, None, asked, frame, evidence, english=english, spread=named)
            others = [h for h in in_scope if h.doc not in named]
            if answer.grounded or not others:
                return answer
            fallback = self._answer(query, others, coverage, asked, frame, evidence, english=english)
            if not fallback.grounded:
                return answer
            w = self.wording.lang(english)
            labels = w.refusal.documents_separator.join(unique(short_label(h) for h in inside))
            return Composed(w.refusal.not_in_named.format(documents=labels).strip() + "\n\n" + fallback.text,
                            fallback.citations, True, fallback.notices)
        answer = self._answer(query, in_scope, coverage, asked, frame, evidence, english=english)
        # "no rules of 浙江省" only when none of the place's own documents was found
        if not answer.grounded and elsewhere and evidence.places and not any(evidence.of_place(h) for h in in_scope):
            return self.other_place(frame, evidence, elsewhere, english=english)
        return answer

    def _answer(self, query: str, hits: Sequence[Hit], coverage: Coverage | None, asked: str, frame: Question,
                evidence: Evidence, *, english: bool, spread: Sequence[str] = ()) -> Composed:
        book = self.book(english)
        hits = in_force_first(hits)
        evidence.attend(hits[: self.picker.max_hits])
        chosen, overlap = self.picker.pick(query, hits, evidence)
        for doc in spread if len(spread) > 1 else ():  # "十二五纲要和7号文怎么规定": each named document speaks
            if chosen and not any(s.hit.doc == doc for s in chosen):
                own, own_overlap = self.picker.pick(query, [h for h in hits if h.doc == doc], evidence)
                if own and own_overlap >= self.min_overlap:
                    chosen = [*chosen, own[0]]
        # a sentence setting the band that holds the asker's own figure is about the question, whatever
        # the coverage signal says
        if not self.enough(chosen, overlap, None if any(evidence.bounds_asker(s.text) for s in chosen) else coverage,
                           english=english):
            return self.refusal(asked, hits, english=english)
        chosen = completed(chosen, self.rules.exception)  # a rule's items and exceptions are part of what it gives
        missing = evidence.missing(chosen)
        if missing is not None:
            return self.partial(frame, evidence, missing, english=english)
        w = self.wording.lang(english)
        lead = self.listed(frame, hits, book, english=english)
        if lead:  # each thing listed is quoted where it is named, before the sentences chosen
            named = self.naming_sentences(frame, hits)
            chosen = [*named, *(s for s in chosen if (s.hit.chunk_id, s.text) not in
                                {(n.hit.chunk_id, n.text) for n in named})]
        else:
            lead = self.lead(frame, evidence, chosen, book, english=english)
        body = [lead, "", w.policy.basis, *self.quote(chosen, book, english=english)]
        quoted = [s.hit for s in chosen]
        for note in (self.vintage(quoted, book, english=english),
                     status_note(quoted, w, considered=hits[: self.picker.max_hits], book=book)):
            if note:
                body += ["", note]
        return Composed("\n".join(body), book.citations, True)

    def lead(self, frame: Question, evidence: Evidence, chosen: Sequence[Sentence], book: CitationBook, *,
             english: bool = False) -> str:
        """The direct answer: the clause of the best sentence that gives what is asked, quoted and cited.

        The best sentence gives the most of what is asked (the kind of fact, the detail, the year),
        then holds most of the question's words. A can-we question gets 可以 / 不可以 only when that
        sentence shares enough with the question (``verdict_floor``) and its clause grants or forbids."""
        def fits(s: Sentence) -> int:
            return (sum(t.answered_by(s.text) for t in evidence.asked) + evidence.gives_focus(s.text, s.hit)
                    + (frame.year is not None and evidence.year_stated(s.text, s.hit))
                    + (frame.listing and "、" in s.text) + evidence.states_count(s.text) + evidence.bounds_asker(s.text) + evidence.states_other_figure(s.text)
                    - evidence.names_other(s.text))  # 外观设计's sum is not the 实用新型 one asked

        # of the sentences giving the most of what is asked, those about as close to the question as the
        # closest (within ``LEAD_TIE``) are told apart by their whole score (rank, the asked kind of fact):
        # "知识产权…出资" leads "企业能不能用知识产权出资", not a clause repeating 知识产权 and 示范区
        top = max(fits(s) for s in chosen)
        fitting = [s for s in chosen if fits(s) == top]
        closest = max(s.lexical for s in fitting)
        best = max((s for s in fitting if s.lexical >= closest - LEAD_TIE), key=lambda s: (s.score, s.lexical))
        wanted: list[re.Pattern[str] | str] = [t.pattern for t in evidence.asked]
        wanted += [w for w in frame.focus if not re.fullmatch(r"[a-z0-9 ]+", w)]
        wanted += evidence.named_members
        if self.picker.wants_quantity(frame.text):
            wanted.append(QUANTITY)
        if frame.listing:
            wanted.append("、")
        if frame.year is not None:
            wanted.append(str(frame.year))
        clause = clause_with(best.text, wanted, [t.pattern for t in evidence.asked]) if wanted else best.text
        if evidence.bounds_asker(best.text) and len(best.text) <= LONG_LEAD:
            clause = best.text  # the band and what it requires: "在5,000万元至2亿元的企业，比例不低于4%"
        if clause == best.text and len(clause) > LONG_LEAD:
            clause = _clause_with_most(best.text, best.terms)
        clause = _ENUMERATOR.sub("", clause).rstrip("。；;，,")
        # a clause that already names the things counted ("…等三类园区") is the list; what follows is another one
        listed_here = evidence.states_count(clause) and "、" in clause
        items = [_ENUMERATOR.sub("", s.text).rstrip("。；;，,") for s in items_after(best)] \
            if frame.listing and not listed_here else []
        if items:
            # "符合以下条件的：" says nothing until its items are read: the items are the answer
            clause = clause.rstrip("：:") + "：" + "；".join(items[:MAX_LEAD_ITEMS]) + ("……" if len(items) > MAX_LEAD_ITEMS else "")
        asked_words = {t for t in self.picker.tokenize(frame.text) if len(t) >= 2 and t not in best.text}
        rider = next((e for e in exceptions_after(best, self.rules.exception) if any(t in e.text for t in asked_words)),
                     None)
        if rider is not None:  # "只受了警告会不会被公示": the exception the question is about answers it
            clause += "；" + rider.text.rstrip("。；;")
        w = self.wording.lang(english)
        verdict = evidence.verdict(clause) if best.lexical >= self.verdict_floor else None
        return w.policy.lead.format(verdict={"grant": w.policy.grant, "forbid": w.policy.forbid}.get(verdict or "", ""),
                                    source=short_label(best.hit), clause=clause, cite=f"[{book.cite(best.hit)}]")

    def listed(self, frame: Question, hits: Sequence[Hit], book: CitationBook, *, english: bool = False) -> str:
        """A list question answered with every thing of the kind asked that one document names in quotes
        ("哪几项火炬工程" → 实施“创新型产业集群建设工程”, 实施“科技服务体系火炬创新工程” …), each cited;
        "" when no document names two."""
        items = self.list_items(frame, hits)
        if not items:
            return ""
        w = self.wording.lang(english)
        first = next(iter(items.values()))
        listed = w.list_separator.join(f"“{name}”[{book.cite(hit)}]" for name, hit in items.items())
        return w.policy.listed.format(source=short_label(first), item=frame.listed_item, count=len(items), items=listed)

    def list_items(self, frame: Question, hits: Sequence[Hit]) -> dict[str, Hit]:
        """The things of the kind a list question asks for that one document names in quotes (the
        document naming most), each with the passage naming it first; empty when none names two."""
        head = frame.listed_item[-2:]
        if not frame.listing or len(head) < 2:
            return {}
        named = re.compile(rf"“([^“”\n]{{0,30}}?{re.escape(head)})”")
        by_doc: dict[str, dict[str, Hit]] = {}
        for hit in hits:
            for m in named.finditer(hit.text):
                by_doc.setdefault(hit.doc, {}).setdefault(m.group(1), hit)
        items = max(by_doc.values(), key=len, default={})
        return items if len(items) >= 2 else {}

    def naming_sentences(self, frame: Question, hits: Sequence[Hit]) -> list[Sentence]:
        """The sentence naming each thing :meth:`list_items` lists, once each, in the list's order."""
        out: list[Sentence] = []
        ranks = {h.chunk_id: i for i, h in enumerate(hits)}
        for name, hit in self.list_items(frame, hits).items():
            for order, text in enumerate(split_sentences(hit.text)):
                if f"“{name}”" in text:
                    if not any(s.hit.chunk_id == hit.chunk_id and s.text == text for s in out):
                        out.append(Sentence(text=text, hit_rank=ranks.get(hit.chunk_id, 0), hit=hit, order=order))
                    break
        return out

    # -- partial answers and refusals ---------------------------------------------------------------

    def partial(self, frame: Question, evidence: Evidence, missing: Missing, *, english: bool = False) -> Composed:
        """The documents touch the topic but do not give what is asked: say exactly that, citing them."""
        w = self.wording.lang(english)
        book = self.book(english)
        sent = missing.topic
        assert sent is not None
        if missing.what == "year":
            detail = frame.focus_label or w.refusal.year_detail
            if missing.other_years:
                clause = clause_with(sent.text, [*frame.focus, *(str(y) for y in missing.other_years)])
                text = w.refusal.other_year.format(
                    year=frame.year, detail=detail, years=w.list_separator.join(map(str, missing.other_years)),
                    clause=_ENUMERATOR.sub("", clause), cite=f"[{book.cite(sent.hit)}]", source=short_label(sent.hit))
            else:
                text = w.refusal.no_year.format(year=frame.year, detail=detail)
            return Composed(text, book.citations, False)
        if missing.what == "kind" and missing.kind is not None and not (frame.options and frame.focus_label):
            detail = missing.kind.label_en if english else missing.kind.label
            named = evidence.asked_instead(sent.text)
            if named:  # the sentence quoted is another kind's: say whose detail is not stated
                detail = w.refusal.whose_detail.format(whose=w.list_separator.join(named), detail=detail)
        else:
            # a choice is about its focus: "加计扣除比例是75%还是100%"; else the figure offered ("按175%扣除吗"),
            # else the kind asked ("还能用多少年？是不是从50年算？": only the asker's 50年 is stated)
            kinds = [k.label_en if english else k.label for k in evidence.asked if k.label]
            detail = frame.detail or w.list_separator.join(frame.options) or (kinds[0] if kinds else w.refusal.detail)
        words = frame.topic or frame.focus
        clause = clause_with(sent.text, [x for x in words if x]) if words and not missing.whole else sent.text
        text = w.refusal.partial.format(source=short_label(sent.hit), clause=_ENUMERATOR.sub("", clause).rstrip("。"),
                                        cite=f"[{book.cite(sent.hit)}]", detail=detail)
        return Composed(text, book.citations, False)

    def other_place(self, frame: Question, evidence: Evidence, elsewhere: Sequence[Hit], *,
                    english: bool = False) -> Composed:
        """The question is about one place; what was found is another place's rules."""
        w = self.wording.lang(english)
        place = w.list_separator.join(p.name for p in evidence.places)
        # a reprinted notice printing no issuer is of the place its title names (Evidence.jurisdiction)
        placed = [(h, j) for h in elsewhere if (j := evidence.jurisdiction(h)) is not None]
        local = [h for h, j in placed if j.level != "national" and not evidence.in_scope(h)]
        docs = unique(doc_label(h, w) for h in local)[:3]
        places = unique(j.place for h, j in placed if h in local)
        text = w.refusal.other_place.format(place=place)
        if docs:
            text += w.refusal.other_place_docs.format(documents=w.refusal.documents_separator.join(docs),
                                                      places=w.list_separator.join(places), place=place)
        return Composed(text + self.closest([h for h in elsewhere if h not in local], english=english), [], False)

    def refusal(self, query: str, hits: Sequence[Hit], *, english: bool = False,
                missing: AnswerType | None = None) -> Composed:
        """Say plainly that the documents do not answer, and name the closest documents.

        With ``missing`` (the kind of answer asked for, e.g. an amount) the text says that the
        documents touch the topic but do not state that.
        """
        w = self.wording.lang(english)
        # the question is echoed only without figures: every number in an answer must come from a source
        topic = w.refusal.topic_named.format(question=_short(query)) if not re.search(r"\d", query) \
            else w.refusal.topic_unnamed
        label = (missing.label_en if english else missing.label) if missing is not None else ""
        text = w.refusal.not_stated.format(topic=topic, label=label) if label \
            else w.refusal.not_found.format(topic=topic)
        return Composed(text + self.closest(hits, english=english), [], False)

    def not_held(self, refs: Sequence[str], hits: Sequence[Hit], *, english: bool = False) -> Composed:
        """The question names documents by numbers no document of the corpus has: say so, and name the
        closest documents, instead of answering from others as if they were the ones named."""
        w = self.wording.lang(english)
        text = w.refusal.not_held.format(documents=w.refusal.documents_separator.join(refs))
        return Composed(text + self.closest(hits, english=english), [], False)

    @staticmethod
    def cited_scope(refs: Sequence[str], citing: Sequence[Hit], doc_hits: Sequence[Hit]) -> list[Hit]:
        """What the documents citing a document say of it: the sentence citing it; when that sentence
        introduces what follows ("按照《…》（东府办〔2016〕20号）执行的项目：", "根据…的规定，现通知如下："), the
        rest of its passage and the passages under its section too. The narrowest scope wins: a notice
        citing two 办法 in its preamble and each again over its own part is read in that part. A date or
        a sum elsewhere in a citing document (its signature, another programme) says nothing of the cited one."""
        scoped: list[tuple[Hit, bool]] = []  # (passage, whether its scope is the whole document)
        narrow = False  # a part of a document (a section) cites it
        for hit in citing:
            sentences = split_sentences(hit.text)
            at = next((i for i, s in enumerate(sentences) if any(cites(s, ref) for ref in refs)), None)
            if at is None:
                continue
            narrow = narrow or bool(hit.section)
            leads_in = bool(re.search(r"[：:]$", sentences[at]))
            text = "\n".join(sentences[at:] if leads_in else sentences[at:at + 1])
            scoped.append((hit.model_copy(update={"text": text}), False))
            if leads_in:
                under = [h for h in doc_hits if h.doc == hit.doc and h.chunk_id != hit.chunk_id
                         and (not hit.section or (h.section.startswith(hit.section) and h.section != hit.section))]
                scoped += [(h, not hit.section) for h in under]
        kept = {(h.chunk_id, h.text): h for h, whole in scoped if not (whole and narrow)}
        return list(kept.values())

    def cited_only(self, refs: Sequence[str], citing: Sequence[Hit], answer: Composed, hits: Sequence[Hit],
                   passages: Sequence[Hit] = (), *, english: bool = False) -> Composed:
        """A document the corpus does not hold, asked about: ``answer`` from the documents that cite it
        ("按照《…办法》（东府办〔2016〕20号）执行的项目…"), after saying they are not that document; when
        they do not answer, the refusal of :meth:`not_held`, the citing documents first. ``passages``: the
        whole passages :meth:`cited_scope` read parts of; a citation is to the passage, as indexed."""
        if not answer.grounded:
            return self.not_held(refs, [*citing, *hits], english=english)
        w = self.wording.lang(english)
        note = w.refusal.cited_only.format(documents=w.refusal.documents_separator.join(refs),
                                           citing=w.refusal.documents_separator.join(unique(doc_label(h, w) for h in citing)))
        whole = {h.chunk_id: h.text for h in passages}
        citations = [c.model_copy(update={"text": whole.get(c.chunk_id, c.text)}) for c in answer.citations]
        return Composed(note + "\n\n" + answer.text, citations, True, answer.notices)

    def closest(self, hits: Sequence[Hit], *, english: bool = False) -> str:
        """The sentence naming the closest documents a refusal points to ("" when nothing was found)."""
        w = self.wording.lang(english)
        seen = unique(doc_label(hit, w) for hit in hits)
        return w.refusal.closest.format(documents=w.refusal.documents_separator.join(seen[:3])) if seen else ""


def _clause_with_most(sentence: str, terms: Iterable[str]) -> str:
    """The clause (with its lead-in) holding most of the question's words, longer words first."""
    words = sorted((t for t in terms if len(t) >= 2), key=len, reverse=True)
    return clause_with(sentence, words) if words else sentence



def _short(text: str, limit: int = 40) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip("？?。.!！")
    return text if len(text) <= limit else text[: limit - 1] + "…"
