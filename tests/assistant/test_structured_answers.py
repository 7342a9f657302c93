"""The park and structured-answer scenarios (tests/assistant/structured_questions.jsonl) on the real
shipped corpus and the SYNTHETIC sample cohort, through ``Services`` as every channel reaches it.

The scenarios were written before the method was tuned and are split into tuning and held-out
questions (bot/assistant/scenarios.py describes the format; benchmarks/structured_answers.py prints
the figures per kind). Here each answer must quote the index exactly, and each split must pass
at the share the work was accepted at, so a change that loses them is noticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.assistant.scenarios import ScenarioResult, judge, load_scenarios
from bot.services import Services
from tests.assistant.conftest import assert_citations_resolve
from tests.assistant.test_end_to_end import settings_for
from tests.support.asking import ask

CASES = load_scenarios(Path(__file__).with_name("structured_questions.jsonl"))


@pytest.fixture(scope="module")
def services(real_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    s = Services(settings_for(real_index_dir, tmp_path_factory.mktemp("structured-store")))
    yield s
    s.close()


@pytest.fixture(scope="module")
def results(services: Services) -> list[ScenarioResult]:
    out = []
    chunks = services.current_index().chunks
    for case in CASES:
        conversation = None
        for message in case.turns:
            answer = ask(services, message, conversation, case.mode)
            conversation = answer.conversation_id
        assert_citations_resolve(answer)
        for c in answer.citations:  # every citation quotes a passage of the index word for word
            assert chunks[c.chunk_id].text == c.text, (case.id, c.chunk_id)
        out.append(ScenarioResult(id=case.id, split=case.split, kind=case.kind, problems=judge(case, answer),
                                  latency_ms=0.0, answer=answer.answer))
    return out


@pytest.mark.parametrize(("split", "share"), [("tune", 0.95), ("heldout", 0.9)])
def test_each_split_passes_at_the_accepted_share(results: list[ScenarioResult], split: str, share: float) -> None:
    group = [r for r in results if r.split == split]
    failed = {r.id: r.problems for r in group if not r.passed}
    assert group and (len(group) - len(failed)) / len(group) >= share, failed


def test_the_scenarios_say_synthetic_wherever_park_data_appears(results: list[ScenarioResult]) -> None:
    for r in results:
        if r.kind.startswith("park_") and "SYN-" in r.answer:
            assert "SYNTHETIC" in r.answer, r.id
