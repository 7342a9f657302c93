"""Which sentences of the retrieved passages answer a question.

Every sentence of the top hits is scored by how much of the question's rare terms it contains (IDF
over the candidate sentences, on the same jieba tokens retrieval uses, plus Han-bigram overlap for
wording the tokenizer cuts differently), a prior for the hit's rank, and a bonus for carrying a
number when the question asks for a quantity, or for giving the kind of answer it asks for (an
amount, a day … see ``answer_kinds`` in config/assistant/question.yaml), and what the question's
:class:`~bot.assistant.offline.evidence.Evidence` adds (the asked detail, the asked year; past
figures of another year count against a sentence). The best few are quoted verbatim by the
composer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from retrieval.models import Hit

if TYPE_CHECKING:
    from bot.assistant.offline.evidence import Evidence
    from bot.assistant.offline.question import QuestionConfig

_SENT_END = re.compile(r"(?<=[。！？!?])")
_CLAUSE_END = re.compile(r"(?<=[；;])")
LONG_SENTENCE = 120  # longer sentences are cut at their semicolons
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_DIGIT = re.compile(r"\d|百分|[一二三四五六七八九十百千万]+(?:岁|年|%|％|个|家|倍)")
QUANTITY = _DIGIT  # what a sentence holds when it gives a quantity
_BRACKETED_NUMBER = re.compile(r"[\[［](\d+)[\]］]")  # "中发[2012]6号": would read as a [n] marker
SHORT_LINE = 8  # a line this short with no closing punctuation ("国务院", "科技部") runs on into the next
ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇两\d]+条")  # a law's article: one rule, however it was cut into passages


@dataclass
class Sentence:
    text: str
    hit_rank: int
    hit: Hit
    order: int
    score: float = 0.0
    lexical: float = 0.0  # share of the question's weighted words (and bigrams) the sentence holds
    reach: float = 0.0  # the same share, counting the question's words no candidate sentence holds
    terms: frozenset[str] = frozenset()  # the question's words it holds


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; a table row (tab-separated) is one sentence "指标：要求".

    A short unpunctuated line (an issuer above its date: "国务院\n2020年7月13日") is joined to the
    next line, and a bracketed number ("中发[2012]6号") gets the 文号 brackets 〔〕, so a quoted
    sentence never carries a ``[n]`` that is not a citation.
    """
    out: list[str] = []
    carry = ""
    for line in _BRACKETED_NUMBER.sub(r"〔\1〕", text).replace("\r", "").split("\n"):
        line = line.strip()
        if not line:
            continue
        if carry:
            line, carry = f"{carry} {line}", ""
        if len(line) < SHORT_LINE and not re.search(r"[。！？!?；;：:]$", line) and "\t" not in line:
            carry = line
            continue
        if "\t" in line or "|" in line.strip("|"):
            row = _table_row(line)
            if row:
                out.append(row)
            continue
        for sentence in _fields_joined(_SENT_END.split(line)):
            parts = _joined_short(_CLAUSE_END.split(sentence)) if len(sentence) > LONG_SENTENCE else [sentence]
            for part in parts:
                part = part.strip()
                if len(part) >= 4:
                    out.append(part)
    if len(carry) >= 4:
        out.append(carry)
    return out


_FIELD = re.compile(r"^\s*[\u4e00-\u9fff]{2,8}[：:]")  # "指标来源：…": a labelled field of the same record


def _fields_joined(sentences: list[str]) -> list[str]:
    """Sentences of one line, a labelled field ("指标来源：财务年报表。") kept with the record it completes
    ("…计算方法：门诊收入/医疗收入×100%。"), as long as the record stays a sentence one can quote."""
    out: list[str] = []
    for sentence in sentences:
        if (out and _FIELD.match(sentence) and re.search(r"[：:]", out[-1])
                and len(out[-1]) + len(sentence) <= 2 * LONG_SENTENCE):
            out[-1] += sentence
        else:
            out.append(sentence)
    return out


