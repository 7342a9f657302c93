from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.assistant.agent import PolicyAgent, load_prompts
from bot.assistant.llm import openai_chat_model
from bot.assistant.tools import Toolbox
from bot.settings import LLMSettings
from tests.assistant.llm.fakes import FakeOffline, FakeParks, FakeSearch
from tests.assistant.llm.scripted_llm import ScriptedLLM
from tests.support.servers import running_server


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
    search: FakeSearch,
    parks: FakeParks,
    offline: FakeOffline | None,
    *,
    streaming: bool = False,
    timeout_s: float = 10.0,
) -> PolicyAgent:
    settings = LLMSettings(
        backend="openai",
        base_url=base_url,
        model="scripted-model",
        api_key="sk-test",
        temperature=0.0,
        timeout_s=timeout_s,
    )
    model = openai_chat_model(settings, max_retries=0, streaming=streaming)
    return PolicyAgent(model, Toolbox(search, parks), load_prompts(), offline=offline, backend_name="openai")


@pytest.fixture
def agent(
    llm_server: tuple[ScriptedLLM, str], search: FakeSearch, parks: FakeParks, offline: FakeOffline
) -> PolicyAgent:
    return make_agent(llm_server[1], search, parks, offline)
