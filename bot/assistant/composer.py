"""The offline composer: an answer built only from retrieved passages and tool results.

For a policy question it picks the *sentences* that answer (not whole chunks): every sentence of
the top hits is scored by how much of the question's rare terms it contains (IDF over the
candidate sentences, on the same jieba tokens retrieval uses, plus Han-bigram overlap for
wording the tokenizer cuts differently), a prior for the hit's rank, and a bonus for carrying a
number when the question asks for a quantity. The best sentences are quoted verbatim, grouped
under the document they come from (title, 文号, date, section) and cited with ``[n]``. Targets
with a horizon ("到2020年") get a note on their vintage.

Score and eligibility results are rendered from the tools' artifacts as compact markdown tables,
with the clause they rest on cited. When the coverage signal says the corpus does not cover the
question, the composer says so ("现有政策文件中没有找到…") and names the closest documents
instead of guessing; ``grounded`` is then false.

Nothing here invents a number: every figure in an answer is in a quoted passage or a tool result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from bot.assistant.models import Citation
from retrieval.versions import status_label

SYNTHETIC_BANNER = "⚠ SYNTHETIC 样例数据：园区与数值均为虚构，仅供演示。"
SYNTHETIC_BANNER_EN = "⚠ SYNTHETIC sample data: the parks and their values are fictional."
SCORE_DISCLAIMER = "得分由 ParkBot 按公开的指标体系和权重、以文档化方法计算，并非火炬中心官方评价结果。"
SCORE_DISCLAIMER_EN = "Scores are computed by ParkBot's documented method on the published weights; they are not official Torch Center results."

_SENT_END = re.compile(r"(?<=[。！？!?])")
_CLAUSE_END = re.compile(r"(?<=[；;])")
LONG_SENTENCE = 120  # longer sentences are cut at their semicolons
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_HORIZON = re.compile(r"到\s*(20\d\d)\s*年")
_DIGIT = re.compile(r"\d|百分|[一二三四五六七八九十百千万]+(?:岁|年|%|％|个|家|倍)")
_BRACKETED_NUMBER = re.compile(r"[\[［](\d+)[\]］]")  # "中发[2012]6号": would read as a [n] marker
SHORT_LINE = 8  # a line this short with no closing punctuation ("国务院", "科技部") runs on into the next


# -- citations -----------------------------------------------------------------------------------


class CitationBook:
    """Hands out ``[n]`` numbers in order of first use; one number per passage."""

    def __init__(self) -> None:
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, hit: Mapping[str, Any]) -> int:
        chunk_id = str(hit["chunk_id"])
        if chunk_id not in self._by_chunk:
            self._by_chunk[chunk_id] = Citation(
                n=len(self._by_chunk) + 1,
                chunk_id=chunk_id,
                doc=str(hit.get("doc", "")),
                title=str(hit.get("title", "")),
                section=str(hit.get("section", "")),
                text=str(hit.get("text", "")),
                date=hit.get("date"),
                status=str(hit.get("status") or "in_force"),
            )
        return self._by_chunk[chunk_id].n

    @property
    def citations(self) -> list[Citation]:
        return sorted(self._by_chunk.values(), key=lambda c: c.n)


@dataclass
class Composed:
    text: str
    citations: list[Citation] = field(default_factory=list)
    grounded: bool = True
    notices: list[str] = field(default_factory=list)


# -- sentences -----------------------------------------------------------------------------------


@dataclass
class Sentence:
    text: str
    hit_rank: int
    hit: Mapping[str, Any]
    order: int
    score: float = 0.0


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
        for sentence in _SENT_END.split(line):
            parts = _CLAUSE_END.split(sentence) if len(sentence) > LONG_SENTENCE else [sentence]
            for part in parts:
                part = part.strip()
                if len(part) >= 4:
                    out.append(part)
    if len(carry) >= 4:
        out.append(carry)
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


def han_bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _HAN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


@dataclass
class AnswerType:
    """A kind of answer a question asks for (an amount of money, a day, a period …).

    Defined in config/assistant/intents.yaml (``answer_types``): ``cues`` are regular expressions
    on the normalised question that say it asks for this kind of answer; ``evidence`` is the
    regular expression a sentence must match to give it (a sum in 元, a day of a month …). The
    picker prefers such sentences; when ``refuse`` is set and no quoted sentence gives the
    answer, the composer says that the documents do not state it (``label``) instead of quoting
    a neighbouring clause on the same topic.
    """

    name: str
    cues: Sequence[str]
    evidence: str
    label: str = ""
    label_en: str = ""
    refuse: bool = True

    def __post_init__(self) -> None:
        self._cues = [re.compile(c) for c in self.cues]
        self._evidence = re.compile(self.evidence)

    def asked(self, question: str) -> bool:
        question = question.lower()
        return any(c.search(question) for c in self._cues)

    def answered_by(self, text: str) -> bool:
        return bool(self._evidence.search(text))


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

    def pick(self, query: str, hits: Sequence[Mapping[str, Any]]) -> tuple[list[Sentence], float]:
        """The chosen sentences in reading order, and the best sentence's query overlap (0–1)."""
        candidates: list[Sentence] = []
        for rank, hit in enumerate(hits[: self.max_hits]):
            for order, text in enumerate(split_sentences(str(hit.get("text", "")))):
                candidates.append(Sentence(text, rank, hit, order))
        if not candidates:
            return [], 0.0
        q_tokens = set(self.tokenize(query))
        # a table row means something only under its heading ("附1 一 世界一流高科技园区")
        context_tokens: dict[int, set[str]] = {}
        for rank, hit in enumerate(hits[: self.max_hits]):
            context = f"{hit.get('context') or ''} {hit.get('section_title') or ''}".strip()
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
        total = sum(present.values()) or 1.0
        q_grams = han_bigrams(query)
        wants_quantity = any(c in query.lower() for c in self.quantity_cues)
        asked_types = self.asked_types(query)
        best_overlap = 0.0
        lexical_of: dict[int, float] = {}
        terms_of: dict[int, set[str]] = {}
        for sent, toks in zip(candidates, sent_tokens, strict=True):
            terms = {t for t in present if t in toks}
            from_context = {t for t in present if t in context_tokens.get(sent.hit_rank, ()) and t not in terms}
            # heading terms count half: they place the sentence, they do not make it answer
            overlap = (sum(present[t] for t in terms) + 0.5 * sum(present[t] for t in from_context)) / total
            terms |= from_context
            grams = han_bigrams(sent.text)
            bigram = len(q_grams & grams) / len(q_grams) if q_grams else 0.0
            lexical = 0.75 * overlap + 0.25 * bigram
            lexical_of[id(sent)], terms_of[id(sent)] = lexical, terms
            best_overlap = max(best_overlap, lexical)
            score = lexical + self.rank_weight / (1 + sent.hit_rank)
            if wants_quantity and _DIGIT.search(sent.text):
                score += self.quantity_bonus
            if asked_types and any(t.answered_by(sent.text) for t in asked_types):
                score += self.type_bonus
            if len(sent.text) > 160:
                score -= 0.05 * (len(sent.text) - 160) / 160
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
                gain = sum(present[t] for t in new_terms) / total
                # keep a sentence as strong as the best one, or one that answers another part of the
                # question (a term no chosen sentence has yet); anything else is not quoted
                strong = sent.score >= best * self.relative_floor and lexical_of[id(sent)] >= lexical_floor
                other_part = gain >= self.min_gain and lexical_of[id(sent)] >= self.min_lexical
                if not (strong or other_part):
                    continue
            if any(fuzz.ratio(sent.text, c.text) >= 85 for c in chosen):
                continue  # scraped pages repeat their paragraphs
            chosen.append(sent)
            covered |= terms_of[id(sent)]
            per_hit[sent.hit_rank] = per_hit.get(sent.hit_rank, 0) + 1
        if asked_types and chosen and not any(t.answered_by(c.text) for t in asked_types for c in chosen):
            # the question asks for a day, an amount …: a sentence of an already quoted passage that
            # gives it is quoted too ("国务院 2020年7月13日" under the text the question matched)
            quoted = {c.hit_rank for c in chosen}
            extra = next((c for c in ranked if c.hit_rank in quoted and c not in chosen
                          and any(t.answered_by(c.text) for t in asked_types)), None)
            if extra is not None:
                chosen.append(extra)
        # passages in order of their best sentence (the clause that answers comes first), each
        # passage's sentences in reading order
        lead: dict[int, float] = {}
        for sent in chosen:
            lead[sent.hit_rank] = max(lead.get(sent.hit_rank, -math.inf), sent.score)
        chosen.sort(key=lambda s: (-lead[s.hit_rank], s.hit_rank, s.order))
        return chosen, best_overlap


