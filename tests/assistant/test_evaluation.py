"""Answer-level evaluation (bot/assistant/evaluation.py) on a scripted answer function, and its
section of `parkbot eval` (tables and JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from rich.console import Console

import bot.cli.eval as eval_cli
from bot.assistant.evaluation import (
    check_citations,
    evaluate_answers,
    percentile,
    stated_facts,
)
from bot.assistant.types import Answer, Citation
from retrieval.evaluation import EvalCase, Expected

D3 = "国发〔2020〕7号"
D4 = "国科发火〔2013〕388号"
AGE_TEXT = "在国家高新区内企业工作的境外高端人才，申请工作许可的年龄可放宽至65岁。"
ROW_TEXT = "世界一流高科技园区 目标要求 序号1 企业研发投入占销售收入比例 8%"
OTHER_TEXT = "鼓励商业银行在国家高新区设立科技支行。"
INDEX = {"c-age": AGE_TEXT, "c-row": ROW_TEXT, "c-bank": OTHER_TEXT}

CASES = [
    EvalCase(id="age", question="外籍专家63岁了还能办工作许可吗",
             expected=[Expected(doc=D3, section="二、（五）", evidence="年龄可放宽至65岁")], facts=["65岁"]),
    EvalCase(id="row", question="世界一流园区研发投入强度要求多少",
             expected=[Expected(doc=D4, section="附1 一", evidence="企业研发投入占销售收入比例")], facts=["8%", "到2020年"],
             category="table"),
    EvalCase(id="bank", question="银行能在高新区开科技支行吗", lang="zh",
             expected=[Expected(doc=D3, section="六、（十七）", evidence="设立科技支行")], facts=["科技支行"]),
    EvalCase(id="tax", question="高企所得税税率是多少", answerable=False, category="unanswerable"),
    EvalCase(id="cash", question="How much cash does Shenzhen give?", lang="en", answerable=False, category="unanswerable"),
]


def cite(n: int, chunk_id: str, doc: str, section: str, text: str | None = None) -> Citation:
    return Citation(n=n, chunk_id=chunk_id, doc=doc, title=doc, section=section, text=INDEX.get(chunk_id, "") if text is None else text)


def answer(text: str, citations: list[Citation], grounded: bool = True) -> Answer:
    return Answer(conversation_id="c", answer=text, citations=citations, grounded=grounded, intent="policy")


SCRIPT = {
    # right clause, the fact in full-width digits, a bold marker: all count
    "外籍专家63岁了还能办工作许可吗": answer("**可以**：年龄可放宽至６５ 岁[1]。", [cite(1, "c-age", D3, "二、（五）")]),
    # cites the right row and states 8 %, but not the vintage; and a [2] that resolves to nothing
    "世界一流园区研发投入强度要求多少": answer("要求 8％[1]，见[2]。", [cite(1, "c-row", D4, "附1 一")]),
    # refused although the corpus answers it
    "银行能在高新区开科技支行吗": answer("现有政策文件中没有找到相关规定。", [], grounded=False),
    # refused as it should be
    "高企所得税税率是多少": answer("现有政策文件中没有找到关于税率的规定。", [], grounded=False),
    # answered although it should be refused, quoting a passage whose text is not the index's
    "How much cash does Shenzhen give?": answer("See [1].", [cite(1, "c-bank", D3, "六、（十七）", text="改过的文字")]),
}


class Clock:
    """Each answer takes 10 ms more than the previous one (10, 20, 30 … ms)."""

    def __init__(self) -> None:
        self.ticks: Iterator[float] = iter([0.0, 0.010, 1.0, 1.020, 2.0, 2.030, 3.0, 3.040, 4.0, 4.050, 5.0, 5.060])

    def __call__(self) -> float:
        return next(self.ticks)


def run(cases: list[EvalCase] = CASES):
    return evaluate_answers(cases, lambda q: SCRIPT[q], INDEX.get, clock=Clock())


def test_every_figure_on_a_scripted_answer_function() -> None:
    report = run()
    o = report.overall
    assert (o.cases, o.answerable, o.unanswerable) == (5, 3, 2)
    # the [2] of "row" resolves to nothing; "cash" quotes a passage the index does not hold
    assert o.citation_validity == 3 / 5
    assert o.cites_evidence == 2 / 3  # "bank" was refused, so it cites nothing
    assert o.facts_stated == 2 / 4  # 65岁 and 8% stated; 到2020年 and 科技支行 not
    assert o.all_facts == 1 / 3
    assert o.refusal_accuracy == 1 / 2
    assert o.false_refusal_rate == 1 / 3
    assert o.latency_p50_ms == 30.0 and o.latency_p95_ms == 48.0
    assert o.errors == 0
    assert set(report.by_category) == {"paraphrase", "table", "unanswerable"}
    assert report.by_lang["en"].refusal_accuracy == 0.0 and report.by_lang["zh"].refusal_accuracy == 1.0


def test_each_case_says_what_went_wrong() -> None:
    by_id = {c.id: c for c in run().cases}
    assert by_id["age"].citations_valid and by_id["age"].cites_evidence and by_id["age"].facts_missing == []
    assert by_id["row"].unresolved == [2] and by_id["row"].facts_missing == ["到2020年"]
    assert by_id["bank"].refused and by_id["bank"].cites_evidence is False
    assert by_id["cash"].not_indexed == [1] and by_id["cash"].grounded is True
    assert by_id["tax"].cites_evidence is None and not by_id["tax"].failed
    assert [c.id for c in run().misses()] == ["row", "bank", "cash"]


def test_a_citation_of_the_right_text_in_another_document_is_not_the_evidence() -> None:
    case = CASES[0]
    wrong_doc = answer("年龄可放宽至65岁[1]", [cite(1, "c-age", D4, "二、（五）")])
    report = evaluate_answers([case], lambda q: wrong_doc, INDEX.get)
    assert report.cases[0].cites_evidence is False
    assert report.cases[0].facts_stated == ["65岁"]


def test_a_failing_answer_function_is_recorded_and_the_others_still_run() -> None:
    def flaky(question: str) -> Answer:
        if question.startswith("银行"):
            raise RuntimeError("index closed")
        return SCRIPT[question]

    report = evaluate_answers(CASES, flaky, INDEX.get)
    bank = next(c for c in report.cases if c.id == "bank")
    assert bank.error == "RuntimeError: index closed" and bank.facts_missing == ["科技支行"]
    assert report.overall.errors == 1
    assert report.overall.false_refusal_rate == 1 / 3  # an answer that never came is not an answer
    assert len(report.cases) == len(CASES)


def test_matching_helpers() -> None:
    assert stated_facts("年龄可放宽至６５岁[1]，居留许可 5 年", ["65岁", "5年", "多年多次"]) == (["65岁", "5年"], ["多年多次"])
    # a marker between the words of a fact does not hide it; English facts ignore case
    assert stated_facts("知识产权[2]质押融资", ["知识产权质押融资"])[0] == ["知识产权质押融资"]
    assert stated_facts("The Zones", ["zones"])[0] == ["zones"]
    # without an index lookup only the markers are checked
    assert check_citations(answer("见[1][3]", [cite(1, "x", D3, "")])) == ([3], [])
    assert check_citations(answer("见[1]", [cite(1, "gone", D3, "", text="t")]), INDEX.get) == ([], [1])
    assert percentile([], 50) is None and percentile([5.0], 95) == 5.0
    assert percentile([10, 20, 30, 40], 50) == 25.0


def test_eval_renders_the_answer_section_and_its_json(tmp_path) -> None:
    report = run()
    console = Console(record=True, width=200)
    console.print(eval_cli.answers_table(report, "answers on dev"))
    console.print(eval_cli.answer_misses_table(report, CASES))
    out = console.export_text()
    for heading in ("valid cit.", "evidence", "facts", "refusal acc.", "false ref.", "p95 ms", "unanswerable", "lang:en"):
        assert heading in out
    all_row = next(line for line in out.splitlines() if line.strip().startswith("│ all"))
    assert "0.600" in all_row and "0.667" in all_row and "0.500" in all_row
    assert "unresolved [2]" in out and "not in index [1]" in out and "answered (should refuse)" in out
    assert "refused" in out and "missing 到2020年" in out

    data = json.loads(json.dumps(eval_cli.to_json({}, tmp_path / "dev.jsonl", False, report), ensure_ascii=False))
    assert data["answers"]["overall"]["citation_validity"] == 0.6
    assert "cases" not in data["answers"]
    detailed = eval_cli.to_json({}, tmp_path / "dev.jsonl", True, report)
    assert [c["id"] for c in detailed["answers"]["cases"]] == [c.id for c in CASES]


def test_figures_per_split_and_the_refusal_counts() -> None:
    split = [c.model_copy(update={"split": "heldout" if c.id in ("age", "tax", "cash") else "tune"}) for c in CASES]
    report = run(split)
    held, tune = report.by_split["heldout"], report.by_split["tune"]
    assert (held.cases, held.answerable, tune.cases) == (3, 1, 2)
    assert (held.unanswerable_refused, held.unanswerable) == (1, 2)  # "tax" refused, "cash" answered
    assert (tune.answerable_refused, tune.answerable) == (1, 2)  # "bank" refused
    assert report.overall.unanswerable_refused == 1 and report.overall.answerable_refused == 1
    assert run().by_split == {}  # cases without a split: no split rows
