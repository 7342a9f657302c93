"""Fixtures of the assistant tests: the offline service over small fakes (tests/assistant/fakes.py),
reached the way every channel reaches it: ``Services.answer(AnswerRequest)``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from bot.assistant.answering import AnswerService
from bot.assistant.memory import ConversationStore
from bot.assistant.offline.backend import OfflineBackend, build_offline_backend
from bot.assistant.types import Answer
from bot.services import Services
from bot.settings import get_settings
from tests.assistant.fakes import FakeParks, FakeSearch
from tests.support.asking import STAFF, ask, events, request

__all__ = ["STAFF", "ask", "events", "request"]


@pytest.fixture(scope="session")
def fakes() -> tuple[FakeSearch, FakeParks]:
    return FakeSearch(), FakeParks()


@pytest.fixture(scope="session")
def offline_backend(fakes: tuple[FakeSearch, FakeParks]) -> OfflineBackend:
    return build_offline_backend(*fakes)


def answer_service(offline: OfflineBackend, fakes: tuple[FakeSearch, FakeParks], url: str | None, **kwargs) -> AnswerService:  # type: ignore[no-untyped-def]
    return AnswerService(offline, *fakes, ConversationStore(url) if url else None, **kwargs)


@pytest.fixture
def services(offline_backend: OfflineBackend, fakes: tuple[FakeSearch, FakeParks], tmp_path) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    """The real Services (limits, counting, logging) with the offline assistant over the fakes."""
    svc = Services(get_settings(store={"url": f"sqlite:///{tmp_path / 'store.db'}"}))
    assistant = answer_service(offline_backend, fakes, f"sqlite:///{tmp_path / 'conv.db'}")
    svc.__dict__["assistant"] = assistant
    yield svc
    assistant.memory.close()


_MARKER = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def assert_citations_resolve(answer: Answer) -> None:
    """Every [n] in the text is a citation, and every citation is used."""
    used = {int(n) for n in _MARKER.findall(answer.answer)}
    numbers = {c.n for c in answer.citations}
    assert used <= numbers, f"unresolved markers {used - numbers}"
    assert numbers <= used, f"citations never cited {numbers - used}"


def assert_numbers_sourced(answer: Answer) -> None:
    """Every number in the answer occurs in a cited passage (text, 文号, date, section) or a tool call."""
    text = _MARKER.sub("", answer.answer)
    sources = " ".join(
        " ".join(filter(None, [c.text, c.doc, c.title, c.section, c.date or ""])) for c in answer.citations
    ) + json.dumps([t.model_dump(mode="json") for t in answer.tool_calls], ensure_ascii=False)
    allowed = set(_NUMBER.findall(sources))
    allowed |= {v.rstrip("0").rstrip(".") for v in allowed if "." in v}  # 63.0 in a tool result is shown as 63
    # per cent shown for a fraction the tool returned (0.065 → 6.5%), 万/亿 for large sums (560000 元 → 56 万元)
    for value in list(allowed):
        try:
            f = float(value)
        except ValueError:
            continue
        if f < 1:
            allowed.add(f"{f * 100:.2f}".rstrip("0").rstrip("."))
        for scale in (10_000, 100_000_000):
            if f >= scale:
                allowed.add(f"{f / scale:.2f}".rstrip("0").rstrip("."))
    missing = [n for n in _NUMBER.findall(text) if n not in allowed and n.rstrip("0").rstrip(".") not in allowed]
    assert not missing, f"numbers with no source: {missing}"
