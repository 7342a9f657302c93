"""``parkbot score --out scores.xlsx``: a formatted workbook of a result (or ``scores.csv``).

Sheets: 得分与排名 (totals, ranks, primaries, why a park has no rank), 指标明细 (per park ×
indicator), 资格判定 (附1 categories, if given), 方法 (registry, profile, input hash, notices),
归一化参照 (L/U per indicator). Every sheet opens with the notice (SYNTHETIC when the data is; never
an official result) above a bold header row that is frozen and filtered; numbers are numbers,
shares formatted as per cent, statuses and verdicts in Chinese. A ``.csv`` path gets the 得分与排名
table alone, the notice on its first line.

Exports are safe to open (the OWASP CSV-injection rule): a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return — a park name from an imported file, say — is
written as text, never as a formula: in a workbook as a string cell with Excel's quote prefix,
in a CSV behind a leading apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scoring.cards import notice_zh, unranked_parks
from scoring.eligibility import EligibilityReport
from scoring.engine import CohortResult
from scoring.errors import InputError
from scoring.quantities import PERCENT_KINDS
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


# What the export says in Chinese instead of the engine's codes.
STATUS_TEXT = {
    "reported": "报告值",
    "derived": "由基础统计量计算",
    "missing": "缺失",
    "no_reference": "无参照值",
    "median_imputed": "以中位数补齐",
    "zero_filled": "按0计",
}
OVERALL_TEXT = {"pass": "全部达标", "fail": "未达标", "incomplete": "数据不全"}
MET_TEXT = {True: "达标", False: "未达标", None: "数据缺失"}
YES_NO = {True: "是", False: "否"}
PERCENT = "0.00%"
WHOLE = "#,##0"
DECIMAL = "#,##0.00"
SCORE = "0.00"

_BANNER_SYNTHETIC = PatternFill("solid", fgColor="F4B183")
_BANNER_OFFICIAL = PatternFill("solid", fgColor="FFF2CC")


def _number_format(value: object, percent: bool) -> str:
    if percent:
        return PERCENT
    return WHOLE if isinstance(value, (int, float)) and float(value).is_integer() else DECIMAL


def _table(
    sheet: Worksheet,
    banner: str,
    synthetic: bool,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[int] = (),
    formats: Sequence[dict[int, str]] | None = None,
) -> None:
    """A banner in row 1 (SYNTHETIC when the data is), the bold header in row 2 with an autofilter,
    frozen with the first column; rows from 3, each cell's number format from ``formats[row][col]``."""
    sheet.append([banner])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(header)))
    first = sheet.cell(1, 1)
    first.font = Font(bold=True, color="9C2A00" if synthetic else "5C4700")
    first.fill = _BANNER_SYNTHETIC if synthetic else _BANNER_OFFICIAL
    first.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[1].height = 32
    sheet.append(list(header))
    for cell in sheet[2]:
        cell.font, cell.fill = Font(bold=True), _HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for k, row in enumerate(rows):
        sheet.append(list(row))
        for col, fmt in (formats[k] if formats else {}).items():
            sheet.cell(k + 3, col + 1).number_format = fmt
    sheet.freeze_panes = "B3"
    last = get_column_letter(max(1, len(header)))
    sheet.auto_filter.ref = f"A2:{last}{2 + max(1, len(rows))}"
    for idx, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(idx + 1)].width = width


