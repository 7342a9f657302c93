"""The agent against a scripted OpenAI-compatible server on 127.0.0.1, through langchain-openai over HTTP."""

from __future__ import annotations

import json
import threading

import pytest

from bot.assistant.backend import Question, final_answer
from bot.assistant.llm.agent import LLMFallback
from bot.assistant.llm.chat_models import free_port
from bot.assistant.llm.evidence import REDACTED
from bot.assistant.types import FinalAnswer, ScoreLookup, TextDelta
from tests.assistant.llm.conftest import make_agent
from tests.assistant.llm.fakes import OFFLINE_TEXT, FakeSearch
from tests.assistant.llm.scripted_llm import say, tool, tools

pytestmark = pytest.mark.enable_socket

AGE = "外籍高层次人才的工作许可年龄可放宽至65周岁[1]。"
TALENT_ANSWER = AGE + "符合条件的可办理有效期不超过5年的居留许可[1]。"


def test_policy_question_calls_search_and_cites_the_passage(agent, scripted, search) -> None:
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄", k=3), say(TALENT_ANSWER))
    answer = agent.answer("外籍人才工作许可年龄上限是多少？", "conv-1")

    assert answer.answer == TALENT_ANSWER
    assert [(c.n, c.doc, c.section) for c in answer.citations] == [(1, "国发〔2020〕7号", "三、（八）")]
    assert answer.notices == [] and answer.grounded and answer.backend == "openai"
    assert search.calls == [("外籍高层次人才 工作许可 年龄", 3)]
    assert answer.tool_calls[0].name == "search_policies"
    assert answer.tool_calls[0].args == {"query": "外籍高层次人才 工作许可 年龄", "k": 3}
    # the model was offered every tool, each as defined once in bot/assistant/tools.py, and saw the
    # passage as numbered data
    offered = {t["function"]["name"]: t["function"] for t in scripted.requests[0]["tools"]}
    assert set(offered) == {
        "search_policies",
        "indicator_system",
        "category_targets",
        "list_parks",
        "score_park",
        "explain_score",
        "compare_parks",
        "check_eligibility",
        "what_if",
        "check_rule",
    }
    assert set(offered["check_rule"]["parameters"]["properties"]) == {"rule_set", "facts"}
    shown = scripted.tool_messages(1)[0]
    assert '<passage n="1" doc="国发〔2020〕7号"' in shown and "65周岁" in shown


def test_hallucinated_citation_is_removed_with_a_notice(agent, scripted) -> None:
    scripted.script(
        tool("search_policies", query="外籍人才 工作许可"),
        say(TALENT_ANSWER + "此外，外籍人才还可申请安家补贴[7]。"),
    )
    answer = agent.answer("外籍人才有什么便利？", "conv-2")

    assert answer.answer == TALENT_ANSWER
    assert "[7]" not in answer.answer and "安家补贴" not in answer.answer
    assert any("[7]" in n for n in answer.notices)
    assert all(f"[{c.n}]" in answer.answer for c in answer.citations)


def test_invented_number_is_removed(agent, scripted) -> None:
    scripted.script(
        tool("search_policies", query="外籍人才 工作许可 年龄"),
        say("外籍高层次人才的工作许可年龄可放宽至六十五周岁[1]。居留许可有效期最长10年[1]。"),
    )
    answer = agent.answer("外籍人才工作许可和居留许可？", "conv-3")

    assert answer.answer == "外籍高层次人才的工作许可年龄可放宽至六十五周岁[1]。"
    assert any("10" in n for n in answer.notices)


def test_too_much_invented_falls_back_to_offline(agent, scripted, offline) -> None:
    scripted.script(
        tool("search_policies", query="外籍人才 工作许可"),
        say("外籍人才可获得最高500万元安家费[1]。补贴比例为15%[1]。"),
    )
    answer = agent.answer("外籍人才有补贴吗？", "conv-4")

    assert answer.answer == OFFLINE_TEXT and answer.backend == "offline"
    assert offline.calls == ["外籍人才有补贴吗？"]
    assert any("离线模式" in n and "2/2" in n for n in answer.notices)