# -- rendering helpers ---------------------------------------------------------------------------


def doc_label(hit: Mapping[str, Any], *, english: bool = False) -> str:
    """《title》（文号，date）— the 文号 is left out when the document has none."""
    title = str(hit.get("title") or hit.get("doc") or "")
    doc = str(hit.get("doc") or "")
    parts = [p for p in (doc if doc and doc != title else "", str(hit.get("date") or "")) if p]
    if english:
        return f"《{title}》" + (f" ({', '.join(parts)})" if parts else "")
    return f"《{title}》" + (f"（{'，'.join(parts)}）" if parts else "")


def section_label(hit: Mapping[str, Any]) -> str:
    section = str(hit.get("section") or "").strip()
    context = str(hit.get("context") or "").strip()
    if context and len(context) <= 30 and context not in section:
        return f"{section} {context}".strip()
    return section


Lookup = Callable[[str, str, str], "Mapping[str, Any] | None"]


@dataclass
class VintageRule:
    doc: str
    section_prefix: str
    hint: str


def vintage_note(
    hits: Sequence[Mapping[str, Any]],
    *,
    english: bool = False,
    book: CitationBook | None = None,
    rules: Sequence[VintageRule] = (),
    lookup: Lookup | None = None,
) -> str:
    """A note on targets with a horizon year ("到2020年"), naming the document's own date.

    The year is taken from a cited passage: the quoted one, or, for a table whose horizon is
    stated elsewhere (``rules``), the passage ``lookup`` finds, which is then cited too.
    """
    found: list[tuple[str, str, str, str]] = []
    looked_up: dict[tuple[str, str, str], Any] = {}  # one search per rule, however many rows are quoted
    for hit in hits:
        text = str(hit.get("text", ""))
        years = sorted(set(_HORIZON.findall(text)))
        marker = ""
        if not years and lookup is not None:
            for rule in rules:
                if str(hit.get("doc")) == rule.doc and str(hit.get("section", "")).startswith(rule.section_prefix):
                    key = (rule.doc, rule.section_prefix, rule.hint)
                    if key not in looked_up:
                        looked_up[key] = lookup(*key)
                    intro = looked_up[key]
                    intro_years = sorted(set(_HORIZON.findall(str((intro or {}).get("text", "")))))
                    if intro and intro_years:
                        years = intro_years
                        marker = f"[{book.cite(intro)}]" if book is not None else ""
                    break
        if years:
            issued = str(hit.get("date") or "")[:4]
            found.append((years[-1], issued, str(hit.get("doc") or hit.get("title")), marker))
    if not found:
        return ""
    year, issued, doc, marker = sorted(set(found))[0]
    if english:
        return (f"Note: these are targets for {year} (\"到{year}年\"{marker}) set in {doc}"
                + (f" ({issued})" if issued else "") + "; check whether a newer document has replaced them.")
    return (f"注：以上为“到{year}年”的阶段目标{marker}（{doc}" + (f"，{issued}年印发" if issued else "")
            + "），目标年份已过，执行前请核实是否有更新的要求。")


