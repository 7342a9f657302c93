"""Feedback on answers: stored with the question, answer and citations, exported as eval cases.

Staff rate an answer in the web page, Slack or WeCom (helpful / not helpful, optional comment). Each rating is
one row of the ``feedback`` table in the SQLite store (``settings.store.resolved_url()``), written
in its own transaction; the database runs in WAL mode so the server and ``parkbot feedback
export`` can use it at the same time. :func:`to_eval_case` turns a row into a line in the
format of ``tests/eval/dev_qa.jsonl`` so that answers people flagged become regression cases.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
)
from sqlalchemy.engine import Engine

from bot.errors import BadRequest
from bot.store import create_tables

log = logging.getLogger(__name__)

Rating = Literal["up", "down"]

_metadata = MetaData()
feedback_table = Table(
    "feedback",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(32), nullable=False),
    Column("conversation_id", String(128), nullable=True, index=True),
    Column("message_id", String(128), nullable=True),
    Column("question", Text, nullable=False, default=""),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False, default="[]"),  # JSON list
    Column("tool_calls", Text, nullable=False, default="[]"),  # JSON list
    Column("mode", String(16), nullable=False, default="answer"),
    Column("grounded", Boolean, nullable=True),
    Column("rating", String(8), nullable=False, index=True),
    Column("comment", Text, nullable=False, default=""),
)


class FeedbackCitation(BaseModel):
    """A cited passage as the page received it from /api/chat (CONTRACT.md citations)."""

    n: int
    chunk_id: str = ""
    doc: str = ""
    title: str = ""
    section: str = ""
    text: str = ""
    date: str | None = None


class FeedbackToolCall(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class FeedbackIn(BaseModel):
    """POST /api/feedback: one rating of one answer."""

    conversation_id: str | None = Field(default=None, max_length=128)
    message_id: str | None = Field(default=None, max_length=128)
    question: str | None = Field(default=None, max_length=4000)
    answer: str = Field(min_length=1, max_length=50_000)
    citations: list[FeedbackCitation] = Field(default_factory=list)
    tool_calls: list[FeedbackToolCall] = Field(default_factory=list)
    mode: Literal["answer", "draft"] = "answer"
    grounded: bool | None = None
    rating: Rating
    comment: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _needs_question_or_message(self) -> FeedbackIn:
        if not (self.question or "").strip() and not (self.message_id or "").strip():
            raise ValueError("give the question that was asked (question) or the message_id of the answer")
        return self


class FeedbackRecord(FeedbackIn):
    id: int
    created_at: str


class FeedbackStore:
    """The ``feedback`` table in ParkBot's store (an engine from ``bot.store.make_engine``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(self.engine, _metadata, [feedback_table])

    def add(self, item: FeedbackIn) -> FeedbackRecord:
        """Store one rating in its own transaction and return it with its id."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        row = {
            "created_at": created,
            "conversation_id": item.conversation_id,
            "message_id": item.message_id,
            "question": (item.question or "").strip(),
            "answer": item.answer,
            "citations": json.dumps([c.model_dump() for c in item.citations], ensure_ascii=False),
            "tool_calls": json.dumps([t.model_dump() for t in item.tool_calls], ensure_ascii=False),
            "mode": item.mode,
            "grounded": item.grounded,
            "rating": item.rating,
            "comment": item.comment.strip(),
        }
        with self.engine.begin() as conn:
            key = conn.execute(insert(feedback_table).values(**row)).inserted_primary_key
            new_id = int(key[0]) if key else 0
        log.info("feedback %s stored: rating=%s conversation=%s", new_id, item.rating, item.conversation_id)
        return FeedbackRecord(id=new_id, **{**item.model_dump(), "created_at": created})

    def records(self, rating: Rating | None = None) -> Iterator[FeedbackRecord]:
        """All stored ratings, oldest first (optionally only ``up`` or ``down``)."""
        query = select(feedback_table).order_by(feedback_table.c.id)
        if rating:
            query = query.where(feedback_table.c.rating == rating)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        for row in rows:
            data = dict(row)
            data["citations"] = json.loads(data["citations"] or "[]")
            data["tool_calls"] = json.loads(data["tool_calls"] or "[]")
            if not data["question"]:
                data["question"] = None
            yield FeedbackRecord.model_validate(data)

_MARKER = re.compile(r"\[(\d+)\]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")


def evidence_from(text: str, limit: int = 40) -> str:
    """A short verbatim substring of a cited passage: its first sentence, cut to ``limit``."""
    text = text.strip()
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip() if text else ""
    return (first or text)[:limit]


def to_eval_case(record: FeedbackRecord) -> dict[str, Any]:
    """One feedback row as an evaluation case in the format of tests/eval/dev_qa.jsonl.

    ``{id, question, lang, answerable, expected: [{doc, section, evidence}], facts, category}``
    plus ``needs_review`` and a ``feedback`` object (rating, comment, the answer given) that the
    loader ignores. The passages the answer cited (those its ``[n]`` markers name) are the
    expected sources; ``evidence`` is the first sentence of each, to be tightened by whoever
    curates the case. A helpful answer is a regression case as it stands. A not-helpful one is
    marked ``needs_review: true``: its citations may be the fault, and the reviewer's comment
    says what was wrong. An answer without citations (or not grounded in the corpus) becomes an
    unanswerable case.
    """
    if not record.question:
        raise BadRequest(
            f"feedback {record.id} has no question (only message_id {record.message_id!r}); "
            "it cannot become an evaluation case"
        )
    lang = "zh" if _CJK.search(record.question) else "en"
    cited = {int(n) for n in _MARKER.findall(record.answer)}
    used = [c for c in record.citations if not cited or c.n in cited]
    expected: list[dict[str, str]] = []
    for c in used:
        entry = {"doc": c.doc or c.title, "section": c.section, "evidence": evidence_from(c.text)}
        if entry["doc"] and entry["evidence"] and entry not in expected:
            expected.append(entry)
    answerable = bool(expected) and record.grounded is not False
    if not answerable:
        expected = []
        category = "unanswerable"
    elif lang == "en":
        category = "english"
    elif len({e["doc"] for e in expected}) > 1:
        category = "cross_doc"
    else:
        category = "paraphrase"
    return {
        "id": f"feedback-{record.id}",
        "question": record.question,
        "lang": lang,
        "answerable": answerable,
        "expected": expected,
        "facts": [],
        "category": category,
        "needs_review": record.rating == "down",
        "feedback": {
            "rating": record.rating,
            "comment": record.comment,
            "answer": record.answer,
            "mode": record.mode,
            "tools": _unique(t.name for t in record.tool_calls),
            "conversation_id": record.conversation_id,
            "created_at": record.created_at,
        },
    }


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)


def is_case(record: FeedbackRecord) -> bool:
    """Whether a row can become a retrieval case: it has the question, and it is not a score or
    eligibility answer made by a tool without cited passages (those are checked by the scoring
    tests, not by retrieval cases)."""
    return bool(record.question) and (bool(record.citations) or not record.tool_calls)


def export_cases(store: FeedbackStore, out: Path, rating: Rating | None = None) -> tuple[int, int]:
    """Write the stored feedback to ``out`` as JSON lines; returns (cases written, rows skipped)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    written = skipped = 0
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in store.records(rating):
            if not is_case(record):
                log.info("feedback %s skipped: no question stored, or a tool answer without citations", record.id)
                skipped += 1
                continue
            fh.write(json.dumps(to_eval_case(record), ensure_ascii=False) + "\n")
            written += 1
    tmp.replace(out)
    return written, skipped