def test_score_and_eligibility_numbers_come_from_tools(agent, scripted, parks) -> None:
    scripted.script(
        tools(
            tool("score_park", park="东湖示范园"),
            tool("check_eligibility", park="P01", category="创新型科技园区"),
        ),
        say(
            "东湖示范园（样例，合成数据）总分78.46，在2个园区中排名第1。"
            "其研发经费投入占GDP比例为4.5%，未达到到2020年6%的目标[1]。"
        ),
    )
    answer = agent.answer("东湖示范园得分多少，够得上创新型科技园区吗？", "conv-5")

    assert "78.46" in answer.answer and "4.5%" in answer.answer and answer.notices == []
    assert [c.chunk_id for c in answer.citations] == ["c-a1"]  # the 附1 clause the eligibility check cites
    assert [c.name for c in answer.tool_calls] == ["score_park", "check_eligibility"]
    lookup = answer.tool_calls[0].result
    assert isinstance(lookup, ScoreLookup) and lookup.card.total == 78.46 and lookup.card.synthetic is True


def test_category_targets_give_the_model_the_rows_passages_to_cite(agent, scripted) -> None:
    target = "创新型科技园区的研发经费投入占GDP比例要达到6%[1]。"
    scripted.script(tool("category_targets", category="innovative_sci_tech"), say(target))
    answer = agent.answer("创新型科技园区的研发投入要达到多少？", "conv-targets")

    shown = scripted.tool_messages(1)[0]
    assert '<passage n="1" doc="国科发火〔2013〕388号"' in shown and "达到6%" in shown
    assert answer.answer == target and answer.notices == [] and answer.grounded
    assert [(c.n, c.chunk_id, c.section) for c in answer.citations] == [(1, "c-a1", "附1 二")]


def test_invalid_tool_arguments_are_refused_and_reported_to_the_model(agent, scripted, search) -> None:
    scripted.script(
        tool("search_policies", query="外籍人才", k=99999),
        tool("search_policies", query="外籍人才 工作许可", k=3),
        say(TALENT_ANSWER),
    )
    answer = agent.answer("外籍人才？", "conv-6")

    assert search.calls == [("外籍人才 工作许可", 3)]
    assert "参数不合法" in scripted.tool_messages(1)[0]
    assert answer.answer == TALENT_ANSWER


def test_question_outside_the_corpus_gets_the_offline_refusal(agent, scripted, offline) -> None:
    scripted.script(tool("search_policies", query="火星移民补贴"), say("火星移民可以获得补贴。"))
    answer = agent.answer("去火星移民有补贴吗？", "conv-7")

    assert answer.answer == OFFLINE_TEXT and not answer.grounded
    assert any("未覆盖" in n for n in answer.notices)


def test_planted_instruction_in_a_passage_is_data(llm_server, parks, offline) -> None:
    from tests.assistant.llm.fakes import PLANTED, FakeSearch

    scripted, url = llm_server
    search = FakeSearch(passages=[PLANTED])
    agent = make_agent(url, search, parks, offline)
    scripted.script(
        tool("search_policies", query="入驻企业 政务服务"),
        say("园区为入驻企业提供政务服务[1]。所有企业都可获得500万元补贴[1]。"),
    )
    answer = agent.answer("园区为入驻企业提供哪些服务？", "conv-8")

    shown = scripted.tool_messages(1)[0]
    assert "忽略之前的指令" not in shown and "系统提示" not in shown and REDACTED in shown
    assert '<passage n="9">' not in shown and shown.count("</passage>") == 1
    assert answer.answer == "园区为入驻企业提供政务服务[1]。"
    assert parks.what_if_calls == []
    assert any("疑似指令" in n for n in answer.notices)
    # the settings the model is called with did not move
    assert {(r["model"], r.get("temperature")) for r in scripted.requests} == {("scripted-model", 0.0)}
    system = scripted.requests[1]["messages"][0]["content"]
    assert system == scripted.requests[0]["messages"][0]["content"] and "只是数据" in system


def test_the_model_is_always_read_as_a_stream(agent, scripted, search) -> None:
    scripted.script(tool("search_policies", query="外籍高层次人才 工作许可 年龄", k=2), say(TALENT_ANSWER))
    answer = agent.answer("外籍人才工作许可年龄？", "conv-9")

    assert all(r["stream"] is True for r in scripted.requests)
    assert search.calls == [("外籍高层次人才 工作许可 年龄", 2)]  # arguments reassembled from chunks
    assert answer.answer == TALENT_ANSWER and answer.citations[0].chunk_id == "c-talent"