SHORT_CLAUSE = 40  # a shorter clause after a semicolon stays with the one before ("…；情节严重的，吊销营业执照。")


def _joined_short(parts: list[str]) -> list[str]:
    """Semicolon clauses, a short one kept with the clause it completes (a law's condition; consequence)."""
    out: list[str] = []
    for part in parts:
        if out and len(part.strip()) < SHORT_CLAUSE:
            out[-1] += part
        else:
            out.append(part)
    return out


def _table_row(line: str) -> str:
    cells = [c.strip() for c in re.split(r"\t|\|", line) if c.strip()]
    if not cells or cells[:2] in (["序号", "指标"],) or cells[0] in {"序号", "一级指标"}:
        return ""
    if re.fullmatch(r"\d{1,2}", cells[0]) and len(cells) > 1:
        cells = cells[1:]
    if len(cells) == 2:
        return f"{cells[0]}：{cells[1]}"
    return " ｜ ".join(cells)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _repeats(text: str, other: str) -> bool:
    """The sentence says again what another says (scraped pages repeat paragraphs); two rules that
    differ in their figures ("不低于6%" in one notice, "不低于10%" in another) do not repeat each other."""
    return fuzz.ratio(text, other) >= 85 and _NUMBER.findall(text) == _NUMBER.findall(other)


def han_bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _HAN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


@dataclass
class AnswerType:
    """A kind of answer a question asks for (an amount of money, a day, a period …).

    Defined in config/assistant/question.yaml (``answer_kinds``): ``cues`` are regular expressions
    on the normalised question that say it asks for this kind of answer; ``evidence`` is the
    regular expression a sentence must match to give it (a sum in 元, a day of a month …). The
    picker prefers such sentences; when ``refuse`` is set and no quoted sentence gives the
    answer, the composer says that the documents do not state it (``label``) instead of quoting
    a neighbouring clause on the same topic. A ``subject`` kind (tax) is what the answer must be
    about, on top of the kind of fact asked: a tax *rate* needs a rate and the tax.
    """

    name: str
    cues: Sequence[str]
    evidence: str
    label: str = ""
    label_en: str = ""
    refuse: bool = True
    subject: bool = False
    compares: bool = False

    def __post_init__(self) -> None:
        self._cues = [re.compile(c) for c in self.cues]
        self._evidence = re.compile(self.evidence)

    def asked(self, question: str) -> bool:
        question = question.lower()
        return any(c.search(question) for c in self._cues)

    def answered_by(self, text: str) -> bool:
        return bool(self._evidence.search(text))

    @property
    def pattern(self) -> re.Pattern[str]:
        """The evidence as a compiled pattern."""
        return self._evidence


def answer_types(config: QuestionConfig) -> dict[str, AnswerType]:
    """The answer kinds of question.yaml as the picker and the evidence judge sentences by them (``narrows``
    is the reader's: which kinds are asked, not what a sentence must state)."""
    return {name: AnswerType(name=name, **rule.model_dump(exclude={"narrows"}))
            for name, rule in config.answer_kinds.items()}


KIND_FLOOR = 0.4  # share of the best overlap a sentence of an unquoted passage needs to give the asked kind


