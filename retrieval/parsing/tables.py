"""Tab-separated tables → one self-contained sentence per row.

A row reads on its own: table title, caption, then each cell labelled with its column header,
e.g. ``创新型科技园区 目标要求 序号6 服务收入占营业收入比例 35%``. Numeric cells are glued to
their header (``赋权1.1``), text cells follow it after a space (``来源 统计``), and generic
headers (指标, 要求, …) are left out because the value says enough. An empty leading cell
repeats the cell above (a merged, row-spanning cell), and so do the cells missing from the
start of a row shorter than the table: a browser copies a row-spanning cell into the first of
its rows only, so the rows under it start at their own first cell (``2.下转患者人次数\t定量``
under ``一、医疗质量\t（一）功能定位\t1.门诊人次数…\t定量``). A label broken over two lines
(``国际化和参与全球竞争能力`` / ``20%``) is joined back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GENERIC_HEADERS = {"指标", "要求", "内容", "名称", "项目", "指标名称", "目标值", "数值", "值", "说明"}
_NUMERIC = re.compile(r"^[<>≥≤＞＜]?\s*-?\d+(?:[.,]\d+)*\s*(?:%|％|‰)?$")


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] | None = None


def split_row(line: str) -> list[str]:
    return [c.strip(" \u3000") for c in line.split("\t")]


def is_row(line: str) -> bool:
    return "\t" in line


def looks_like_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(len(c) <= 12 and not _NUMERIC.match(c) for c in filled)


def collect_table(lines: list[str], start: int) -> tuple[Table, int]:
    """Read the table starting at lines[start]; return it and the index after it.

    A line without tabs inside the table that is followed by a row with a non-empty first cell
    is the first part of that cell, broken over two lines."""
    table = Table()
    raw: list[list[str]] = []
    i = start
    carry = ""
    while i < len(lines):
        line = lines[i]
        if is_row(line):
            cells = split_row(line)
            if carry:
                cells[0] = carry + cells[0]
                carry = ""
            raw.append(cells)
            i += 1
            continue
        s = line.strip(" \u3000")
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (raw and s and len(s) <= 30 and not re.search(r"[。：:；，]$", s)
                and is_row(nxt) and split_row(nxt)[0]):
            carry = s
            i += 1
            continue
        break
    if raw and looks_like_header(raw[0]):
        table.header = raw[0]
        raw = raw[1:]
    width = max([len(r) for r in raw] + [len(table.header or [])])
    previous: list[str] = []
    for cells in raw:
        if not any(cells):
            continue
        if previous and len(cells) < width:  # the cells spanning from above were not copied
            cells = previous[: width - len(cells)] + cells
        cells = cells + [""] * (width - len(cells))
        if not cells[0] and previous:
            cells[0] = previous[0]
        table.rows.append(cells)
        previous = cells
    return table, i


def _label(header: str, value: str) -> str:
    if not header or header in GENERIC_HEADERS:
        return value
    if _NUMERIC.match(value):
        return f"{header}{value}"
    return f"{header} {value}"


def row_texts(table: Table, title: str = "", caption: str = "") -> list[str]:
    prefix = " ".join(p for p in (title, caption) if p)
    out = []
    for cells in table.rows:
        parts = []
        for j, value in enumerate(cells):
            if not value:
                continue
            header = table.header[j] if table.header and j < len(table.header) else ""
            parts.append(_label(header, value))
        if parts:
            out.append(" ".join([prefix, *parts]) if prefix else " ".join(parts))
    return out