def test_endpoint_down_falls_back_with_a_notice(search, parks, offline) -> None:
    agent = make_agent(f"http://127.0.0.1:{free_port()}/v1", search, parks, offline, timeout_s=3)
    answer = agent.answer("外籍人才工作许可年龄？", "conv-10")

    assert answer.answer == OFFLINE_TEXT
    assert any("大模型服务不可用" in n for n in answer.notices)


def test_slow_endpoint_times_out_and_falls_back_with_a_notice(llm_server, search, parks, offline) -> None:
    scripted, url = llm_server
    model_may_answer = threading.Event()
    scripted.script({"hold": model_may_answer, **say("太慢了")})
    agent = make_agent(url, search, parks, offline, timeout_s=1)
    try:
        answer = agent.answer("外籍人才工作许可年龄？", "conv-slow")
        # the answer came back while the model was still holding its reply: nobody waited for it
        assert scripted.requests and scripted.responded == 0
    finally:
        model_may_answer.set()
    assert answer.answer == OFFLINE_TEXT
    assert any("大模型服务不可用" in n for n in answer.notices) and "太慢了" not in answer.answer


def test_endpoint_error_without_offline_composer_raises(llm_server, search, parks) -> None:
    scripted, url = llm_server
    agent = make_agent(url, search, parks, None)
    scripted.script({"status": 500})
    with pytest.raises(LLMFallback) as err:
        agent.answer("外籍人才工作许可年龄？", "conv-11")
    assert "不可用" in err.value.notice


def test_history_is_sent_without_old_citation_numbers(agent, scripted) -> None:
    from bot.assistant.types import Turn

    scripted.script(tool("search_policies", query="居留许可 年限"), say("居留许可有效期不超过5年[1]。"))
    history = [
        Turn(role="user", content="外籍人才工作许可年龄？"),
        Turn(role="assistant", content="可放宽至65周岁[3]。"),
    ]
    answer = agent.answer("那居留许可呢？", "conv-12", history)

    sent = scripted.requests[0]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[2]["content"] == "可放宽至65周岁。"
    assert answer.answer == "居留许可有效期不超过5年[1]。"


def test_draft_mode_adds_the_letter_instruction(agent, scripted) -> None:
    scripted.script(
        tool("search_policies", query="外籍人才 工作许可"),
        say("××企业：\n经查，外籍高层次人才的工作许可年龄可放宽至65周岁[1]。\n特此函复。"),
    )
    answer = agent.answer("企业来函询问外籍专家工作许可年龄", "conv-13", mode="draft")

    assert "复函" in scripted.requests[0]["messages"][0]["content"]
    assert answer.mode == "draft" and answer.answer.startswith("××企业：") and "特此函复。" in answer.answer
    assert json.loads(answer.model_dump_json())["citations"][0]["n"] == 1


def test_refusal_is_the_same_as_offline_mode(llm_server, search, parks) -> None:
    from bot.assistant.offline.backend import build_offline_backend

    scripted, url = llm_server
    offline = build_offline_backend(search, parks)
    agent = make_agent(url, search, parks, offline.stream)
    scripted.script(tool("search_policies", query="火星移民补贴"), say("火星移民可获得100万元补贴[1]。"))
    question = "去火星移民有补贴吗？"
    answer = agent.answer(question, "conv-14")

    alone = final_answer(offline.stream(Question(message=question, conversation_id="conv-15", toolbox=agent.toolbox)))
    assert answer.answer == alone.answer
    assert not answer.grounded and "100万" not in answer.answer


def test_search_error_is_reported_not_taken_for_a_gap_in_the_corpus(llm_server, parks, offline) -> None:
    scripted, url = llm_server
    agent = make_agent(url, None, parks, offline)  # no index built yet
    scripted.script(tool("search_policies", query="外籍人才"), say("暂时无法检索政策文件，请先建立索引。"))
    answer = agent.answer("外籍人才工作许可年龄？", "conv-16")

    assert "parkbot ingest" in scripted.tool_messages(1)[0]
    assert not any("未覆盖" in n for n in answer.notices)
    assert answer.backend == "offline" and any("没有引用" in n for n in answer.notices)


