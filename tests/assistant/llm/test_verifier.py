"""The verifier as the model's tokens arrive: what is released when, what is withheld, lists."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.assistant.llm.evidence import Evidence
from bot.assistant.llm.verifier import StreamVerifier, guard
from tests.assistant.llm.fakes import RD, TALENT, WARNING, hit

AGE = "外籍高层次人才的工作许可年龄可放宽至65周岁[1]。"
RESIDENCE = "符合条件的外籍人才可办理有效期不超过5年的居留许可[1]。"
WARN = "对评价考核结果较差的国家高新区，通过约谈、通报等方式予以警告并限期整改[2]。"
INVENTED = "外籍人才还可获得最高100万元安家补贴[1]。"


def evidence() -> Evidence:
    ev = Evidence(question="外籍人才在高新区有哪些便利？")
    for p in (TALENT, WARNING, RD):
        ev.add_passage(hit(p))
    return ev


def feed_all(verifier: StreamVerifier, pieces: list[str]) -> list[str]:
    return [verifier.feed(p) for p in pieces]


def test_a_sentence_goes_out_as_soon_as_the_next_text_shows_it_is_complete() -> None:
    v = StreamVerifier(evidence())
    sent = feed_all(v, ["外籍高层次人才的工作许可年龄", "可放宽至65周岁", "。", "[", "1]", "符合条件的"])
    first = "外籍高层次人才的工作许可年龄可放宽至65周岁。[1]"
    assert sent == ["", "", "", "", "", first]  # not before its marker could still arrive
    assert v.feed("外籍人才可办理有效期不超过5年的居留许可[1]。") == ""
    tail, verdict = v.finish()
    assert tail == RESIDENCE and verdict.text == first + RESIDENCE and verdict.removed == []
    assert [c.chunk_id for c in verdict.citations] == ["c-talent"]


def test_a_later_sentence_that_fails_is_withheld_and_listed() -> None:
    v = StreamVerifier(evidence())
    sent = feed_all(v, [AGE, INVENTED, RESIDENCE, "完"])
    tail, verdict = v.finish()
    assert "".join(sent) + tail == AGE + RESIDENCE + "完"
    assert [r.sentence for r in verdict.removed] == [INVENTED]
    assert "100万" not in verdict.text and verdict.fallback is None and verdict.released


def test_an_uncited_lead_waits_for_the_first_supported_sentence() -> None:
    v = StreamVerifier(evidence())
    assert v.feed("可以。外籍高层次人才") == ""
    assert not v.released  # "可以。" alone would leave no way back to the offline answer
    assert v.feed("的工作许可年龄可放宽至65周岁[1]。再") == "可以。" + AGE


def test_failures_before_anything_was_sent_still_allow_the_fallback() -> None:
    v = StreamVerifier(evidence())
    sent = feed_all(v, [INVENTED, "补贴比例为15%[1]。", AGE, "完"])
    assert sent == ["", "", "", ""] and not v.released  # 2 of 3 failed: nothing may go out yet
    tail, verdict = v.finish()
    assert tail == "" and verdict.fallback and "2/3" in verdict.fallback
    assert len(verdict.removed) == 2 and verdict.text == ""


def test_text_written_before_a_tool_call_is_forgotten() -> None:
    v = StreamVerifier(evidence())
    v.feed("我先检索一下相关政策。")
    v.retract()
    v.feed(AGE)
    tail, verdict = v.finish()
    assert verdict.text == AGE and "检索" not in verdict.text


def test_when_the_corpus_does_not_cover_the_question_the_answer_is_judged_whole() -> None:
    v = StreamVerifier(evidence())
    v.judge_whole(True)
    assert feed_all(v, [AGE, RESIDENCE, "完"]) == ["", "", ""]
    tail, verdict = v.finish()
    assert verdict.fallback is None and tail == AGE + RESIDENCE + "完"  # every sentence verified: delivered
    v = StreamVerifier(evidence())
    v.judge_whole(True)
    v.feed(AGE + INVENTED)
    tail, verdict = v.finish()
    assert tail == "" and verdict.fallback and "未覆盖" in verdict.fallback


def test_the_models_statement_that_nothing_covers_it_is_a_refusal() -> None:
    v = StreamVerifier(evidence())
    v.feed("现有政策文件中没有找到外籍人才安家补贴的规定。")
    tail, verdict = v.finish()
    assert verdict.refusal and verdict.fallback is None and tail == "现有政策文件中没有找到外籍人才安家补贴的规定。"


def test_items_of_a_list_inherit_the_marker_at_its_end() -> None:
    draft = "主要有两个方面：一是工作许可年龄可放宽至65周岁；二是可办理有效期不超过5年的居留许可[1]。"
    verdict = guard(draft, evidence())
    assert verdict.text == draft and verdict.removed == []


def test_an_item_the_passage_does_not_support_is_removed_and_the_marker_kept() -> None:
    draft = "一是工作许可年龄可放宽至65周岁；二是可办理有效期不超过5年的居留许可；三是可获得100万元安家补贴[1]。"
    verdict = guard(draft, evidence())
    assert verdict.text == "一是工作许可年龄可放宽至65周岁；二是可办理有效期不超过5年的居留许可[1]。"
    assert [r.sentence for r in verdict.removed] == ["三是可获得100万元安家补贴[1]。"]


def test_a_numbered_list_is_held_until_it_ends_then_checked_item_by_item() -> None:
    v = StreamVerifier(evidence())
    sent = feed_all(v, ["支持措施包括以下两项：\n", "1. 工作许可年龄可放宽至65周岁；\n",
                        "2. 可办理有效期不超过5年的居留许可。[1]\n"])
    assert sent == ["", "", ""]  # the items' citation is at the end of the list
    assert v.feed("以上均为") == (
        "支持措施包括以下两项：\n1. 工作许可年龄可放宽至65周岁；\n2. 可办理有效期不超过5年的居留许可。[1]")


def test_an_announced_count_must_match_the_items_kept() -> None:
    ok = guard("主要有以下两项：\n1. 工作许可年龄可放宽至65周岁；\n2. 可办理有效期不超过5年的居留许可。[1]", evidence())
    assert ok.removed == [] and ok.text.startswith("主要有以下两项：")
    wrong = guard("主要有以下六个方面：\n1. 工作许可年龄可放宽至65周岁；\n2. 可办理有效期不超过5年的居留许可。[1]", evidence())
    assert wrong.text.startswith("1. 工作许可") and "宣布有 6 项，随后列出 2 项" in wrong.removed[0].reason


def test_a_conclusion_before_its_cited_sentence_may_state_that_sentences_numbers() -> None:
    assert guard("最长五年。" + RESIDENCE, evidence()).removed == []
    verdict = guard("最长八年。" + RESIDENCE, evidence())
    assert [r.sentence for r in verdict.removed] == ["最长八年。"]


def test_a_removed_line_leaves_no_empty_line() -> None:
    verdict = guard(f"{AGE}\n{INVENTED}\n{RESIDENCE}\n\n{WARN}", evidence())
    assert verdict.text == f"{AGE}\n{RESIDENCE}\n\n" + WARN.replace("[2]", "[2]")


def test_citations_are_renumbered_in_order_of_first_use() -> None:
    verdict = guard(WARN + AGE, evidence())
    assert verdict.text.endswith("[1]。" + AGE.replace("[1]", "[2]"))
    assert [(c.n, c.chunk_id) for c in verdict.citations] == [(1, "c-warn"), (2, "c-talent")]


DRAFT = (f"可以。{AGE}{INVENTED}\n主要有两个方面：一是工作许可年龄可放宽至65周岁；二是可办理有效期不超过5年的居留许可[1]。\n\n"
         f"支持措施如下：\n1. 工作许可年龄可放宽至65周岁；\n2. 可办理有效期不超过5年的居留许可。[1]\n{WARN}")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(DRAFT) - 1), max_size=12, unique=True))
def test_how_the_text_is_cut_into_tokens_does_not_change_what_is_sent(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(DRAFT)]
    v = StreamVerifier(evidence())
    sent = "".join(v.feed(DRAFT[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))
    tail, verdict = v.finish()
    whole = guard(DRAFT, evidence())
    assert sent + tail == verdict.text == whole.text
    assert [r.sentence for r in verdict.removed] == [r.sentence for r in whole.removed]
