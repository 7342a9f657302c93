"""`parkbot eval`: modes side by side on a scripted searcher, rendering, JSON and bad input."""

from __future__ import annotations

import json
from types import SimpleNamespace

from rich.console import Console
from typer.testing import CliRunner

import bot.cli.eval as eval_cli  # registers the command on `app`
from bot.cli.app import app
from retrieval.evaluation import EvalCase, Expected
from retrieval.models import Hit

D3 = "国发〔2020〕7号"
D4 = "国科发火〔2013〕388号"


def hit(doc: str, text: str, section: str = "") -> Hit:
    return Hit(chunk_id=f"{doc}-{text[:4]}", doc=doc, title=doc, section=section, text=text, score=1.0)


AGE = hit(D3, "申请工作许可的年龄可放宽至65岁。", "二、（五）")
ROW = hit(D4, "1\t企业研发投入占销售收入比例\t8%", "附1 一")
NOISE = [hit(D3, f"国家高新区要加强组织领导{i}。") for i in range(10)]

CASES = [
    EvalCase(
        id="p",
        question="外籍专家63岁了还能办工作许可吗",
        expected=[Expected(doc=D3, evidence="放宽至65岁")],
        facts=["65岁"],
        category="paraphrase",
    ),
    EvalCase(
        id="t",
        question="世界一流园区研发投入强度要求",
        expected=[Expected(doc=D4, evidence="企业研发投入占销售收入比例")],
        facts=["8%"],
        category="table",
    ),
    EvalCase(id="u", question="高企所得税税率是多少", answerable=False, category="unanswerable"),
]


class ScriptedSearcher:
    """Dense finds the paraphrase, keyword finds the table row, hybrid finds both.

    Coverage refuses the unanswerable question only."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, str]] = []

    def run(self, query: str, k: int, mode: str = "hybrid") -> SimpleNamespace:
        self.calls.append((query, k, mode))
        good = {"dense": {"p"}, "keyword": {"t"}, "hybrid": {"p", "t"}}[mode]
        target = {
            "外籍专家63岁了还能办工作许可吗": ("p", AGE),
            "世界一流园区研发投入强度要求": ("t", ROW),
        }.get(query)
        hits = list(NOISE)
        if target and target[0] in good:
            hits.insert(0 if mode != "hybrid" or target[0] == "p" else 1, target[1])
        covered = query != "高企所得税税率是多少"
        return SimpleNamespace(hits=hits[:k], coverage=SimpleNamespace(covered=covered))


def test_modes_are_compared_on_the_same_cases() -> None:
    searcher = ScriptedSearcher()
    reports = eval_cli.compare_modes(CASES, searcher)
    assert list(reports) == ["dense", "bm25", "hybrid"]
    assert reports["dense"].overall.recall[10] == 0.5
    assert reports["bm25"].overall.recall[10] == 0.5
    assert reports["hybrid"].overall.recall == {1: 0.5, 5: 1.0, 10: 1.0}
    assert reports["hybrid"].overall.mrr == 0.75
    assert reports["hybrid"].overall.refusal_accuracy == 1.0
    assert reports["hybrid"].overall.false_refusal_rate == 0.0
    # "bm25" is the searcher's "keyword" mode; each question is searched once per mode, at depth 10
    assert {m for _, _, m in searcher.calls} == {"dense", "keyword", "hybrid"}
    assert len(searcher.calls) == 3 * len(CASES)
    assert all(k == 10 for _, k, _ in searcher.calls)


def test_summary_table_shows_every_mode_and_figure() -> None:
    reports = eval_cli.compare_modes(CASES, ScriptedSearcher())
    console = Console(record=True, width=160)
    console.print(eval_cli.summary_table(reports, "dev"))
    console.print(eval_cli.breakdown_table(reports))
    console.print(eval_cli.misses_table(reports["dense"], CASES, "dense"))
    out = console.export_text()
    for heading in ("recall@1", "recall@5", "recall@10", "MRR@10", "refusal acc.", "false refusals"):
        assert heading in out
    hybrid_row = next(line for line in out.splitlines() if line.strip().startswith("│ hybrid"))
    assert "0.500" in hybrid_row and "1.000" in hybrid_row and "0.750" in hybrid_row
    assert "category table" in out
    assert "世界一流园区研发投入强度要求" in out  # dense misses the table question


def test_json_has_one_report_per_mode(tmp_path) -> None:
    reports = eval_cli.compare_modes(CASES, ScriptedSearcher(), ["bm25", "hybrid"])
    data = json.loads(json.dumps(eval_cli.to_json(reports, tmp_path / "x.jsonl", details=False)))
    assert set(data["modes"]) == {"bm25", "hybrid"}
    assert data["modes"]["hybrid"]["overall"]["recall"]["5"] == 1.0
    assert "cases" not in data["modes"]["hybrid"]
    detailed = eval_cli.to_json(reports, tmp_path / "x.jsonl", details=True)
    assert [c["id"] for c in detailed["modes"]["bm25"]["cases"]] == ["p", "t", "u"]


def test_bad_case_file_is_refused_with_the_line(tmp_path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "a", "question": "q", "answerable": false}\n{broken\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--cases", str(path)])
    assert result.exit_code == 2
    assert "line 2 is not JSON" in result.output


def test_unknown_mode_is_refused() -> None:
    result = CliRunner().invoke(app, ["eval", "--mode", "sparse"])
    assert result.exit_code == 2
    assert "sparse" in result.output


def test_a_split_with_no_case_is_refused_naming_the_splits(tmp_path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "a", "question": "q", "answerable": false, "split": "tune"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--cases", str(path), "--split", "heldout"])
    assert result.exit_code == 2
    assert "no case of cases.jsonl is in split 'heldout'" in result.output and "tune" in result.output


def test_a_corpus_that_is_not_a_folder_is_refused(tmp_path) -> None:
    result = CliRunner().invoke(app, ["eval", "--corpus", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "is not a folder of documents" in result.output
