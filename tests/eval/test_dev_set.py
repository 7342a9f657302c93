"""The development evaluation set (tests/eval/dev_qa.jsonl) is well formed and grounded.

Every evidence string must occur in the shipped corpus under data/corpus (after whitespace
normalisation) in the document it names; the set must keep the mix the evaluation relies on
(English share, unanswerable questions, cross-document questions, 附1/附2 table questions).
How the questions were written: tests/eval/holdout_style.md.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from retrieval.evaluation import CATEGORIES, EvalCase, load_cases

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT / "tests" / "eval" / "dev_qa.jsonl"
CORPUS = ROOT / "data" / "corpus"
TEXT_SUFFIXES = {".txt", ".md"}

# The corpus documents by id (文号, or the title where a document has none).
DOC_IDS = {
    "国科发火字〔2005〕16号",
    "粤府办〔2005〕92号",
    "国家高新技术产业开发区“十二五”发展规划纲要",
    "国科发火〔2011〕259号",
    "国发〔2020〕7号",
    "国科发火〔2013〕388号",
}
ABBREVIATIONS = ("号文", "高企", "双创", "综保区", "硕博", "自创区", "产研院")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    return load_cases(DEV_SET)


@pytest.fixture(scope="module")
def doc_texts() -> dict[str, list[str]]:
    """Doc id -> whitespace-free texts of the corpus files that carry that id or title."""
    files = sorted(
        p for p in CORPUS.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.stem.upper() != "README"
    )
    assert files, f"no corpus text files under {CORPUS}: the shipped corpus belongs in data/corpus"
    texts = [squash(p.read_text(encoding="utf-8")) for p in files]
    found = {doc: [t for t in texts if doc in t] for doc in DOC_IDS}
    missing = sorted(doc for doc, ts in found.items() if not ts)
    assert not missing, f"no file under {CORPUS} names these documents: {missing}"
    return found


def test_size_and_unique_ids(cases: list[EvalCase]) -> None:
    assert len(cases) >= 100
    assert len({c.id for c in cases}) == len(cases)
    duplicates = [q for q, n in Counter(c.question for c in cases).items() if n > 1]
    assert not duplicates


def test_categories_and_answerability_agree(cases: list[EvalCase]) -> None:
    for c in cases:
        assert c.category in CATEGORIES, c.id
        if c.answerable:
            assert c.expected and c.facts, f"{c.id}: an answerable case needs evidence and facts"
            assert c.category != "unanswerable", c.id
        else:
            assert not c.expected and not c.facts, f"{c.id}: an unanswerable case has no evidence"
            assert c.category == "unanswerable", c.id


def test_at_least_ten_unanswerable(cases: list[EvalCase]) -> None:
    assert sum(not c.answerable for c in cases) >= 10


def test_about_ten_percent_english(cases: list[EvalCase]) -> None:
    english = [c for c in cases if c.lang == "en"]
    assert 0.08 <= len(english) / len(cases) <= 0.15
    for c in english:
        latin = len(re.findall(r"[A-Za-z]", c.question))
        assert latin > len(c.question) / 2, f"{c.id} is marked English but is not"
    for c in cases:
        if c.lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", c.question), f"{c.id} is marked Chinese but is not"


def test_evidence_is_short_and_known_document(cases: list[EvalCase]) -> None:
    for c in cases:
        for e in c.expected:
            assert e.doc in DOC_IDS, f"{c.id}: unknown document {e.doc!r}"
            assert 0 < len(e.evidence) <= 40, f"{c.id}: evidence must be 1..40 characters"


def test_every_evidence_occurs_in_its_document(
    cases: list[EvalCase], doc_texts: dict[str, list[str]]
) -> None:
    bad = [
        (c.id, e.doc, e.evidence)
        for c in cases
        for e in c.expected
        if not any(squash(e.evidence) in text for text in doc_texts[e.doc])
    ]
    assert not bad, f"evidence not found verbatim in its document: {bad}"


def test_every_document_is_asked_about(cases: list[EvalCase]) -> None:
    per_doc = Counter(e.doc for c in cases for e in {x.doc: x for x in c.expected}.values())
    for doc in DOC_IDS - {"粤府办〔2005〕92号"}:
        assert per_doc[doc] >= 5, f"only {per_doc[doc]} questions on {doc}"
    assert per_doc["粤府办〔2005〕92号"] >= 2


def test_cross_document_questions_span_two_documents(cases: list[EvalCase]) -> None:
    cross = [c for c in cases if c.category == "cross_doc"]
    assert len(cross) >= 5
    for c in cross:
        assert len({e.doc for e in c.expected}) >= 2, c.id


def test_table_questions_cover_both_attachments(cases: list[EvalCase]) -> None:
    sections = [e.section for c in cases for e in c.expected if e.doc == "国科发火〔2013〕388号"]
    for part in ("附1 一", "附1 二", "附1 三", "附2"):
        assert sum(s.startswith(part) for s in sections) >= 3, f"too few questions on {part}"


def test_paraphrases_do_not_copy_the_clause(cases: list[EvalCase]) -> None:
    """A paraphrase shares no run of 7+ characters with its evidence (so it tests meaning, not words)."""
    for c in cases:
        if c.category != "paraphrase":
            continue
        for e in c.expected:
            m = SequenceMatcher(None, c.question, e.evidence, autojunk=False)
            match = m.find_longest_match(0, len(c.question), 0, len(e.evidence))
            assert match.size < 7, f"{c.id} copies {c.question[match.a : match.a + match.size]!r}"


def test_abbreviation_questions_use_an_abbreviation(cases: list[EvalCase]) -> None:
    for c in cases:
        if c.category == "abbreviation":
            assert any(a in c.question for a in ABBREVIATIONS), c.id