def _float(text: object) -> float | None:
    """A number from the engine's exact text ("6200", "0.085"), never a text cell."""
    return None if text is None or text != text else float(Decimal(str(text)))


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
    synthetic = result.synthetic
    banner = notice_zh(synthetic)
    book = Workbook()
    scores = book.active
    scores.title = "得分与排名"
    header, rows = _score_table(result)
    score_cols = {i for i, name in enumerate(header) if name == "总分" or name.endswith("%）")}
    rank_cols = {i for i, name in enumerate(header) if name.endswith("排名")}
    _table(
        scores, banner, synthetic, header, rows, (12, 28, 8, 10, 8, *([14, 8] * len(result.registry.primaries)), 8, 60),
        [{**{c: SCORE for c in score_cols}, **{c: WHOLE for c in rank_cols}} for _ in rows],
    )
    detail = book.create_sheet("指标明细")
    indicators = {i.code: i for i in result.registry.indicators}
    names = {p.park_id: p.name for p in result.cohort.parks}
    long = indicator_table(result)
    detail_rows, detail_formats = [], []
    for r in long.itertuples(index=False):
        ind = indicators[r.code]
        percent = ind.kind in PERCENT_KINDS
        raw = _float(r.value)
        detail_rows.append(
            [
                r.park_id,
                names.get(r.park_id, ""),
                r.code,
                ind.name,
                "%" if percent else ind.unit,
                raw,
                _float(r.normalized),
                _float(r.contribution),
                _float(r.headroom),
                STATUS_TEXT.get(r.status, r.status),
            ]
        )
        detail_formats.append({5: _number_format(raw, percent), 6: SCORE, 7: SCORE, 8: SCORE})
    _table(
        detail,
        banner,
        synthetic,
        ["园区代码", "园区名称", "指标", "指标名称", "单位", "原始值", "归一化得分", "贡献分", "失分", "状态"],
        detail_rows,
        (12, 24, 8, 40, 12, 18, 12, 10, 10, 16),
        detail_formats,
    )
    if eligibility:
        elig = book.create_sheet("资格判定")
        erows, eformats = [], []
        for pid, rep in zip(eligibility_park_ids or [""] * len(eligibility), eligibility, strict=True):
            for t in rep.targets:
                percent = t.display_unit == "%"
                compound = "；".join(f"{p.label} {'?' if p.value is None else p.value}/{p.required}{p.unit}" for p in t.parts)
                value: object = compound or t.value
                erows.append(
                    [
                        pid,
                        rep.category,
                        OVERALL_TEXT.get(rep.overall, rep.overall),
                        t.no,
                        t.name,
                        t.requirement,
                        value,
                        "" if t.parts else ("%" if percent else t.unit),
                        MET_TEXT[t.met],
                        t.gap if t.met is False else None,
                        "是" if t.near_miss else "",
                        t.citation,
                    ]
                )
                eformats.append({6: _number_format(t.value, percent), 9: _number_format(t.gap, percent)}
                                if not t.parts else {})
        _table(
            elig,
            banner,
            synthetic,
            ["园区代码", "类别", "结论", "序号", "指标", "要求", "数值", "单位", "判定", "差距", "接近达标", "出处"],
            erows,
            (12, 18, 10, 6, 34, 30, 16, 10, 10, 12, 10, 30),
            eformats,
        )
    method = book.create_sheet("方法")
    audit = result.audit()
    lines = [
        ["说明", banner],
        ["数据", "SYNTHETIC（虚构样例数据）" if synthetic else "用户提供的数据"],
        [
            "指标体系",
            f"{result.registry.id} {result.registry.doc} {result.registry.section} {result.registry.title}",
        ],
        ["方法", f"{result.profile.id}: {result.profile.description}"],
        ["引擎版本", audit["engine_version"]],
        ["输入SHA-256", audit["input_sha256"]],
        ["参评园区数", audit["cohort_size"]],
        ["可排名园区数", result.rankable_count],
        ["舍入", "精确计算，输出时一次性四舍五入（远离零）到2位小数；并列采用竞争排名（1, 2, 2, 4）"],
    ]
    _table(method, banner, synthetic, ["项目", "内容"], lines, (16, 100))
    refs = book.create_sheet("归一化参照")
    ref_rows, ref_formats = [], []
    for code, ref in audit["references"].items():
        percent = indicators[code].kind in PERCENT_KINDS
        lo, hi = _float(ref["L"]), _float(ref["U"])
        ref_rows.append([code, indicators[code].name, ref["method"], lo, hi, ref["reporting"],
                         YES_NO[bool(ref["constant_reference"])]])
        ref_formats.append({3: _number_format(lo, percent), 4: _number_format(hi, percent)})
    _table(refs, banner, synthetic, ["指标", "指标名称", "归一化方法", "L（最小）", "U（最大）", "报告园区数", "常数参照"],
           ref_rows, (8, 40, 14, 18, 18, 12, 10), ref_formats)
    keep_as_text(book).save(path)
    return path


def _score_table(result: CohortResult) -> tuple[list[str], list[list[object]]]:
    """The 得分与排名 table: header and one row per park in listing order (why a park has no rank last)."""
    table = result.table()
    why = {u.park_id: u.text() for u in unranked_parks(result)}
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
        rows.append(row + [YES_NO[bool(d["rankable"])], why.get(d["park_id"], "")])
    return head + prim + ["可排名", "未排名原因"], rows


def write_score_csv(result: CohortResult, path: str | Path) -> Path:
    """The 得分与排名 table as UTF-8 CSV (with a BOM, so Excel reads the Chinese), the notice first."""
    path = Path(path)
    header, rows = _score_table(result)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(f"# {notice_zh(result.synthetic)}\n")
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
