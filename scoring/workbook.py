"""``parkbot score --out scores.xlsx``: a formatted workbook of a result (or ``scores.csv``).

Sheets: 得分与排名 (totals, ranks, primaries), 指标明细 (per park × indicator), 资格判定
(附1 categories, if given), 方法 (registry, profile, input hash, L/U per indicator, notices).
A ``.csv`` path gets the 得分与排名 table alone.

Exports are safe to open (the OWASP CSV-injection rule): a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return — a park name from an imported file, say — is
written as text, never as a formula: in a workbook as a string cell with Excel's quote prefix,
in a CSV behind a leading apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from scoring.cards import notice_for
from scoring.eligibility import EligibilityReport
from scoring.engine import CohortResult
from scoring.errors import InputError
from scoring.tables import indicator_table

_HEAD = PatternFill("solid", fgColor="DDEBF7")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Whether a spreadsheet would read this cell text as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: formula-like text gets a leading apostrophe."""
    return "'" + value if formula_like(value) else value  # type: ignore[operator]


def keep_as_text(book: Workbook) -> Workbook:
    """Make every formula-like text cell of ``book`` a string cell with the quote prefix."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book


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
    if path.suffix.lower() == ".csv":
        return write_score_csv(result, path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"{path}: write the scores to a .xlsx workbook or a .csv table")
    book = Workbook()
    scores = book.active
    scores.title = "得分与排名"
    header, rows = _score_table(result)
    _sheet(scores, header, rows, (12, 28, 8, 10, 8))
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
    keep_as_text(book).save(path)
    return path


def _score_table(result: CohortResult) -> tuple[list[str], list[list[object]]]:
    """The 得分与排名 table: header and one row per park in listing order."""
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
        rows.append(row + [bool(d["rankable"])])
    return head + prim + ["可排名"], rows


def write_score_csv(result: CohortResult, path: str | Path) -> Path:
    """The 得分与排名 table as UTF-8 CSV (with a BOM, so Excel reads the Chinese), the notice first."""
    path = Path(path)
    header, rows = _score_table(result)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(f"# {notice_for(result.synthetic)}\n")
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return path


def _num(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def _int(value: object) -> int | None:
    try:
        return None if value is None or value != value else int(value)  # type: ignore[call-overload]
    except TypeError:
        return None