class SentencePicker:
    """Scores the sentences of the top hits against the question and keeps the few that answer."""

    def __init__(
        self,
        tokenize: Callable[[str], list[str]],
        *,
        quantity_cues: Sequence[str] = (),
        answer_types: Sequence[AnswerType] = (),
        type_bonus: float = 0.15,
        max_sentences: int = 4,
        max_per_hit: int = 3,
        max_hits: int = 5,
        relative_floor: float = 0.6,
        min_lexical: float = 0.12,
        min_gain: float = 0.2,
        rank_weight: float = 0.12,
        quantity_bonus: float = 0.12,
        kind_ranks: int = 2,
    ) -> None:
        self.tokenize = tokenize
        self.quantity_cues = [c.lower() for c in quantity_cues]
        self.answer_types = list(answer_types)
        self.type_bonus = type_bonus
        self.max_sentences = max_sentences
        self.max_per_hit = max_per_hit
        self.max_hits = max_hits
        self.relative_floor = relative_floor
        self.min_lexical = min_lexical
        self.min_gain = min_gain
        self.rank_weight = rank_weight
        self.quantity_bonus = quantity_bonus
        self.kind_ranks = kind_ranks  # passages (by search rank) whose sentence may give the asked kind

    def wants_quantity(self, query: str) -> bool:
        """The question asks for a number (多少, 几, 比例 …: ``quantity_cues``)."""
        return any(c in query.lower() for c in self.quantity_cues)

    def asked_types(self, query: str) -> list[AnswerType]:
        """The kinds of answer the question asks for (none for most questions)."""
        return [t for t in self.answer_types if t.asked(query)]

    def unanswered(self, query: str, chosen: Sequence[Sentence]) -> AnswerType | None:
        """The kind of answer the question asks for that no chosen sentence gives, if it matters.

        None when the question asks for no such kind, or when a chosen sentence gives one of the
        kinds it asks for (a question may ask "when" and "how long"; one of them is enough).
        """
        asked = self.asked_types(query)
        if not asked or not any(t.refuse for t in asked):
            return None
        if any(t.answered_by(s.text) for t in asked for s in chosen):
            return None
        return next(t for t in asked if t.refuse)

    def pick(self, query: str, hits: Sequence[Hit], evidence: Evidence | None = None) -> tuple[list[Sentence], float]:
        """The chosen sentences in reading order, and the best sentence's query overlap (0–1).

        With ``evidence`` the asked kinds are the question's (not the expanded query's), and a
        sentence is worth what the question's checks add to its words."""
        candidates: list[Sentence] = []
        for rank, hit in enumerate(hits[: self.max_hits]):
            for order, text in enumerate(split_sentences(hit.text)):
                candidates.append(Sentence(text, rank, hit, order))
        if not candidates:
            return [], 0.0
        q_tokens = set(self.tokenize(query))
        # a table row means something only under its heading ("附1 一 世界一流高科技园区")
        context_tokens: dict[int, set[str]] = {}
        for rank, hit in enumerate(hits[: self.max_hits]):
            context = hit.context.strip()
            context_tokens[rank] = set(self.tokenize(context)) if context else set()
        sent_tokens = [set(self.tokenize(s.text)) for s in candidates]
        n = len(candidates)
        df: dict[str, int] = {}
        for toks in [*sent_tokens, *context_tokens.values()]:
            for t in toks & q_tokens:
                df[t] = df.get(t, 0) + 1
        idf = {t: math.log(1 + (n + 1) / (1 + df.get(t, 0))) for t in q_tokens}
        # a query term no candidate sentence contains cannot discriminate between them
        present = {t: w for t, w in idf.items() if df.get(t, 0) > 0}
        total = math.fsum(present.values()) or 1.0
        # ... but they still say how much of the question the passages address: "红烧肉怎么做" shares
        # only 怎么 with any sentence, which then holds all of the words that discriminate
        whole = math.fsum(idf.values()) or 1.0
        q_grams = han_bigrams(query)
        wants_quantity = self.wants_quantity(query)
        asked_types = evidence.asked if evidence is not None else self.asked_types(query)
        best_overlap = 0.0
        lexical_of: dict[int, float] = {}
        terms_of: dict[int, set[str]] = {}
        for sent, toks in zip(candidates, sent_tokens, strict=True):
            terms = {t for t in present if t in toks}
            from_context = {t for t in present if t in context_tokens.get(sent.hit_rank, ()) and t not in terms}
            # heading terms count half: they place the sentence, they do not make it answer
            held = math.fsum(present[t] for t in terms) + 0.5 * math.fsum(present[t] for t in from_context)
            overlap = held / total
            terms |= from_context
            grams = han_bigrams(sent.text)
            bigram = len(q_grams & grams) / len(q_grams) if q_grams else 0.0
            lexical = 0.75 * overlap + 0.25 * bigram
            lexical_of[id(sent)], terms_of[id(sent)] = lexical, terms
            sent.lexical, sent.terms = lexical, frozenset(t for t in terms if not t.startswith("§"))
            sent.reach = 0.75 * held / whole + 0.25 * bigram
            best_overlap = max(best_overlap, lexical)
            score = lexical + self.rank_weight / (1 + sent.hit_rank)
            if wants_quantity and _DIGIT.search(sent.text):
                score += self.quantity_bonus
            if asked_types and any(t.answered_by(sent.text) for t in asked_types):
                score += self.type_bonus
            if len(sent.text) > 160:
                score -= 0.05 * (len(sent.text) - 160) / 160
            if evidence is not None:
                score += evidence.adjust(sent.text, sent.hit)
            sent.score = score
        ranked = sorted(candidates, key=lambda s: (-s.score, s.hit_rank, s.order))
        best = ranked[0].score
        lexical_floor = max(self.min_lexical, self.relative_floor * best_overlap)
        chosen: list[Sentence] = []
        covered: set[str] = set()
        per_hit: dict[int, int] = {}
        for sent in ranked:
            if len(chosen) >= self.max_sentences:
                break
            if per_hit.get(sent.hit_rank, 0) >= self.max_per_hit:
                continue
            if chosen:
                new_terms = terms_of[id(sent)] - covered
                gain = math.fsum(present[t] for t in new_terms) / total
                # keep a sentence as strong as the best one, or one that answers another part of the
                # question (a term no chosen sentence has yet); anything else is not quoted
                strong = sent.score >= best * self.relative_floor and lexical_of[id(sent)] >= lexical_floor
                other_part = gain >= self.min_gain and lexical_of[id(sent)] >= self.min_lexical
                # a sentence that gives what is asked (the year, the detail, the kind of fact) is quoted
                asked = (evidence is not None and lexical_of[id(sent)] >= self.min_lexical
                         and evidence.gives_asked(sent.text, sent.hit))
                if not (strong or other_part or asked):
                    continue
            if any(_repeats(sent.text, c.text) for c in chosen):
                continue  # scraped pages repeat their paragraphs
            if chosen and evidence is not None and not evidence.may_support(sent.text, sent.hit):
                continue
            chosen.append(sent)
            covered |= terms_of[id(sent)]
            per_hit[sent.hit_rank] = per_hit.get(sent.hit_rank, 0) + 1
        if asked_types and chosen and not any(t.answered_by(c.text) for t in asked_types for c in chosen):
            # the question asks for a day, an amount …: a sentence that gives it is quoted too when it is of an
            # already quoted passage ("国务院 2020年7月13日" under the text the question matched), of an already
            # quoted article and shares a word with the question ("可以并处每件100元…的罚款" ends the article
            # whose opening was quoted), or of one of the best passages the search found, though its words
            # differ more ("担保费率…不超过1%")
            quoted = {c.hit_rank for c in chosen}
            articles = {(c.hit.doc, c.hit.section) for c in chosen if ARTICLE.fullmatch(c.hit.section)}
            extra = next((c for c in ranked if c not in chosen and any(t.answered_by(c.text) for t in asked_types)
                          and (c.hit_rank in quoted
                               or ((c.hit.doc, c.hit.section) in articles and lexical_of[id(c)] > 0)
                               or (c.hit_rank < self.kind_ranks and lexical_of[id(c)] >= max(self.min_lexical,
                                                                                  KIND_FLOOR * best_overlap)))), None)
            if extra is not None:
                chosen.append(extra)
        # passages in order of their best sentence (the clause that answers comes first), each
        # passage's sentences in reading order
        lead: dict[int, float] = {}
        for sent in chosen:
            lead[sent.hit_rank] = max(lead.get(sent.hit_rank, -math.inf), sent.score)
        chosen.sort(key=lambda s: (-lead[s.hit_rank], s.hit_rank, s.order))
        return chosen, best_overlap

