"""`parkbot score | check | explain | whatif | template`."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

import bot.cli.scoring  # noqa: F401  (registers the commands)
from bot.cli.app import app

runner = CliRunner()


def test_score_table_says_synthetic() -> None:
    result = runner.invoke(app, ["score"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output and "SYN-001" in result.output


def test_score_one_park_json_is_the_card() -> None:
    result = runner.invoke(app, ["score", "--park", "SYN-001", "--json"])
    card = json.loads(result.output)
    assert card["park_id"] == "SYN-001" and card["synthetic"] is True and card["rank"] == 1


def test_score_out_writes_the_workbook(tmp_path) -> None:
    out = tmp_path / "scores.xlsx"
    result = runner.invoke(app, ["score", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(out, sheet_name=None, header=1)  # row 1 is the notice
    assert list(sheets) == ["得分与排名", "指标明细", "资格判定", "方法", "归一化参照"]
    assert sheets["方法"].astype(str).apply(lambda c: c.str.contains("SYNTHETIC")).any().any()
    assert len(sheets["得分与排名"]) == 60 and sheets["得分与排名"]["总分"].dtype == float


def test_check_with_a_park_file(tmp_path) -> None:
    park = tmp_path / "park.json"
    park.write_text(json.dumps({"service_revenue_share": "34.9%"}, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["check", "--category", "创新型科技园区", "--park-file", str(park), "--json"])
    report = json.loads(result.output)
    assert report["overall"] == "fail" and report["near_misses"] == ["服务收入占营业收入比例"]


def test_whatif_and_bad_input_exit_code() -> None:
    ok = runner.invoke(app, ["whatif", "SYN-010", "2.2=40%", "--json"])
    assert json.loads(ok.output)["rank_after"] < json.loads(ok.output)["rank_before"]
    bad = runner.invoke(app, ["whatif", "SYN-010", "2.2=40"])
    assert bad.exit_code == 2 and "40%" in bad.output


def test_explain_and_template(tmp_path) -> None:
    assert "失分最多" in runner.invoke(app, ["explain", "SYN-010"]).output
    out = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", "--out", str(out)]).exit_code == 0
    assert out.exists()
