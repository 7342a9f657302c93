"""Fixtures of the assistant tests: the offline service over small fakes (tests/assistant/fakes.py)."""

from __future__ import annotations

import json
import re

import pytest

from bot.assistant.memory import ConversationStore
from bot.assistant.models import Answer
from bot.assistant.service import AnswerService, build_offline_backend
from bot.assistant.tools import Toolbox
from tests.assistant.fakes import FakeParks, FakeSearch


@pytest.fixture(scope="session")
def offline_backend():
    return build_offline_backend(Toolbox(FakeSearch(), FakeParks()))


@pytest.fixture
def service(offline_backend, tmp_path) -> AnswerService:
    store = ConversationStore(f"sqlite:///{tmp_path / 'conv.db'}")
    yield AnswerService(offline_backend, store)
    store.close()


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
    ) + json.dumps([t.model_dump() for t in answer.tool_calls], ensure_ascii=False)
    allowed = set(_NUMBER.findall(sources))
    allowed |= {v.rstrip("0").rstrip(".") for v in allowed if "." in v}  # 63.0 in a tool result is shown as 63
    # per cent shown for a fraction the tool returned (0.065 → 6.5%)
    for value in list(allowed):
        try:
            f = float(value)
        except ValueError:
            continue
        if f < 1:
            allowed.add(f"{f * 100:.2f}".rstrip("0").rstrip("."))
    missing = [n for n in _NUMBER.findall(text) if n not in allowed and n.rstrip("0").rstrip(".") not in allowed]
    assert not missing, f"numbers with no source: {missing}"