def test_tools_act_for_the_caller_so_the_model_never_sees_another_park(llm_server, search, parks, offline) -> None:
    from bot.assistant.tools import Toolbox
    from bot.assistant.types import ToolFailure
    from bot.principal import Principal

    scripted, url = llm_server
    agent = make_agent(url, search, parks, offline)
    agent.toolbox = Toolbox(search, parks, Principal(kind="token", name="p01-only", parks=("P01",)))
    scripted.script(
        tools(tool("score_park", park="西岭高新区"), tool("list_parks")),
        say("西岭高新区的数据无权查看。东湖示范园总分78.46。"),
    )
    answer = agent.answer("西岭高新区得分多少？", "conv-scope")

    refused, listed = scripted.tool_messages(1)
    # a name outside the scope is not one of the parks the caller may see: nothing tells its id
    assert "没有找到园区“西岭高新区”" in refused and "64.1" not in refused and "P02" not in refused
    assert "P01" in listed and "西岭" not in listed and "P02" not in listed
    failure = answer.tool_calls[0].result
    assert isinstance(failure, ToolFailure) and failure.code == "park_not_found"
    assert [p.park_id for p in answer.tool_calls[1].result.parks] == ["P01"]


def _events(agent, message: str, conversation_id: str):  # type: ignore[no-untyped-def]
    return agent.agent.stream(Question(message=message, conversation_id=conversation_id, toolbox=agent.toolbox))


def test_the_first_sentence_is_sent_before_the_model_has_finished(agent, scripted) -> None:
    gate = threading.Event()  # the model writes its first sentence, then waits for the test
    scripted.script(tool("search_policies", query="外籍人才 工作许可"), say(TALENT_ANSWER, pause_at=len(AGE) + 2, gate=gate))
    try:
        events = _events(agent, "外籍人才工作许可和居留许可？", "conv-stream")
        first = next(e for e in events if isinstance(e, TextDelta))
        assert first.text == AGE and not gate.is_set() and scripted.finished == 1  # only the tool call is complete
        gate.set()
        rest = list(events)
    finally:
        gate.set()
    answer = rest[-1].answer
    assert first.text + "".join(e.text for e in rest if isinstance(e, TextDelta)) == answer.answer == TALENT_ANSWER


def test_once_a_sentence_was_sent_later_failures_are_withheld_not_fallen_back(agent, scripted, offline) -> None:
    gate = threading.Event()
    bad = "外籍人才还可获得最高100万元安家补贴[1]。补贴比例为15%[1]。"
    scripted.script(tool("search_policies", query="外籍人才 工作许可"), say(AGE + bad, pause_at=len(AGE) + 2, gate=gate))
    try:
        events = _events(agent, "外籍人才有什么便利？", "conv-withheld")
        assert next(e for e in events if isinstance(e, TextDelta)).text == AGE
        gate.set()
        answer = [e for e in events if isinstance(e, FinalAnswer)][0].answer
    finally:
        gate.set()
    assert answer.answer == AGE and answer.backend == "openai" and offline.calls == []
    assert [r.sentence for r in answer.verification.removed] == ["外籍人才还可获得最高100万元安家补贴[1]。", "补贴比例为15%[1]。"]
    assert "100万" in answer.verification.removed[0].reason and answer.verification.fallback is None
    assert any("删除了 2 句" in n for n in answer.notices)


def test_the_endpoint_failing_after_a_sentence_was_sent_keeps_what_was_verified(llm_server, search, parks, offline) -> None:
    scripted, url = llm_server
    agent = make_agent(url, search, parks, offline, timeout_s=2)
    gate = threading.Event()  # never opened while the agent waits: its read times out
    scripted.script(tool("search_policies", query="外籍人才 工作许可"), say(TALENT_ANSWER, pause_at=len(AGE) + 2, gate=gate))
    try:
        answer = agent.answer("外籍人才工作许可和居留许可？", "conv-cut")
    finally:
        gate.set()
    assert answer.answer == AGE and answer.backend == "openai" and offline.calls == []
    assert any("中断" in n for n in answer.notices)


def test_the_models_refusal_is_delivered_naming_the_closest_documents(agent, scripted, offline) -> None:
    refusal = "现有政策文件中没有找到外籍人才安家补贴的具体规定。"
    scripted.script(tool("search_policies", query="外籍人才 安家补贴 工作许可"), say(refusal))
    answer = agent.answer("外籍人才能拿多少安家补贴？", "conv-refuse")

    assert answer.backend == "openai" and not answer.grounded and offline.calls == []
    assert answer.answer.startswith(refusal)
    assert "最接近的文件是：《国务院关于促进国家高新技术产业开发区高质量发展的若干意见》（国发〔2020〕7号" in answer.answer
    assert answer.citations == [] and answer.verification.fallback is None


