from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from bot.assistant.backend import Question, final_answer
from bot.assistant.llm.agent import PolicyAgent
from bot.assistant.llm.chat_models import openai_chat_model
from bot.assistant.llm.prompts import load_prompts
from bot.assistant.tools import Toolbox
from bot.assistant.types import Answer, Mode, Turn
from bot.principal import Principal
from bot.settings import LLMSettings
from tests.assistant.llm.fakes import FakeOffline, FakeParks, FakeSearch
from tests.assistant.llm.scripted_llm import ScriptedLLM
from tests.support.servers import running_server

STAFF = Principal(kind="cli", name="tests")


@dataclass
class AgentUnderTest:
    """The agent asked one question at a time, as the answer service asks it (tools acting for STAFF)."""

    agent: PolicyAgent
    toolbox: Toolbox

    def answer(self, message: str, conversation_id: str, history: Sequence[Turn] = (), mode: Mode = "answer") -> Answer:
        return final_answer(self.agent.stream(Question(message=message, conversation_id=conversation_id,
                                                       toolbox=self.toolbox, mode=mode, history=history)))


@pytest.fixture
def llm_server() -> Iterator[tuple[ScriptedLLM, str]]:
    scripted = ScriptedLLM()
    with running_server(scripted.app) as url:
        yield scripted, url + "/v1"


@pytest.fixture
def scripted(llm_server: tuple[ScriptedLLM, str]) -> ScriptedLLM:
    return llm_server[0]


@pytest.fixture
def parks() -> FakeParks:
    return FakeParks()


@pytest.fixture
def search() -> FakeSearch:
    return FakeSearch()


@pytest.fixture
def offline() -> FakeOffline:
    return FakeOffline()


def make_agent(
    base_url: str,
    search: FakeSearch | None,
    parks: FakeParks,
    offline: Any,
    *,
    timeout_s: float = 10.0,
) -> AgentUnderTest:
    settings = LLMSettings(
        backend="openai",
        base_url=base_url,
        model="scripted-model",
        api_key="sk-test",
        temperature=0.0,
        timeout_s=timeout_s,
    )
    model = openai_chat_model(settings, max_retries=0)
    agent = PolicyAgent(model, load_prompts(), offline=offline, backend_name="openai")
    return AgentUnderTest(agent, Toolbox(search, parks, STAFF))


@pytest.fixture
def agent(
    llm_server: tuple[ScriptedLLM, str], search: FakeSearch, parks: FakeParks, offline: FakeOffline
) -> AgentUnderTest:
    return make_agent(llm_server[1], search, parks, offline)
