"""The data-entry workbook (Chinese headers) with a notes sheet explaining units.

The ``parks`` sheet has one example row (its 园区代码 starts with ``#``, so the importer skips it,
as it skips ``#`` comment lines of a CSV) and data validation on the share columns: a share is a
fraction (0.085) or typed with a per-cent sign (8.5%), never a bare 8.5.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from scoring.registry import Registry
from scoring.workbook import keep_as_text

_HOW = {
    "ratio": "比例：填小数（0.085）或带百分号（8.5%）；不接受 8.5",
    "signed": "比例（可为负）：填小数（-0.02）或带百分号（-2%）",
    "count": "数量：填数字",
    "amount": "金额/强度：填数字，可带 万/亿（如 72万、1200亿）",
    "score": "评价分：0–100，或等级 A/B/C/D（100/80/60/40）",
}
META = [
    ("园区代码", "必填，唯一，如 P001"),
    ("园区名称", "园区名称"),
    ("年份", "统计年度，如 2020"),
    ("地区", "可选"),
]
ROWS = 1000  # rows of the parks sheet that get the share columns' format and validation
EXAMPLE_ID = "#示例（以 # 开头的行不导入）"
# One example value per kind of column (only the first column of each kind gets one).
EXAMPLE = {"ratio": 0.35, "signed": -0.02, "count": 25, "amount": 350, "score": 85}
EXAMPLE_BASE = {"count": 120000, "amount": "1200亿"}
EXAMPLE_FACTS = [2, 1, 0, "1200;650;510"]
SHARE_RULES = {
    # kind: (lowest, highest, what to type)
    "ratio": ("0", "1", "比例填小数（0.085）或带百分号（8.5%），在 0 与 100% 之间；不接受 8.5"),
    "signed": ("-10", "10", "比例（可为负）填小数（-0.02）或带百分号（-2%）；不接受 -2"),
}
FACTS = [
    ("具有国际影响力的创新型产业集群数", "附1 产业集群与巨型企业数：国际影响力集群个数"),
    ("国内领先的创新型产业集群数", "附1：国内领先集群个数"),
    ("在国内有重要影响力的产业集群数", "附1：在国内有重要影响力的集群个数"),
    ("大型企业营业收入（亿元，分号分隔）", "每家大型企业的营业收入（亿元），如 1200;650;510；“超”为严格大于"),
]


def write_template(path: str | Path, registry: Registry) -> Path:
    """Write ``parks`` (headers only) and ``说明`` (one row per column: meaning, unit, how to write)."""
    path = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = "parks"
    headers = [h for h, _ in META]
    headers += [s.name for s in registry.base_statistics]
    headers += [f"{i.code} {i.name}" for i in registry.indicators]
    headers += [h for h, _ in FACTS]
    sheet.append(headers)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = 18
    sheet.freeze_panes = "C2"
    kinds = [""] * len(META) + [s.kind for s in registry.base_statistics] + [i.kind for i in registry.indicators]
    sheet.append(_example_row(registry))
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="7F7F7F")
    for kind, (low, high, how) in SHARE_RULES.items():
        columns = [get_column_letter(k + 1) for k, kk in enumerate(kinds) if kk == kind]
        if not columns:
            continue
        rule = DataValidation(type="decimal", operator="between", formula1=low, formula2=high, allow_blank=True,
                              showErrorMessage=True, errorTitle="比例格式", error=how, showInputMessage=True,
                              promptTitle="比例", prompt=how)
        sheet.add_data_validation(rule)
        for col in columns:
            rule.add(f"{col}2:{col}{ROWS + 1}")
            for row in range(2, ROWS + 2):
                sheet[f"{col}{row}"].number_format = "0.00%"
    notes = book.create_sheet("说明")
    notes.append(["列名", "含义/出处", "单位", "填写方法"])
    for cell in notes[1]:
        cell.font, cell.fill = bold, fill
    for header, meaning in META:
        notes.append([header, meaning, "", ""])
    for stat in registry.base_statistics:
        notes.append(
            [stat.name, f"基础统计量 ({stat.id})，用于按公式计算指标", stat.unit, _HOW.get(stat.kind, "")]
        )
    for ind in registry.indicators:
        how = _HOW[ind.kind]
        derived = (
            f"；若留空，按 {registry.formulas[ind.code].text} 由基础统计量计算"
            if ind.code in registry.formulas
            else ""
        )
        notes.append([f"{ind.code} {ind.name}", ind.citation + derived, ind.unit, how])
    for header, meaning in FACTS:
        notes.append(
            [
                header,
                meaning,
                "个" if "集群" in header else "亿元",
                "整数" if "集群" in header else "数字，分号分隔",
            ]
        )
    notes.append([])
    notes.append(
        ["说明", "空白表示缺失（不是0）；填0表示报告值为0。金额单位为元，除非列名另有说明。", "", ""]
    )
    notes.append(
        ["示例行", "parks 表第2行是填写示例：园区代码以 # 开头的行不会导入，可以保留或删除。", "", ""]
    )
    for col, width in zip("ABCD", (42, 60, 14, 48), strict=True):
        notes.column_dimensions[col].width = width
    keep_as_text(book).save(path)
    return path


def _example_row(registry: Registry) -> list[object]:
    """The example row: meta data, then one value for the first column of each kind (the rest blank:
    blank means missing)."""
    row: list[object] = [EXAMPLE_ID, "示例高新区", 2023, "示例省"]
    seen: set[str] = set()
    for stat in registry.base_statistics:
        row.append(EXAMPLE_BASE.get(stat.kind) if stat.kind not in seen else None)
        seen.add(stat.kind)
    seen = set()
    for ind in registry.indicators:
        row.append(EXAMPLE.get(ind.kind) if ind.kind not in seen else None)
        seen.add(ind.kind)
    return row + EXAMPLE_FACTS