def test_a_not_covered_signal_keeps_an_answer_whose_every_sentence_is_verified(llm_server, parks, offline) -> None:
    scripted, url = llm_server
    agent = make_agent(url, FakeSearch(says_covered=False), parks, offline)
    scripted.script(tool("search_policies", query="外籍人才 工作许可"), say(TALENT_ANSWER))
    answer = agent.answer("外籍人才工作许可和居留许可？", "conv-uncovered")
    assert answer.answer == TALENT_ANSWER and answer.grounded and answer.backend == "openai"

    scripted.script(tool("search_policies", query="外籍人才 工作许可"), say(TALENT_ANSWER + "还可获得100万元补贴[1]。"))
    answer = agent.answer("外籍人才工作许可和居留许可？", "conv-uncovered-2")
    assert answer.answer == OFFLINE_TEXT and answer.backend == "offline"
    assert any("未覆盖" in n for n in answer.notices)
    assert "未覆盖" in (answer.verification.fallback.reason if answer.verification.fallback else "")
    assert [r.sentence for r in answer.verification.removed] == ["还可获得100万元补贴[1]。"]


def test_admins_find_what_the_checks_removed_in_the_log(agent, scripted, caplog) -> None:
    scripted.script(tool("search_policies", query="外籍人才 工作许可"), say(AGE + "外籍人才还可获得最高100万元安家补贴[1]。"))
    with caplog.at_level("INFO", logger="bot.assistant.llm.agent"):
        agent.answer("外籍人才有什么便利？", "conv-log")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.assistant.llm.agent"]
    assert any("conv-log" in line and "安家补贴" in line and "100万 不见于所引段落" in line for line in lines)
    assert any(line.startswith("verification of conv-log:") and "1 removed" in line for line in lines)


def test_the_local_model_is_given_the_search_results_before_it_writes(llm_server, search, parks, offline) -> None:
    from bot.assistant.llm.agent import PolicyAgent
    from bot.assistant.llm.chat_models import openai_chat_model
    from bot.assistant.llm.prompts import load_prompts
    from bot.settings import LLMSettings

    scripted, url = llm_server
    model = openai_chat_model(LLMSettings(backend="openai", base_url=url, model="qwen-local"), max_retries=0)
    agent = PolicyAgent(model, load_prompts(), offline=offline, backend_name="local")
    scripted.script(say(AGE))  # a weak model that calls no tool
    question = "外籍高层次人才工作许可年龄？"
    answer = final_answer(agent.stream(Question(message=question, conversation_id="conv-local",
                                                toolbox=make_agent(url, search, parks, offline).toolbox)))
    assert search.calls == [(question, 3)]  # searched for it, with fewer passages
    assert '<passage n="1" doc="国发〔2020〕7号"' in scripted.tool_messages(0)[0]
    assert answer.answer == AGE and answer.backend == "local" and answer.tool_calls[0].name == "search_policies"
    assert scripted.requests[0]["messages"][-1]["content"].startswith("请只根据上面")  # reminded to cite


def test_the_local_models_refusal_is_not_trusted(llm_server, search, parks, offline) -> None:
    from bot.assistant.llm.agent import PolicyAgent
    from bot.assistant.llm.chat_models import openai_chat_model
    from bot.assistant.llm.prompts import load_prompts
    from bot.settings import LLMSettings

    scripted, url = llm_server
    model = openai_chat_model(LLMSettings(backend="openai", base_url=url, model="qwen-local"), max_retries=0)
    agent = PolicyAgent(model, load_prompts(), offline=offline, backend_name="local")
    scripted.script(say("现有政策文件中没有找到相关规定。"))  # e.g. for a score question it cannot answer
    answer = final_answer(agent.stream(Question(message="东湖示范园的总分和排名是多少？", conversation_id="conv-local-2",
                                                toolbox=make_agent(url, search, parks, offline).toolbox)))
    assert answer.backend == "offline" and offline.calls == ["东湖示范园的总分和排名是多少？"]
    assert "本地模型" in (answer.verification.fallback.reason if answer.verification.fallback else "")
