"""The exported workbook as staff hand it on: opened with openpyxl, every sheet checked for the
notice banner, a frozen and filtered header, numbers stored as numbers with their formats, and
Chinese where the engine has codes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import scoring
from scoring.workbook import write_score_workbook
from tests.scoring.conftest import SAMPLE

SHEETS = ["得分与排名", "指标明细", "资格判定", "方法", "归一化参照"]


def _export(kit: scoring.ScoringKit, path: Path, parks: int | None = None) -> openpyxl.Workbook:
    result = kit.result()
    reports, ids = [], []
    for pid in result.cohort.park_ids[:parks]:
        found, _ = scoring.check_all_categories(pid, kit.packs, registry=kit.registry, cohort=kit.cohort)
        reports += found
        ids += [pid] * len(found)
    write_score_workbook(result, path, reports, ids)
    return openpyxl.load_workbook(path)


def _column(sheet, name: str) -> list:  # type: ignore[no-untyped-def]
    header = [c.value for c in sheet[2]]
    col = header.index(name) + 1
    return [sheet.cell(r, col) for r in range(3, sheet.max_row + 1)]


@pytest.fixture(scope="module")
def book(kit, tmp_path_factory) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    return _export(kit, tmp_path_factory.mktemp("export") / "scores.xlsx", parks=5)


def test_every_sheet_opens_with_the_synthetic_banner_and_a_frozen_filtered_header(book) -> None:
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        banner = str(sheet["A1"].value)
        assert "SYNTHETIC" in banner and "并非火炬中心官方评价结果" in banner, sheet.title
        assert sheet["A1"].font.bold
        assert sheet.freeze_panes == "B3", sheet.title  # the header row and the first column stay in view
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A2:"), sheet.title
        assert all(c.font.bold for c in sheet[2] if c.value), sheet.title
        last_col = sheet.auto_filter.ref.split(":")[1].rstrip("0123456789")
        assert last_col == openpyxl.utils.get_column_letter(sum(1 for c in sheet[2] if c.value)), sheet.title


def test_scores_and_ranks_are_numbers_and_the_unranked_park_has_its_reason(book) -> None:
    sheet = book["得分与排名"]
    totals = _column(sheet, "总分")
    assert len(totals) == 60
    ranked = [c for c in totals if c.value is not None]
    assert len(ranked) == 59 and all(isinstance(c.value, (int, float)) and c.number_format == "0.00" for c in ranked)
    assert all(isinstance(c.value, int) for c in _column(sheet, "排名") if c.value is not None)
    rows = {c.value: c.row for c in _column(sheet, "园区代码")}
    rankable = {c.row: c.value for c in _column(sheet, "可排名")}
    reasons = {c.row: c.value for c in _column(sheet, "未排名原因")}
    assert rankable[rows["SYN-046"]] == "否" and rankable[rows["SYN-001"]] == "是"
    assert "一级指标3「国际化和参与全球竞争能力」缺 3.4" in reasons[rows["SYN-046"]]
    assert "不足 2/3" in reasons[rows["SYN-046"]]
    assert not reasons[rows["SYN-001"]]


def test_raw_values_are_numbers_ratios_are_per_cent_and_statuses_chinese(book, registry) -> None:
    shares = {i.code for i in registry.indicators if i.kind in ("ratio", "signed")}
    assert {"1.8", "1.9", "2.2", "4.2"} <= shares
    sheet = book["指标明细"]
    values = _column(sheet, "原始值")
    codes = [c.value for c in _column(sheet, "指标")]
    units = [c.value for c in _column(sheet, "单位")]
    assert not [c.value for c in values if isinstance(c.value, str)], "raw values stored as text"
    for cell, code, unit in zip(values, codes, units, strict=True):
        if cell.value is None:
            continue
        if code in shares:  # shares, margins and growth rates
            assert unit == "%" and cell.number_format == "0.00%", code
        else:
            assert cell.number_format in ("#,##0", "#,##0.00"), code
    first = next(c for c, code in zip(values, codes, strict=True) if code == "1.1")
    assert first.value == 6200 and first.number_format == "#,##0"  # SYN-001's 1.1, once stored as '6200'
    statuses = {c.value for c in _column(sheet, "状态")}
    assert statuses <= {"报告值", "由基础统计量计算", "缺失", "无参照值", "以中位数补齐", "按0计"}
    assert {"报告值", "由基础统计量计算"} <= statuses


def test_eligibility_verdicts_in_chinese_with_numbers_in_their_format(book) -> None:
    sheet = book["资格判定"]
    assert {c.value for c in _column(sheet, "结论")} <= {"全部达标", "未达标", "数据不全"}
    assert {c.value for c in _column(sheet, "判定")} <= {"达标", "未达标", "数据缺失"}
    names = [c.value for c in _column(sheet, "指标")]
    values = _column(sheet, "数值")
    share = next(v for n, v in zip(names, values, strict=True) if n == "服务收入占营业收入比例" and v.value is not None)
    assert isinstance(share.value, float) and share.number_format == "0.00%"
    per_head = next(v for n, v in zip(names, values, strict=True) if n == "从业人员人均增加值" and v.value is not None)
    assert isinstance(per_head.value, (int, float)) and per_head.number_format in ("#,##0", "#,##0.00")
    compound = next(v for n, v in zip(names, values, strict=True) if n == "产业集群与巨型企业数")
    assert "亿元企业" in compound.value  # its parts, not a blank


def test_references_are_numbers(book) -> None:
    sheet = book["归一化参照"]
    lows = _column(sheet, "L（最小）")
    assert len(lows) == 40 and all(isinstance(c.value, (int, float)) for c in lows if c.value is not None)


def test_user_data_gets_the_official_notice_not_synthetic(registry, tmp_path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "parks.csv"
    data.write_text("\n".join(line for line in lines if not line.startswith("#")) + "\n", encoding="utf-8")
    kit = scoring.ScoringKit.load(parks_path=data)
    assert not kit.result().synthetic
    book = _export(kit, tmp_path / "own.xlsx", parks=1)
    for sheet in book.worksheets:
        banner = str(sheet["A1"].value)
        assert "SYNTHETIC" not in banner and "并非火炬中心官方评价结果" in banner, sheet.title
