"""``parkbot score --out scores.xlsx``: a formatted workbook of a result.

Sheets: 得分与排名 (totals, ranks, primaries), 指标明细 (per park × indicator), 资格判定
(附1 categories, if given), 方法 (registry, profile, input hash, L/U per indicator, notices).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from scoring.cards import notice_for
from scoring.eligibility import EligibilityReport
from scoring.engine import CohortResult
from scoring.tables import indicator_table

_HEAD = PatternFill("solid", fgColor="DDEBF7")


def _sheet(
    sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int] = ()
) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), _HEAD
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "B2"
    for idx, width in enumerate(widths):
        sheet.column_dimensions[sheet.cell(1, idx + 1).column_letter].width = width


def write_score_workbook(
    result: CohortResult,
    path: str | Path,
    eligibility: Sequence[EligibilityReport] | None = None,
    eligibility_park_ids: Sequence[str] | None = None,
) -> Path:
    path = Path(path)
    book = Workbook()
    scores = book.active
    scores.title = "得分与排名"
    table = result.table()
    head = ["园区代码", "园区名称", "年份", "总分", "排名"]
    prim = []
    for p in result.registry.primaries:
        prim += [f"{p.code} {p.name}（{p.weight}%）", f"{p.code} 排名"]
    rows = []
    for rec in table.itertuples(index=False):
        d = rec._asdict()
        row = [d["park_id"], d["name"], d["year"], _num(d["total"]), _int(d["rank"])]
        for p in result.registry.primaries:
            row += [_num(d[f"P{p.code}"]), _int(d[f"P{p.code}_rank"])]
        rows.append(row)
    _sheet(
        scores,
        head + prim + ["可排名"],
        [r + [bool(d)] for r, d in zip(rows, table["rankable"], strict=True)],
        (12, 28, 8, 10, 8),
    )
    for row in scores.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    detail = book.create_sheet("指标明细")
    names = {i.code: i.name for i in result.registry.indicators}
    long = indicator_table(result)
    _sheet(
        detail,
        ["园区代码", "指标", "指标名称", "原始值", "归一化得分", "贡献分", "失分", "状态"],
        [
            [
                r.park_id,
                r.code,
                names[r.code],
                r.value,
                _num(r.normalized),
                _num(r.contribution),
                _num(r.headroom),
                r.status,
            ]
            for r in long.itertuples(index=False)
        ],
        (12, 8, 40, 18, 12, 10, 10, 14),
    )
    if eligibility:
        elig = book.create_sheet("资格判定")
        erows = []
        for pid, rep in zip(eligibility_park_ids or [""] * len(eligibility), eligibility, strict=True):
            for t in rep.targets:
                erows.append(
                    [
                        pid,
                        rep.category,
                        rep.overall,
                        t.no,
                        t.name,
                        t.requirement,
                        t.value,
                        {True: "达标", False: "未达标", None: "数据缺失"}[t.met],
                        t.gap,
                        "是" if t.near_miss else "",
                        t.citation,
                    ]
                )
        _sheet(
            elig,
            ["园区代码", "类别", "结论", "序号", "指标", "要求", "数值", "判定", "差距", "接近达标", "出处"],
            erows,
            (12, 18, 10, 6, 34, 30, 14, 10, 12, 10, 30),
        )
    method = book.create_sheet("方法")
    audit = result.audit()
    lines = [
        ["说明", notice_for(result.synthetic)],
        ["数据", "SYNTHETIC（虚构样例数据）" if result.synthetic else "用户提供的数据"],
        [
            "指标体系",
            f"{result.registry.id} {result.registry.doc} {result.registry.section} {result.registry.title}",
        ],
        ["方法", f"{result.profile.id}: {result.profile.description}"],
        ["引擎版本", audit["engine_version"]],
        ["输入SHA-256", audit["input_sha256"]],
        ["参评园区数", audit["cohort_size"]],
        ["舍入", "精确计算，输出时一次性四舍五入（远离零）到2位小数；并列采用竞争排名（1, 2, 2, 4）"],
    ]
    _sheet(method, ["项目", "内容"], lines, (16, 100))
    method.append([])
    method.append(["指标", "归一化方法", "L（最小）", "U（最大）", "报告园区数", "常数参照"])
    for code, ref in audit["references"].items():
        method.append([code, ref["method"], ref["L"], ref["U"], ref["reporting"], ref["constant_reference"]])
    book.save(path)
    return path


def _num(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def _int(value: object) -> int | None:
    try:
        return None if value is None or value != value else int(value)  # type: ignore[call-overload]
    except TypeError:
        return None
