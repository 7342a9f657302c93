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

A table a browser copied ONE CELL PER LINE (no tabs) is first rebuilt into tab-separated rows
(`join_cell_lines`): its header is a run of short labels starting with the serial column
(序号 / 改革举措 / 主要内容 / 指导部门 / 推广范围), which gives the number of cells; each row is then
its serial number and exactly that many cells more. A group line between rows
(``一、知识产权保护方面（共5项）``) stays a line of its own, a heading over its rows, and the header
is repeated under it so each group's rows are labelled. Anything that does not fit (a row with a
cell too few, text after the table) ends the rebuilt table and stays as it was.
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


_SERIAL_HEADERS = {"序号", "编号", "序"}
_SERIAL = re.compile(r"^\d{1,3}$")
_GROUP = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])")
_LABEL_PUNCT = re.compile(r"[。，；：、,.;:？?！!]")


def _short_label(line: str) -> bool:
    label = re.sub(r"\s+", "", line)
    return 0 < len(label) <= 12 and not _NUMERIC.match(label) and not _LABEL_PUNCT.search(label)


def _is_group(line: str) -> bool:
    return bool(_GROUP.match(line)) and len(line) <= 40 and not line.endswith("。")


def join_cell_lines(lines: list[str]) -> list[str]:
    """Rebuild tables copied one cell per line into tab-separated rows (see the module docstring);
    every other line is returned as it was."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        table = _cell_table(lines, i)
        if table is None:
            out.append(lines[i])
            i += 1
            continue
        rows, i = table
        out.extend(rows)
    return out


def _cell_table(lines: list[str], start: int) -> tuple[list[str], int] | None:
    """The rows of a one-cell-per-line table whose header starts at lines[start], and the index
    after it; None when no such table starts there."""
    if re.sub(r"\s+", "", lines[start]) not in _SERIAL_HEADERS:
        return None
    body = [(k, lines[k].strip(" \u3000")) for k in range(start, len(lines)) if lines[k].strip(" \u3000")]
    if any("\t" in s for _, s in body[:2]):
        return None
    header: list[str] = []
    j = 0
    while j < len(body) and _short_label(body[j][1]) and not _is_group(body[j][1]):
        header.append(re.sub(r"\s+", "", body[j][1]))
        j += 1
    width = len(header)
    if width < 3:
        return None
    out: list[str] = []
    groups: list[str] = []  # group lines not yet followed by a row
    serial = 0
    end = body[j - 1][0] + 1
    while j < len(body):
        s = body[j][1]
        if "\t" in s:
            break
        if _is_group(s):
            groups.append(s)
            j += 1
            continue
        if not (_SERIAL.match(s) and int(s) > serial) or j + width > len(body):
            break
        cells = [c for _, c in body[j + 1: j + width]]
        if any("\t" in c or _is_group(c) or c == str(int(s) + 1) for c in cells):
            break  # a cell missing: the next row or group would be read as a cell
        if groups or not out:  # a group line stays a line of its own; its rows get the header again
            for group in groups:  # (after a blank line: the rows above end there)
                out.extend(["", group])
            out.append("\t".join(header))
            groups = []
        out.append("\t".join([s, *cells]))
        serial = int(s)
        j += width
        end = body[j - 1][0] + 1
    if not out:
        return None
    return out, end


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
