"""retrieval.evaluation: recall@k, complete@k, MRR@k and refusal figures on fake search functions."""

from __future__ import annotations

import json

import pytest

from retrieval.evaluation import (
    BadEvalCases,
    EvalCase,
    Expected,
    evaluate_retrieval,
    is_relevant,
    load_cases,
    normalize_text,
    parse_cases,
)
from retrieval.models import Hit

D3 = "国发〔2020〕7号"
D4 = "国科发火〔2013〕388号"
D1 = "国家高新技术产业开发区“十二五”发展规划纲要"


def hit(doc: str, text: str, section: str = "") -> Hit:
    return Hit(chunk_id=f"{doc}-{len(text)}", doc=doc, title=doc, section=section, text=text, score=0.0)


FILLER = [hit(D1, f"无关段落{i}：国家高新区要加强组织领导。") for i in range(12)]
AGE = hit(D3, "在国家高新区内企业工作的境外高端人才，申请工作许可的年龄可放宽至65岁。", "二、（五）")
PLEDGE = hit(D3, "支持开展知识产权质押融资，开发完善知识产权保险。", "六、（十七）")


def case(
    cid: str,
    evidence: list[tuple[str, str]],
    answerable: bool = True,
    category: str = "paraphrase",
    lang: str = "zh",
) -> EvalCase:
    return EvalCase(
        id=cid,
        question=f"问题 {cid}",
        lang=lang,
        answerable=answerable,
        expected=[Expected(doc=d, evidence=e) for d, e in evidence],
        category=category,
    )


def ranked_search(table: dict[str, list[Hit]]):
    """A fake search: returns the scripted hits for each question, truncated to k."""
    calls: list[tuple[str, int]] = []

    def search(question: str, k: int) -> list[Hit]:
        calls.append((question, k))
        return table.get(question, FILLER)[:k]

    search.calls = calls  # type: ignore[attr-defined]
    return search


# ---------------------------------------------------------------- relevance


def test_evidence_matches_across_whitespace_width_and_table_bars() -> None:
    row = hit(D4, "序号 1 | 企业研发投入占销售收入比例 | 8％")
    c = case("t", [(D4, "企业研发投入占销售收入比例\t8%")])
    assert is_relevant(row, c)


def test_evidence_in_the_wrong_document_does_not_count() -> None:
    c = case("w", [(D4, "国家级研发机构数")])
    assert not is_relevant(hit(D1, "国家级研发机构数 100"), c)
    assert is_relevant(hit(D4, "国家级研发机构数 100"), c)


def test_doc_ids_match_despite_bracket_and_quote_variants() -> None:
    assert is_relevant(hit("国发[2020]7号", AGE.text), case("b", [(D3, "放宽至65岁")]))
    assert is_relevant(
        hit("国家高新技术产业开发区十二五发展规划纲要", "引进超过3000名海外高层次人才"),
        case("q", [(D1, "3000名海外高层次人才")]),
    )


def test_dict_hits_are_accepted() -> None:
    assert is_relevant({"doc": D3, "text": AGE.text}, case("d", [(D3, "放宽至65岁")]))


def test_normalize_text_drops_whitespace_and_unifies_width() -> None:
    assert normalize_text("1．先行 先试\n（一）　５％") == "1.先行先试(一)5%"


# ---------------------------------------------------------------- recall and MRR


def test_recall_and_mrr_follow_the_rank_of_the_first_relevant_hit() -> None:
    cases = [
        case("first", [(D3, "放宽至65岁")]),
        case("third", [(D3, "知识产权质押融资")]),
        case("seventh", [(D3, "放宽至65岁")]),
        case("missing", [(D4, "瞪羚企业")]),
    ]
    search = ranked_search(
        {
            "问题 first": [AGE, *FILLER],
            "问题 third": [*FILLER[:2], PLEDGE, *FILLER],
            "问题 seventh": [*FILLER[:6], AGE, *FILLER],
        }
    )
    report = evaluate_retrieval(cases, search, ks=(1, 5, 10))
    assert report.overall.recall == {1: 0.25, 5: 0.5, 10: 0.75}
    assert report.overall.mrr == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
    assert [c.rank for c in report.cases] == [1, 3, 7, None]
    assert [c.id for c in report.misses(5)] == ["seventh", "missing"]
    assert all(k == 10 for _, k in search.calls)


def test_mrr_ignores_hits_below_its_cutoff() -> None:
    cases = [case("deep", [(D3, "放宽至65岁")])]
    search = ranked_search({"问题 deep": [*FILLER[:11], AGE]})
    report = evaluate_retrieval(cases, search, ks=(1, 5, 20), mrr_k=10)
    assert report.overall.recall[20] == 1.0
    assert report.overall.mrr == 0.0


def test_any_expected_evidence_counts_for_recall_but_complete_needs_all() -> None:
    two_docs = case("x", [(D3, "放宽至65岁"), (D3, "知识产权质押融资")], category="cross_doc")
    search = ranked_search({"问题 x": [AGE, *FILLER[:5], PLEDGE]})
    report = evaluate_retrieval([two_docs], search, ks=(1, 5, 10))
    assert report.overall.recall == {1: 1.0, 5: 1.0, 10: 1.0}
    assert report.overall.complete == {1: 0.0, 5: 0.0, 10: 1.0}
    assert report.cases[0].complete_rank == 7


