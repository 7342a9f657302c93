"""A question describing in its own words what a document names by a term it defines is answered from
the rules written with the term (the offline assistant over a fake search of three articles)."""

from __future__ import annotations

from bot.assistant.answering import AnswerService
from bot.assistant.offline.backend import build_offline_backend
from bot.assistant.offline.policy import default_reader
from bot.assistant.types import FinalAnswer
from tests.assistant.fakes import FakeParks, FakeSearch
from tests.support.asking import request

LAW = dict(doc="示范省专利条例", title="示范省专利条例", date="2015-09-25")
ARTICLES = [
    dict(chunk_id="zl-51", section="第五十一条", **LAW, text=(
        "第五十一条 本条例所称的重复侵权，是指同一侵权人经人民法院或者专利行政部门依法认定侵犯他人专利权并作出"
        "处理决定后，再次侵犯同一专利权的行为。")),
    dict(chunk_id="zl-46", section="第四十六条", **LAW, text=(
        "第四十六条 有重复侵权行为的，由专利行政部门责令停止侵权，并可以处违法所得二倍以上四倍以下的罚款；"
        "没有违法所得的，可以处二十万元以下的罚款。")),
    dict(chunk_id="zl-22", section="第二十二条", **LAW, text=(
        "第二十二条 专利行政部门负责调解专利纠纷，处理专利侵权纠纷。")),
]
ASKED = "有家公司已经被认定侵犯了别人的专利，过后又去侵犯同一个专利，被查处的话罚多少钱？"


def test_the_rule_on_a_defined_term_answers_a_question_describing_it() -> None:
    search = FakeSearch(chunks=ARTICLES)
    service = AnswerService(build_offline_backend(search, FakeParks()), search, FakeParks(), None)
    (out,) = [e.answer for e in service.stream(request(ASKED)) if isinstance(e, FinalAnswer)]
    assert out.grounded and "二倍以上四倍以下" in out.answer.split("\n")[0]
    assert any(q.startswith("重复侵权") for q, _, _ in search.calls)  # searched again by the document's term


def test_a_definition_names_what_a_question_describes_only_when_its_meaning_holds_the_question() -> None:
    reader = default_reader()
    definition = ARTICLES[0]["text"]
    term, renamed = reader.described(ASKED, definition)  # type: ignore[misc]
    assert term == "重复侵权" and renamed.startswith("重复侵权") and "罚多少钱" in renamed
    assert "同一个专利" not in renamed  # the description gives way to the term
    assert reader.described("专利侵权纠纷由哪个部门处理？", definition) is None  # it does not describe 重复侵权
    assert reader.described("重复侵权罚多少钱？", definition) is None  # the question names the term itself
