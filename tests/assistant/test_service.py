"""The offline answer service end to end over the fakes: what a park officer sees."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.assistant.backend import final_answer
from bot.assistant.types import FinalAnswer, ScoreLookup, TextDelta, ToolEvent
from bot.errors import BadRequest, MessageTooLong
from bot.services import Services
from tests.assistant.conftest import (
    STAFF,
    answer_service,
    ask,
    assert_citations_resolve,
    assert_numbers_sourced,
    events,
    request,
)
from tests.assistant.fakes import FakeParks


def test_policy_question_quotes_the_clause_with_a_resolving_citation(services: Services) -> None:
    a = ask(services, "外籍专家申请工作许可的年龄最多可以放宽到多少岁？")
    assert a.grounded and a.intent == "policy" and a.backend == "offline"
    assert "申请工作许可的年龄可放宽至65岁" in a.answer
    assert a.citations[0].doc == "国发〔2020〕7号" and a.citations[0].section == "二、（五）"
    assert [t.name for t in a.tool_calls] == ["search_policies"]
    assert_citations_resolve(a)
    assert_numbers_sourced(a)


def test_a_greeting_or_thanks_gets_a_word_on_what_to_ask_not_a_refusal(services: Services) -> None:
    """"你好" or "你能做什么" is told what ParkBot answers, with examples; "谢谢" gets 不客气. Neither is
    "the documents do not say", nor a clause, nor a search. A question that opens with 你好 is a question."""
    for message, intent, said in (("你好", "help", "可以这样问我"), ("你能做什么？", "help", "起草复函"),
                                  ("What can you do?", "help", "You can ask me"), ("谢谢！", "thanks", "不客气"),
                                  ("好的，明白了", "thanks", "不客气")):
        a = ask(services, message)
        assert a.intent == intent and said in a.answer, (message, a.answer)
        assert a.citations == [] and a.tool_calls == [] and "没有找到" not in a.answer
    question = ask(services, "你好，外籍专家申请工作许可的年龄最多可以放宽到多少岁？")
    assert question.intent == "policy" and "65岁" in question.answer


def test_paraphrase_through_synonyms(services: Services) -> None:
    a = ask(services, "企业能用专利做抵押贷款吗")
    assert "知识产权质押融资" in a.answer and a.grounded
    assert_citations_resolve(a)


def test_score_lookup_shows_the_scoring_modules_numbers(services: Services) -> None:
    a = ask(services, "青川高新区得分多少，排第几？")
    card = FakeParks().score_card("SYN-001")
    assert a.intent == "score"
    assert f"**{card.total}**" in a.answer and f"排第 **{card.rank}** 名" in a.answer
    assert "SYNTHETIC" in a.answer
    assert a.tool_calls[0].name == "score_park" and isinstance(a.tool_calls[0].result, ScoreLookup)
    assert a.tool_calls[0].result.card.total == card.total
    assert_citations_resolve(a)
    assert_numbers_sourced(a)


def test_eligibility_and_follow_ups_in_one_conversation(services: Services) -> None:
    first = ask(services, "青川够创新型科技园区的标准吗？")
    assert first.intent == "eligibility" and "未达标" in first.answer and "✗" in first.answer
    assert_citations_resolve(first)
    assert_numbers_sourced(first)
    follow = ask(services, "那创新型特色园区呢？", first.conversation_id)
    assert follow.intent == "eligibility" and "创新型特色园区" in follow.answer and "全部达标" in follow.answer
    assert follow.tool_calls[0].args == {"park": "SYN-001", "category": "innovative_featured"}
    rank = ask(services, "它排第几？", first.conversation_id)
    assert rank.intent == "score" and "青川高新区" in rank.answer


def test_follow_up_survives_a_new_service_on_the_same_database(offline_backend, fakes, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'conv.db'}"
    one = answer_service(offline_backend, fakes, url)
    cid = final_answer(one.stream(request("云岭科技园得分多少"))).conversation_id
    two = answer_service(offline_backend, fakes, url)
    a = final_answer(two.stream(request("为什么这么低？", cid)))
    assert a.intent == "explain" and "云岭科技园" in a.answer and "失分最多" in a.answer
    assert len(two.memory.history(STAFF.conversation_key(cid))) == 4


def test_out_of_corpus_question_is_refused_plainly(services: Services) -> None:
    a = ask(services, "高新区企业申请小微企业贷款贴息的截止日期是哪天？")
    assert not a.grounded
    # the documents touch the topic at most: the answer says the date is not stated, and cites only that
    assert "没有找到" in a.answer or "但没有规定具体日期" in a.answer
    assert len(a.citations) <= 1
    assert_citations_resolve(a)


def test_rule_check_with_the_clause(services: Services) -> None:
    a = ask(services, "我们企业研发投入4.5%，符合纲要要求吗？")
    assert a.intent == "rule_check" and a.answer.startswith("**不符合**")
    assert "4.5%" in a.answer and "不能低于年产品销售额的5％" in a.answer
    assert a.citations[0].doc == "国科发火字〔2005〕16号"
    assert_citations_resolve(a)
    age = ask(services, "63岁的外籍专家还能办工作许可吗？")
    assert "待确认" in age.answer and "65岁" in age.answer
    assert_numbers_sourced(age)


def test_what_if_and_list_parks(services: Services) -> None:
    a = ask(services, "如果青川的服务收入占比提高到40%，得分会怎样？")
    assert a.intent == "what_if" and a.tool_calls[0].args["changes"] == {"2.2": "40%"}
    assert "75.85" in a.answer and "72.35" in a.answer
    parks = ask(services, "有哪些园区？")
    assert parks.intent == "list_parks" and "SYN-003" in parks.answer and "SYNTHETIC" in parks.answer


def test_draft_mode_writes_a_letter_with_citations(services: Services) -> None:
    a = ask(services, "企业来函询问：园区企业能否开展知识产权质押融资？", mode="draft")
    assert a.mode == "draft" and a.intent == "draft" and a.grounded
    assert "复函" in a.answer and "【单位名称】" in a.answer and "【日期】" in a.answer
    assert "知识产权质押融资" in a.answer
    assert_citations_resolve(a)
    assert_numbers_sourced(a)


def test_english_question_gets_an_english_frame(services: Services) -> None:
    a = ask(services, "What is the age limit for foreign talent work permits?")
    assert a.answer.startswith("**Answer:**") and "\nSources:\n" in a.answer and "65岁" in a.answer
    assert_citations_resolve(a)


def test_bad_input_is_refused_with_a_reason(services: Services) -> None:
    with pytest.raises(BadRequest, match="message"):
        ask(services, "   ")
    limit = services.settings.limits.max_message_chars
    with pytest.raises(MessageTooLong, match=f"limit of {limit}") as too_long:
        services.stream_answer(request("园" * (limit + 1)))  # refused before the stream starts
    assert too_long.value.status == 413
    assert ask(services, "外籍人才居留许可" + "园" * (limit - 8)).answer  # at the limit: answered
    with pytest.raises(ValidationError, match="mode"):
        request("hi", mode="poem")  # type: ignore[arg-type]


def test_stream_sends_the_tool_results_then_the_text_then_the_answer(services: Services) -> None:
    items = events(services, "外籍人才的居留许可最长几年？")
    assert [type(e) for e in items] == [ToolEvent, TextDelta, FinalAnswer]
    final = items[-1].answer
    assert items[0].call.name == "search_policies" and items[0].call == final.tool_calls[0]
    assert "".join(e.text for e in items if isinstance(e, TextDelta)) == final.answer


class _BrokenLLM:
    name = "openai"

    def stream(self, question):  # type: ignore[no-untyped-def]
        raise ConnectionError("endpoint down")
        yield  # a generator, like every backend's stream


def test_llm_failure_falls_back_to_offline_with_a_notice(offline_backend, fakes) -> None:
    svc = answer_service(offline_backend, fakes, None, llm=_BrokenLLM(), backend="openai")
    a = final_answer(svc.stream(request("外籍人才的居留许可最长几年？")))
    assert a.backend == "offline" and a.grounded and "5年以内的居留许可" in a.answer
    assert any("离线模式" in n for n in a.notices)


def test_llm_that_cannot_be_built_answers_offline(offline_backend, fakes) -> None:
    def factory():
        raise ValueError("PARKBOT_LLM__BASE_URL is not set")

    svc = answer_service(offline_backend, fakes, None, llm_factory=factory, backend="openai")
    a = final_answer(svc.stream(request("外籍人才的居留许可最长几年？")))
    assert a.backend == "offline" and any("PARKBOT_LLM__BASE_URL" in n for n in a.notices)


def test_two_parks_compared_side_by_side(services: Services) -> None:
    a = ask(services, "比较青川高新区和云岭科技园的得分")
    assert a.intent == "compare" and a.tool_calls[0].args == {"parks": ["SYN-001", "SYN-002"]}
    assert "| SYN-001 | 青川高新区（SYNTHETIC） | 72.35 | 1 |" in a.answer
    assert "| SYN-002 | 云岭科技园（SYNTHETIC） | 64.1 | 2 |" in a.answer
    assert "排名为全部 3 个园区中的名次" in a.answer
    assert_citations_resolve(a)
    assert_numbers_sourced(a)