def test_search_returning_more_than_k_is_truncated() -> None:
    cases = [case("late", [(D3, "放宽至65岁")])]

    def greedy(question: str, k: int) -> list[Hit]:
        return [*FILLER, AGE]  # ignores k: the answer sits at rank 13

    report = evaluate_retrieval(cases, greedy, ks=(1, 5, 10))
    assert report.overall.recall[10] == 0.0


# ---------------------------------------------------------------- refusals


def test_refusal_accuracy_and_false_refusal_rate() -> None:
    cases = [
        case("a1", [(D3, "放宽至65岁")]),
        case("a2", [(D3, "知识产权质押融资")]),
        case("a3", [(D3, "知识产权质押融资")]),
        case("a4", [(D3, "知识产权质押融资")]),
        case("u1", [], answerable=False, category="unanswerable"),
        case("u2", [], answerable=False, category="unanswerable"),
    ]
    refused = {"问题 a4", "问题 u1"}
    search = ranked_search({})
    report = evaluate_retrieval(cases, search, covers_fn=lambda q: q not in refused)
    assert report.overall.refusal_accuracy == 0.5
    assert report.overall.false_refusal_rate == 0.25
    assert report.overall.answerable == 4 and report.overall.unanswerable == 2
    # unanswerable questions are never searched, and do not enter recall
    assert {q for q, _ in search.calls} == {"问题 a1", "问题 a2", "问题 a3", "问题 a4"}
    assert report.overall.recall[10] == 0.0


def test_without_a_coverage_function_refusal_figures_are_absent() -> None:
    report = evaluate_retrieval([case("a", [(D3, "放宽至65岁")])], ranked_search({}))
    assert report.overall.refusal_accuracy is None
    assert report.overall.false_refusal_rate is None
    assert report.cases[0].covered is None


def test_breakdowns_by_category_and_language() -> None:
    cases = [
        case("zh", [(D3, "放宽至65岁")], category="paraphrase"),
        case("en", [(D3, "放宽至65岁")], category="english", lang="en"),
    ]
    search = ranked_search({"问题 zh": [AGE], "问题 en": FILLER})
    report = evaluate_retrieval(cases, search, ks=(1,))
    assert report.by_category["paraphrase"].recall[1] == 1.0
    assert report.by_category["english"].recall[1] == 0.0
    assert report.by_lang["en"].mrr == 0.0
    assert report.overall.recall[1] == 0.5
    assert report.cases[0].top[0].relevant and report.cases[0].top[0].section == "二、（五）"


def test_report_round_trips_through_json() -> None:
    report = evaluate_retrieval([case("a", [(D3, "放宽至65岁")])], ranked_search({"问题 a": [AGE]}))
    data = json.loads(report.model_dump_json())
    assert data["overall"]["recall"]["1"] == 1.0
    assert data["overall"]["mrr"] == 1.0


def test_bad_ks_are_refused() -> None:
    with pytest.raises(ValueError, match="ks"):
        evaluate_retrieval([case("a", [(D3, "x")])], ranked_search({}), ks=(0, 5))


# ---------------------------------------------------------------- loading


def test_load_cases_reads_jsonl(tmp_path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "a",
                "question": "外籍专家63岁了还能办工作许可吗",
                "lang": "zh",
                "answerable": True,
                "expected": [{"doc": D3, "section": "二、（五）", "evidence": "放宽至65岁"}],
                "facts": ["65岁"],
                "category": "paraphrase",
            },
            ensure_ascii=False,
        )
        + "\n\n"
        + json.dumps(
            {"id": "b", "question": "高企所得税税率", "answerable": False, "category": "unanswerable"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    cases = load_cases(path)
    assert [c.id for c in cases] == ["a", "b"]
    assert cases[0].expected[0].section == "二、（五）"
    assert cases[1].expected == []


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ['{"id": "a", "question": "q", "expected": [{"doc": "x", "evidence": "y"}]}', "{oops"],
            "line 2 is not JSON",
        ),
        (['{"id": "a", "question": "q", "lang": "fr", "answerable": false}'], "field 'lang'"),
        (['{"id": "a", "question": "q", "answerable": true}'], "no expected passage"),
        (['{"id": "a", "question": "q", "answerable": false}'] * 2, "id 'a' is used twice"),
        ([""], "no cases"),
    ],
)
def test_bad_case_files_name_the_line_and_the_problem(lines: list[str], message: str) -> None:
    with pytest.raises(BadEvalCases, match=message) as info:
        parse_cases(lines, source="dev.jsonl")
    assert info.value.code == "bad_eval_cases"
    assert "dev.jsonl" in str(info.value)


def test_missing_case_file_is_reported(tmp_path) -> None:
    with pytest.raises(BadEvalCases, match="cannot read"):
        load_cases(tmp_path / "nope.jsonl")


def test_forwarding_notice_matches_by_its_section_prefix() -> None:
    """File 000 indexes the 粤府办 notice under the forwarded document, its 文号 leading the section."""
    notice = hit(
        "国科发火字〔2005〕16号",
        "现有高新区需要升级、扩大规划面积、调整区位的，要严格按照国家和省有关规定和程序报批。",
        "粤府办〔2005〕92号 三",
    )
    c = case("n", [("粤府办〔2005〕92号", "要严格按照国家和省有关规定和程序报批")])
    assert is_relevant(notice, c)
    assert not is_relevant(hit("国科发火字〔2005〕16号", notice.text, "五、（三）"), c)