def is_stale(hit: Mapping[str, Any]) -> bool:
    return str(hit.get("status") or "in_force") != "in_force"


def in_force_first(hits: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Passages of in-force documents before those of superseded, repealed or expired ones (stable).
    The picker still judges every passage by its words; this only decides who wins a tie, so the
    current rule is quoted when an old and a new document say the same thing."""
    return [h for h in hits if not is_stale(h)] + [h for h in hits if is_stale(h)]


_STALE_ZH = {"superseded": "已被替代的", "repealed": "已废止的", "expired": "已失效的"}
_STALE_EN = {"superseded": "superseded", "repealed": "repealed", "expired": "expired"}


def status_note(hits: Sequence[Mapping[str, Any]], *, english: bool = False,
                considered: Sequence[Mapping[str, Any]] = (), book: CitationBook | None = None) -> str:
    """Say when a quoted passage comes from a document no longer in force ("该条款出自已被…替代的文件"),
    and when an old version among the `considered` hits was set aside for the document replacing it."""
    notes: list[str] = []
    quoted_docs = {str(h.get("doc")) for h in hits}
    seen: set[str] = set()
    for hit in hits:
        doc = str(hit.get("doc"))
        if not is_stale(hit) or doc in seen:
            continue
        seen.add(doc)
        status, by = str(hit.get("status")), hit.get("superseded_by")
        marker = f"[{book.cite(hit)}]" if book is not None else ""
        if english:
            what = f"superseded by {by}" if status == "superseded" and by else _STALE_EN.get(status, status)
            notes.append(f"Note: the clause{marker} comes from {doc}, which is {what}; check the current rule.")
        elif status == "superseded" and by:
            notes.append(f"注：该条款{marker}出自已被 {by} 替代的文件（{doc}），仅供参考，现行规定以 {by} 为准。")
        else:
            notes.append(f"注：该条款{marker}出自{_STALE_ZH.get(status, '已不再有效的')}文件（{doc}），仅供参考。")
    for hit in considered:
        doc, by = str(hit.get("doc")), hit.get("superseded_by")
        if is_stale(hit) and by and str(by) in quoted_docs and doc not in quoted_docs and doc not in seen:
            seen.add(doc)
            notes.append(f"Note: {doc} also covers this but was superseded by {by}; the answer follows {by}."
                         if english else f"注：{doc} 也有相关规定，但已被 {by} 替代，以上按现行文件作答。")
    return "\n".join(notes)


def fmt_value(value: Any, unit: str | None = None) -> str:
    """Numbers as the tools give them; ratios (unit %, ratio, fraction) as per cent."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(fmt_value(v) for v in value)
    if isinstance(value, Mapping):
        return "；".join(f"{k} {fmt_value(v)}" for k, v in value.items())
    unit = (unit or "").strip()
    try:
        num = float(value)
    except (TypeError, ValueError):
        return str(value)
    if unit in {"%", "ratio", "fraction", "share", "percent", "比例"}:
        pct = num * 100
        return f"{_trim(pct)}%"
    text = _trim(num)
    if unit and unit not in {"count", "score", "amount", "number"}:
        return f"{text} {unit}"
    return text


def _trim(num: float) -> str:
    text = f"{num:.2f}".rstrip("0").rstrip(".")
    return text if text not in {"-0", ""} else "0"


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        return str(v).replace("|", "｜").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


MET = {True: "✅ 达到", False: "❌ 未达到", None: "❔ 缺数据"}
MET_EN = {True: "✅ met", False: "❌ not met", None: "❔ missing"}
OVERALL = {"pass": "全部达标", "fail": "未达标", "incomplete": "数据不全，无法判定"}
OVERALL_EN = {"pass": "all targets met", "fail": "not met", "incomplete": "incomplete data"}


# -- the composer --------------------------------------------------------------------------------


class Composer:
    """Turns tool results into the answer text, its citations and the grounded flag."""

    def __init__(
        self,
        picker: SentencePicker,
        *,
        min_overlap: float = 0.12,
        trust_overlap: float = 0.5,
        vintage_rules: Sequence[VintageRule] = (),
        lookup: Lookup | None = None,
    ) -> None:
        self.picker = picker
        self.min_overlap = min_overlap
        self.trust_overlap = trust_overlap
        self.vintage_rules = list(vintage_rules)
        self.lookup = lookup

    def vintage(self, hits: Sequence[Mapping[str, Any]], book: CitationBook, *, english: bool = False) -> str:
        return vintage_note(hits, english=english, book=book, rules=self.vintage_rules, lookup=self.lookup)

    # policy questions ----------------------------------------------------------------------

    def supported(
        self, query: str, chosen: Sequence[Sentence], overlap: float, coverage: Mapping[str, Any] | None, *,
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
        if coverage and coverage.get("covered") is False and (english or overlap < self.trust_overlap):
            return False, None
        missing = self.picker.unanswered(query, chosen)
        return missing is None, missing

    def passages(
        self,
        query: str,
        hits: Sequence[Mapping[str, Any]],
        book: CitationBook,
        *,
        english: bool = False,
        bullet: str = "- ",
    ) -> tuple[list[str], list[Sentence], float]:
        """Quoted sentences grouped under their document, each with its [n]."""
        chosen, overlap = self.picker.pick(query, hits)
        lines: list[str] = []
        current: tuple[str, str] | None = None
        for sent in chosen:
            key = (str(sent.hit.get("doc")), str(sent.hit.get("section")))
            if key != current:
                current = key
                head = doc_label(sent.hit, english=english)
                if is_stale(sent.hit) and not english:
                    head += f"【{status_label(str(sent.hit.get('status')), sent.hit.get('superseded_by'))}】"
                sect = section_label(sent.hit)
                lines.append(f"{head}{' ' + sect if sect else ''}：" if not english else f"{head}{', ' + sect if sect else ''}:")
            n = book.cite(sent.hit)
            lines.append(f"{bullet}{sent.text}[{n}]")
        return lines, chosen, overlap

    def policy_answer(
        self, query: str, hits: Sequence[Mapping[str, Any]], coverage: Mapping[str, Any] | None, *, english: bool = False,
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
        intro = "According to the policy documents (quoted in the original Chinese):" if english else "根据现有政策文件："
        body = [intro, "", *lines]
        quoted = [s.hit for s in chosen]
        for note in (self.vintage(quoted, book, english=english),
                     status_note(quoted, english=english, considered=hits[: self.picker.max_hits], book=book)):
            if note:
                body += ["", note]
        return Composed("\n".join(body), book.citations, True)

    def refusal(self, query: str, hits: Sequence[Mapping[str, Any]], *, english: bool = False,
                missing: AnswerType | None = None) -> Composed:
        """Say plainly that the documents do not answer, and name the closest documents.

        With ``missing`` (the kind of answer asked for, e.g. an amount) the text says that the
        documents touch the topic but do not state that.
        """
        seen: list[str] = []
        for hit in hits:
            label = doc_label(hit, english=english)
            if label not in seen:
                seen.append(label)
        closest = ("; " if english else "、").join(seen[:3])
        if english:
            if missing is not None and missing.label_en:
                text = (f"The current policy documents touch on this topic but do not state {missing.label_en}, "
                        "so ParkBot will not guess.")
            else:
                text = "The current policy documents do not contain a provision on this question, so ParkBot will not guess."
            if closest:
                text += f" The closest documents are {closest}; please check them or ask the competent department."
        else:
            # the question is echoed only without figures: every number in an answer must come from a source
            topic = f"关于“{_short(query)}”的" if not re.search(r"\d", query) else "与该问题相关的"
            if missing is not None and missing.label:
                text = f"现有政策文件中没有找到{topic}{missing.label}（文件涉及这一话题，但没有具体规定），ParkBot 不作推测。"
            else:
                text = f"现有政策文件中没有找到{topic}规定，ParkBot 不作推测。"
            if closest:
                text += f"最接近的文件是：{closest}，可供参考或向主管部门咨询。"
        return Composed(text, [], False)

    # parks ---------------------------------------------------------------------------------

    def score_answer(self, card: Mapping[str, Any], clause: Mapping[str, Any] | None, *, english: bool = False) -> Composed:
        book = CitationBook()
        cite = f"[{book.cite(clause)}]" if clause else ""
        name, year = card.get("name"), card.get("year")
        total, rank, size = card.get("total"), card.get("rank"), card.get("cohort_size")
        lines = [SYNTHETIC_BANNER_EN if english else SYNTHETIC_BANNER] if card.get("synthetic") else []
        if english:
            if total is None:
                lines.append(f"**{name}** is not rankable: " + "; ".join(map(str, card.get("flags") or [])))
            else:
                lines.append(f"**{name}**{f' ({year})' if year else ''}: composite score **{fmt_value(total)}**, rank **{rank}** of {size}.")
        else:
            if total is None:
                lines.append(f"**{name}** 目前无法排名（数据不足）：" + "；".join(map(str, card.get("flags") or [])))
            else:
                lines.append(f"**{name}**{f'（{year}年）' if year else ''}综合得分 **{fmt_value(total)}**，"
                             f"在 {size} 个园区中排第 **{rank}** 名。")
        rows = [
            [p.get("code", ""), p.get("name", ""), fmt_value(p.get("weight")), fmt_value(p.get("score")), p.get("rank") or "—"]
            for p in card.get("primaries", [])
        ]
        if rows:
            header = ["code", "primary", "weight %", "score", "rank"] if english else ["代码", "一级指标", "权重%", "得分", "排名"]
            lines += ["", md_table(header, rows)]
        basis = f"{card.get('registry', '')}，方法 {card.get('method', '')}"
        if english:
            lines += ["", f"Indicator system: 国科发火〔2013〕388号 附2{cite} ({card.get('registry', '')}, method {card.get('method', '')}). {SCORE_DISCLAIMER_EN}"]
        else:
            lines += ["", f"依据：国科发火〔2013〕388号 附2《国家高新区评价指标体系（修订版）》{cite}（{basis}）。{SCORE_DISCLAIMER}"]
        return Composed("\n".join(lines), book.citations, True)

    def eligibility_answer(
        self, result: Mapping[str, Any], park_name: str, clause: Mapping[str, Any] | None, *, synthetic: bool,
        english: bool = False,
    ) -> Composed:
        book = CitationBook()
        cite = f"[{book.cite(clause)}]" if clause else ""
        citation = result.get("citation") or {}
        source = f"{citation.get('doc', '')} {citation.get('section', '')}".strip()
        category = result.get("category", "")
        overall = str(result.get("overall", ""))
        lines = [SYNTHETIC_BANNER_EN if english else SYNTHETIC_BANNER] if synthetic else []
        met_words = MET_EN if english else MET
        if english:
            lines.append(f"**{park_name}** against **{category}** ({source}{cite}): **{OVERALL_EN.get(overall, overall)}**.")
            header = ["no.", "target", "required", "park", "result", "gap"]
        else:
            lines.append(f"**{park_name}** 对照 **{category}** 目标（{source}{cite}）：**{OVERALL.get(overall, overall)}**。")
            header = ["序号", "指标", "要求", "园区值", "结果", "差距"]
        rows = []
        for t in result.get("targets", []):
            unit = t.get("unit")
            rows.append([
                t.get("no", ""), t.get("name", ""), t.get("requirement") or fmt_value(t.get("threshold"), unit),
                fmt_value(t.get("value"), unit), met_words.get(t.get("met"), "—"),
                fmt_value(t.get("gap"), unit) if t.get("met") is False else "",
            ])
        if rows:
            lines += ["", md_table(header, rows)]
        failing, missing = result.get("failing") or [], result.get("missing") or []
        if failing:
            lines.append(("\nNot met: " if english else "\n未达到：") + "、".join(failing))
        if missing:
            lines.append(("Missing data: " if english else "缺少数据：") + "、".join(missing))
        near = result.get("near_misses") or []
        if near:
            lines.append(("Near misses (within 5%): " if english else "接近达标（差距不超过5%）：") + "、".join(map(str, near)))
        best = result.get("best_category")
        if best:
            lines.append(("Best-fitting category: " if english else "最接近的类别：") + str(best))
        note = self.vintage([clause], book, english=english) if clause else ""
        if note:
            lines += ["", note]
        return Composed("\n".join(lines), book.citations, True)

    def explain_answer(self, artifact: Mapping[str, Any], clause: Mapping[str, Any] | None, *, english: bool = False) -> Composed:
        card = artifact["card"]
        book = CitationBook()
        cite = f"[{book.cite(clause)}]" if clause else ""
        lines = [SYNTHETIC_BANNER_EN if english else SYNTHETIC_BANNER] if card.get("synthetic") else []
        if english:
            lines.append(f"**{card.get('name')}**: score {fmt_value(card.get('total'))}, rank {card.get('rank')} of {card.get('cohort_size')}. Where the points are lost (headroom) and where they come from (contribution):")
            header = ["code", "indicator", "value", "normalised", "contribution", "headroom"]
        else:
            lines.append(f"**{card.get('name')}** 综合得分 {fmt_value(card.get('total'))}，排第 {card.get('rank')} 名（共 {card.get('cohort_size')} 个）。失分最多与贡献最大的指标：")
            header = ["代码", "指标", "原始值", "标准化得分", "贡献", "失分(可提升)"]

        def row(i: Mapping[str, Any]) -> list[Any]:
            return [i.get("code", ""), i.get("name", ""), fmt_value(i.get("value")), fmt_value(i.get("normalized")),
                    fmt_value(i.get("contribution")), fmt_value(i.get("headroom"))]

        lost, strong = artifact.get("lost", []), artifact.get("strong", [])
        if lost:
            lines += ["", ("**Most points lost**" if english else "**失分最多**"), "", md_table(header, [row(i) for i in lost])]
        if strong:
            lines += ["", ("**Largest contributions**" if english else "**贡献最大**"), "", md_table(header, [row(i) for i in strong])]
        missing = artifact.get("missing") or []
        if missing:
            lines.append(("\nMissing: " if english else "\n缺少数据的指标：") + "、".join(str(i.get("name")) for i in missing))
        lines += ["", (f"Weights: 国科发火〔2013〕388号 附2{cite}. {SCORE_DISCLAIMER_EN}" if english
                       else f"权重依据：国科发火〔2013〕388号 附2{cite}。贡献 = 有效权重 × 标准化得分，各项贡献之和等于综合得分。{SCORE_DISCLAIMER}")]
        return Composed("\n".join(lines), book.citations, True)

    def what_if_answer(self, artifact: Mapping[str, Any], *, english: bool = False) -> Composed:
        before, after = artifact.get("before", {}), artifact.get("after", {})
        park = artifact.get("park", {})
        synthetic = bool(before.get("synthetic") or park.get("synthetic"))
        lines = [SYNTHETIC_BANNER_EN if english else SYNTHETIC_BANNER] if synthetic else []
        changes = artifact.get("changes", {})
        change_text = "、".join(f"{k} → {v}" for k, v in changes.items())
        if english:
            lines.append(f"**{park.get('name')}** with {change_text} (recomputed over the whole cohort, exact):")
            header = ["", "score", "rank"]
            rows = [["now", fmt_value(before.get("total")), before.get("rank")], ["what-if", fmt_value(after.get("total")), after.get("rank")]]
        else:
            lines.append(f"**{park.get('name')}** 若 {change_text}（整个样本重新计算，精确结果）：")
            header = ["", "综合得分", "排名"]
            rows = [["现状", fmt_value(before.get("total")), before.get("rank")], ["假设", fmt_value(after.get("total")), after.get("rank")]]
        lines += ["", md_table(header, rows)]
        changed = artifact.get("indicators") or []
        if changed:
            lines += ["", md_table(["代码", "指标", "现值", "假设值", "贡献变化"],
                                   [[i.get("code"), i.get("name"), fmt_value(i.get("before")), fmt_value(i.get("after")),
                                     fmt_value(i.get("contribution_delta"))] for i in changed])]
        lines += ["", SCORE_DISCLAIMER_EN if english else SCORE_DISCLAIMER]
        return Composed("\n".join(lines), [], True)

    def indicator_system_answer(
        self, outline: Mapping[str, Any], clauses: Sequence[Mapping[str, Any] | None], question: str,
        *, english: bool = False,
    ) -> Composed:
        """The indicator system from the registry (config data), each primary cited to its 附2 row.

        The secondaries are listed when the question asks for them or names a primary."""
        book = CitationBook()
        primaries = list(outline.get("primaries", []))
        named = [p for p in primaries if p["name"] in question]
        show_secondaries = bool(named) or "二级" in question or "secondary" in question.lower()
        total = sum(len(p["indicators"]) for p in primaries)
        rows = []
        cites: dict[str, str] = {}
        for p, clause in zip(primaries, clauses, strict=False):
            cites[p["code"]] = f"[{book.cite(clause)}]" if clause else ""
            weight = "" if p.get("weight") is None else f"{p['weight']:g}%"
            rows.append([p["code"], f"{p['name']}{cites[p['code']]}", weight, len(p["indicators"])])
        title = outline.get("title") or "国家高新区评价指标体系"
        source = f"{outline.get('doc', '')} {outline.get('section', '')}".strip()
        if english:
            lines = [f"{title} ({source}) has **{len(primaries)} primary indicators** and **{total} secondary "
                     f"indicators**:", "", md_table(["code", "primary indicator", "weight", "secondaries"], rows)]
        else:
            lines = [f"《{title}》（{source}）共有 **{len(primaries)} 个一级指标**、**{total} 个二级指标**：", "",
                     md_table(["代码", "一级指标", "权重", "二级指标数"], rows)]
        for p in (named or primaries) if show_secondaries else []:
            items = "；".join(
                f"{i['code']} {i['name']}（赋权{i['coefficient']:g}，{i['source']}）" if i.get("coefficient") is not None
                else f"{i['code']} {i['name']}（{i['source']}）"
                for i in p["indicators"]
            )
            lines += ["", f"**{p['code']} {p['name']}**{cites.get(p['code'], '')}：{items}"]
        lines += ["", "Weights and coefficients as printed in the table; the registry in config/scoring holds them."
                  if english else "权重与赋权均按附2原表；ParkBot 的评分即按此结构计算（非火炬中心官方评价结果）。"]
        return Composed("\n".join(lines), book.citations, bool(book.citations))

    def parks_answer(self, artifact: Mapping[str, Any], *, english: bool = False, limit: int = 30) -> Composed:
        parks = artifact.get("parks", [])
        lines = [SYNTHETIC_BANNER_EN if english else SYNTHETIC_BANNER] if artifact.get("synthetic") else []
        lines.append(f"{len(parks)} parks loaded:" if english else f"已加载 {len(parks)} 个园区：")
        rows = [[p["park_id"], p["name"], p.get("year") or ""] for p in parks[:limit]]
        lines += ["", md_table(["id", "name", "year"] if english else ["编号", "名称", "年份"], rows)]
        if len(parks) > limit:
            lines.append(f"… and {len(parks) - limit} more" if english else f"…… 另有 {len(parks) - limit} 个")
        return Composed("\n".join(lines), [], True)

    def rule_answer(
        self, rule: Mapping[str, Any], query: str, hits: Sequence[Mapping[str, Any]], clause: Mapping[str, Any] | None,
        *, english: bool = False,
    ) -> Composed:
        """A rule-pack verdict (an eligibility report for an enterprise or a person) and its clause, quoted."""
        book = CitationBook()
        citation = rule.get("citation") or {}
        source = f"{citation.get('doc', '')} {citation.get('section', '')}".strip()
        cite = f"[{book.cite(clause)}]" if clause else ""
        targets = list(rule.get("targets") or [])
        overall = str(rule.get("overall") or "")
        any_met = any(t.get("met") is True for t in targets)
        if english:
            head = {"pass": "Yes — the rule is met", "fail": "No — the rule is not met"}.get(
                overall, "The figures given meet the rule; the other conditions remain to be confirmed" if any_met else "Cannot decide")
            lines = [f"**{head}** ({rule.get('category', '')}, {source}{cite})."]
            header = ["condition", "requirement", "given", "result"]
        else:
            head = {"pass": "符合", "fail": "不符合"}.get(overall, "所给条件符合，其余条件待确认" if any_met else "无法判定")
            lines = [f"**{head}**（{rule.get('category', '')}，{source}{cite}）。"]
            header = ["条件", "要求", "所给值", "结果"]
        met_words = MET_EN if english else MET
        rows = []
        for t in targets:
            if t.get("met") is None and t.get("value") is None and t.get("threshold") is None:
                continue  # a yes/no condition nobody stated: listed below as to be confirmed
            rows.append([t.get("name", ""), t.get("requirement") or fmt_value(t.get("threshold"), t.get("unit")),
                         fmt_value(t.get("value"), t.get("unit")), met_words.get(t.get("met"), "—")])
        if rows:
            lines += ["", md_table(header, rows)]
        missing = rule.get("missing") or []
        if missing:
            lines += ["", ("To be confirmed: " if english else "待确认的条件：") + "；".join(map(str, missing))]
        # the clause the rule rests on is what is quoted; without it, the best passages of the search
        quoted, _chosen, _ = self.passages(query, [clause] if clause else hits, book, english=english)
        if quoted:
            lines += ["", "Source text:" if english else "原文：", *quoted]
        return Composed("\n".join(lines), book.citations, True)


def _short(text: str, limit: int = 40) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip("？?。.!！")
    return text if len(text) <= limit else text[: limit - 1] + "…"
