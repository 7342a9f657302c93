"""Mode "draft": a formal reply letter (复函) to an enterprise's enquiry, grounded in the passages.

The letter has a subject that names the enquiry's topic ("关于入驻孵化器相关政策咨询的复函", not
the enquiry word for word), a salutation with a placeholder for the addressee, an opening, a
numbered body whose every point quotes a clause with its ``[n]`` citation, and a closing with
placeholders for everything the corpus does not give: 【企业名称】【单位名称】【联系人】【联系电话】
【日期】. It never invents an amount, a date or a contact.

Only clauses that answer are cited: the sentences the offline composer picks for the enquiry,
without statements of what was once achieved ("2003年…R&D投入…占2.44%" is not a provision),
and provisions before aims when both answer. A provision is introduced as 规定, an aim or a plan
as 提出. A cited document that is no longer in force, or a plan whose period has ended (the
十二五 纲要), is flagged at the end, and the letter then does not call its basis "现行政策文件".
When the corpus does not cover the enquiry the letter says so and refers the enterprise to the
competent department; ``grounded`` is false.

How the enquiry is read (its framing, question words, figures) and how clauses are told apart
are data: config/assistant/drafting.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from bot.assistant.config_files import assistant_config, load_yaml_model
from bot.assistant.offline.citations import CitationBook, doc_label, section_label
from bot.assistant.offline.composed import Composed
from bot.assistant.offline.notes import PlanRules, is_stale, plan_end, status_note
from bot.assistant.offline.policy import PolicyComposer
from bot.assistant.offline.sentences import Sentence
from retrieval.coverage import Coverage
from retrieval.models import Hit

PLACEHOLDERS = ("【企业名称】", "【单位名称】", "【联系人】", "【联系电话】", "【日期】")


class EnquiryRules(BaseModel):
    instruction: str
    framing: list[str]
    question_words: list[str]
    figures: str
    trailing: list[str]
    max_topic_chars: int = 20


class ClauseRules(BaseModel):
    rule: str
    aim: str
    retrospective: str


class LetterRules(BaseModel):
    """config/assistant/drafting.yaml."""

    enquiry: EnquiryRules
    clauses: ClauseRules
    plans: PlanRules

    @classmethod
    def load(cls, path: Path | None = None) -> LetterRules:
        return load_yaml_model(cls, path or assistant_config("drafting.yaml"), "invalid letter rules")


def enquiry_text(message: str, rules: LetterRules | None = None) -> str:
    """The enquiry as a question: without the request to write a letter ("请起草一份复函：") and
    without who asks and how ("某企业来函咨询"); what the letter searches the documents for."""
    rules = rules or LetterRules.load()
    text = re.sub(rules.enquiry.instruction, "", message.strip()).strip(" ：:，,。")
    for pattern in rules.enquiry.framing:
        text = re.sub(pattern, "", text).strip(" ：:，,。")
    return text or message.strip()


def enquiry_topic(message: str, rules: LetterRules | None = None) -> str:
    """What the enquiry is about, for the subject: "某企业来函咨询入驻孵化器有哪些政策支持" → "入驻孵化器".

    The request, who asks and how, question words, figures the enquirer gives and words that say
    nothing of the topic are removed; empty when nothing is left (the letter then has a general
    subject)."""
    rules = rules or LetterRules.load()
    e = rules.enquiry
    topic = enquiry_text(message, rules).strip("？?")
    for word in sorted(e.question_words, key=len, reverse=True):
        topic = topic.replace(word, "")
    topic = re.sub(e.figures, "", topic)
    topic = re.split(r"[。？?！!；;]", topic)[0]
    topic = re.sub(r"\s+", "", topic).strip("：:，,、")
    changed = True
    while changed:
        changed = False
        for word in e.trailing:
            if topic.endswith(word) and len(topic) > len(word):
                topic, changed = topic[: -len(word)], True
    if "，" in topic or "," in topic:  # several clauses: the last one asks
        topic = re.split(r"[，,]", topic)[-1]
    return topic if 2 <= len(topic) <= e.max_topic_chars and not re.search(r"\d", topic) else ""


def clause_kind(text: str, rules: LetterRules) -> str:
    """``retrospective`` (what was achieved), ``rule`` (a provision), ``aim`` (a plan or goal) or ``other``."""
    c = rules.clauses
    if re.search(c.retrospective, text):
        return "retrospective"
    if re.search(c.rule, text):
        return "rule"
    if re.search(c.aim, text):
        return "aim"
    return "other"


def _answering_clauses(sentences: Sequence[Sentence], rules: LetterRules) -> list[tuple[Sentence, str]]:
    """The picked sentences a reply may cite, with their kind: no retrospective statements; when
    provisions answer, aims and other statements only if they come from the same passages."""
    kinds = [(s, clause_kind(s.text, rules)) for s in sentences]
    kept = [(s, k) for s, k in kinds if k != "retrospective"]
    if any(k == "rule" for _, k in kept):
        ruled = {s.hit.chunk_id for s, k in kept if k == "rule"}
        kept = [(s, k) for s, k in kept if k == "rule" or s.hit.chunk_id in ruled]
    return kept


def draft_letter(
    policy: PolicyComposer,
    message: str,
    hits: Sequence[Hit],
    coverage: Coverage | None,
    *,
    query: str | None = None,
    rules: LetterRules | None = None,
    today: date | None = None,
) -> Composed:
    """The letter (always in Chinese, wording.yaml ``letter``) to the enquiry ``message``, quoting the
    clauses of ``hits`` that answer it (picked for ``query``, the search query, else the enquiry)."""
    rules = rules or LetterRules.load()
    letter = policy.wording.letter
    zh = policy.wording.zh
    enquiry = enquiry_text(message, rules)
    topic = enquiry_topic(message, rules)
    asked = query or enquiry
    book = CitationBook()
    points: list[str] = []
    cited: list[Hit] = []
    covered = False
    if hits:
        chosen, overlap = policy.picker.pick(asked, hits)
        if policy.supported(asked, chosen, overlap, coverage)[0] and not any(
                clause_kind(s.text, rules) == "rule" for s in chosen):
            # no provision among the best sentences (a target table's row, a statement of what was
            # achieved): the provisions of the other passages answer the enterprise, when they do
            used = {s.hit.chunk_id for s in chosen}
            rest = [h for h in hits if h.chunk_id not in used]
            again, overlap_again = policy.picker.pick(asked, rest) if rest else ([], 0.0)
            if any(clause_kind(s.text, rules) == "rule" for s in again) and \
                    policy.supported(asked, again, overlap_again, coverage)[0]:
                chosen, overlap = again, overlap_again
        if policy.supported(asked, chosen, overlap, coverage)[0]:
            for i, (sent, kind) in enumerate(_answering_clauses(chosen, rules)):
                section = section_label(sent.hit)
                numeral = letter.numerals[i] if i < len(letter.numerals) else str(i + 1)
                verb = getattr(letter.verbs, kind, letter.verbs.other)
                points.append(letter.point.format(numeral=numeral, document=doc_label(sent.hit, zh),
                                                  section=(" " + section) if section else "", verb=verb,
                                                  sentence=sent.text, n=book.cite(sent.hit)))
                cited.append(sent.hit)
            covered = bool(points)
    year = (today or date.today()).year
    ended: list[tuple[Hit, str, int]] = []
    for hit in cited:
        plan = plan_end(hit, rules.plans)
        if plan is not None and plan[1] < year and all(h.doc != hit.doc for h, _, _ in ended):
            ended.append((hit, *plan))
    dated = bool(ended) or any(is_stale(h) for h in cited)
    basis = letter.basis_dated if dated else letter.basis_current
    lines = [letter.title.format(topic=topic) if topic else letter.title_unnamed, "", letter.salutation, ""]
    if covered:
        lines += [letter.opening.format(topic=topic, basis=basis) if topic
                  else letter.opening_unnamed.format(basis=basis), ""]
        lines += ["　　" + p for p in points]
        notes = [policy.vintage(cited, book), status_note(cited, zh, book=book)]
        notes += [letter.plan_ended.format(title=hit.title, period=period, year=end, n=book.cite(hit))
                  for hit, period, end in ended]
        for note in filter(None, notes):
            lines += [""] + ["　　" + line for line in note.split("\n")]
        lines += ["", letter.caveat]
    else:
        lines.append(letter.received.format(topic=topic) if topic else letter.received_unnamed)
        lines.append(letter.not_covered)
    lines += letter.closing
    return Composed("\n".join(lines), book.citations, covered)
