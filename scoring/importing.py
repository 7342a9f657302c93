"""Park data from CSV or Excel, with row- and column-precise errors, and the empty template.

Headers may be: meta (park_id/园区代码, name/园区名称, year/年份, region/地区), a 附2 indicator
by code, printed name or "code name", a base statistic by id or Chinese name, or an eligibility
column (cluster counts by tier, large enterprises' revenues in 亿元 separated by ";").
A CSV may start with comment lines ("# …"); a comment containing SYNTHETIC marks the data as
synthetic, and so does a sheet or header cell containing SYNTHETIC in a workbook.

A file that cannot be read as a table is refused with what to fix, never a parser's traceback:
an empty file, a row with more cells than the header (named by row), a workbook that unpacks to
more than ``MAX_WORKBOOK_UNPACKED_BYTES`` (checked on its ZIP directory and then by inflating in
bounded steps, before openpyxl reads it).
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.cohort import Cohort, build_cohort
from scoring.errors import CellProblem, InputError, ParkDataError, ValueFormatError
from scoring.quantities import is_missing, parse_value
from scoring.records import ParkRecord, parse_record
from scoring.registry import Registry

META_HEADERS = {
    "park_id": "park_id",
    "园区代码": "park_id",
    "name": "name",
    "园区名称": "name",
    "year": "year",
    "年份": "year",
    "region": "region",
    "地区": "region",
}
FACT_HEADERS = {
    "clusters_international": "clusters_international",
    "具有国际影响力的创新型产业集群数": "clusters_international",
    "clusters_domestic_leading": "clusters_domestic_leading",
    "国内领先的创新型产业集群数": "clusters_domestic_leading",
    "clusters_domestic_important": "clusters_domestic_important",
    "在国内有重要影响力的产业集群数": "clusters_domestic_important",
    "enterprise_revenues_yi": "enterprise_revenues_yi",
    "大型企业营业收入（亿元，分号分隔）": "enterprise_revenues_yi",
}


MAX_WORKBOOK_UNPACKED_BYTES = 64 << 20  # about 25,000 park-years of the template's columns
_HOW = "the first line (after '# …' comments) is the header: park_id, name, year, then 附2 codes or base statistics; `parkbot template` writes one"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def classify_header(header: str, registry: Registry) -> tuple[str, str] | None:
    """(group, canonical key) for a header, or None if unknown."""
    text = str(header).strip()
    if text in META_HEADERS:
        return "meta", META_HEADERS[text]
    if text in FACT_HEADERS:
        return "facts", FACT_HEADERS[text]
    ind = registry.find_indicator(text)
    if ind is not None:
        return "indicators", ind.code
    stat = registry.base_by_key.get(text)
    if stat is not None:
        return "base", stat.id
    return None


def _read_frame(path: Path) -> tuple[pd.DataFrame, int, bool]:
    """(cells as text/objects, spreadsheet row number of the header, synthetic?)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read as UTF-8 CSV ({exc})") from exc
        comments = 0
        while comments < len(lines) and lines[comments].lstrip().startswith("#"):
            comments += 1
        synthetic = any("SYNTHETIC" in line for line in lines[:comments])
        _check_rows(path, lines, comments)
        with warnings.catch_warnings():  # extra cells are empty (checked): dropping them loses nothing
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO("\n".join(lines[comments:])),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=True,
                index_col=False,  # never turn extra leading cells into an index
            )
        return frame, comments + 1, synthetic
    if suffix in (".xlsx", ".xlsm"):
        _check_unpacked(path)
        try:
            book = pd.ExcelFile(path, engine="openpyxl")
        except Exception as exc:  # openpyxl raises several types for a bad file
            raise InputError(f"{path}: cannot open as an Excel workbook ({exc})") from exc
        sheet = "parks" if "parks" in book.sheet_names else book.sheet_names[0]
        frame = pd.read_excel(book, sheet_name=sheet, dtype=object, header=0)
        synthetic = any("SYNTHETIC" in s.upper() for s in book.sheet_names) or any(
            "SYNTHETIC" in str(c) for c in frame.columns
        )
        frame = frame.drop(
            columns=[c for c in frame.columns if "SYNTHETIC" in str(c) and str(c).startswith("#")]
        )
        return frame, 1, synthetic
    raise InputError(f"{path}: unsupported file type {suffix!r}; use .csv or .xlsx")


def _check_rows(path: Path, lines: list[str], comments: int) -> None:
    """Refuse an empty CSV, and rows with more cells than the header (pandas would silently
    turn the extra leading cells into an index and shift every value)."""
    rows = csv.reader(lines[comments:])
    header = next((row for row in rows if any(cell.strip() for cell in row)), None)
    if header is None:
        raise ParkDataError(str(path), [f"the file is empty; {_HOW}"])
    problems: list[CellProblem | str] = []
    for row in rows:
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            line = comments + rows.line_num
            problems.append(
                CellProblem(line, "(no header)", column_letter(len(header)),
                            f"the row has {len(row)} cells but the header has {len(header)}; "
                            "remove the extra cells or add their column headers")
            )
    if problems:
        raise ParkDataError(str(path), problems)


def _check_unpacked(path: Path) -> None:
    """Refuse a workbook that unpacks to more than ``MAX_WORKBOOK_UNPACKED_BYTES`` before
    openpyxl reads it (its directory's sizes first, then the bytes that really inflate)."""
    limit = MAX_WORKBOOK_UNPACKED_BYTES
    too_big = f"{path}: the workbook unpacks to more than {limit:,} bytes; split it into smaller files"
    try:
        with zipfile.ZipFile(path) as book:
            if sum(info.file_size for info in book.infolist()) > limit:
                raise InputError(too_big)
            total = 0
            for info in book.infolist():
                with book.open(info) as member:
                    while chunk := member.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise InputError(too_big)
    except InputError:
        raise
    except Exception as exc:  # BadZipFile, a forged stream (zlib.error), a bad CRC
        raise InputError(f"{path}: cannot open as an Excel workbook ({exc})") from exc


def read_park_records(path: str | Path, registry: Registry) -> tuple[list[ParkRecord], bool]:
    """Read and check every cell; all problems are raised together with row and column."""
    path = Path(path)
    frame, header_row, synthetic = _read_frame(path)
    problems: list[CellProblem] = []
    columns: list[tuple[int, str, tuple[str, str]]] = []
    for idx, header in enumerate(frame.columns):
        if str(header).startswith("Unnamed:") and frame[header].map(is_missing).all():
            continue
        kind = classify_header(str(header), registry)
        if kind is None:
            problems.append(
                CellProblem(
                    header_row,
                    str(header),
                    column_letter(idx),
                    "unknown column; use a 附2 code such as '2.2', a base statistic id such as 'employees', or see the template",
                )
            )
        else:
            columns.append((idx, str(header), kind))
    if not any(kind == ("meta", "park_id") for _, _, kind in columns):
        problems.append(CellProblem(header_row, "park_id", "-", "the park_id (园区代码) column is missing"))
    if problems:
        raise ParkDataError(str(path), problems)
    records: list[ParkRecord] = []
    matrix = frame.to_numpy(dtype=object)
    id_column = next(idx for idx, _, kind in columns if kind == ("meta", "park_id"))
    for pos, row in enumerate(matrix):
        line = header_row + 1 + pos
        cells = {header: row[idx] for idx, header, _ in columns}
        if all(is_missing(v) for v in cells.values()):
            continue
        if str(row[id_column]).strip().startswith("#"):
            continue  # a comment row, such as the template's example row: never a park
        data: dict[str, Any] = {"indicators": {}, "base": {}, "facts": {}}
        where: dict[tuple[str, str], tuple[str, str]] = {}
        for idx, header, (group, key) in columns:
            raw = row[idx]
            where[(group, key)] = (header, column_letter(idx))
            if group == "meta":
                if key == "park_id" and is_missing(raw):
                    problems.append(CellProblem(line, header, column_letter(idx), "park_id is empty"))
                elif key == "year" and not is_missing(raw):
                    try:
                        year = parse_value(raw, "count", field="year")
                        if year is None or year != year.to_integral_value():
                            raise ValueFormatError(f"year {raw!r} is not a whole year")
                        data["year"] = int(year)
                    except ValueFormatError as exc:
                        problems.append(CellProblem(line, header, column_letter(idx), exc.message))
                elif not is_missing(raw):
                    data[key] = (
                        str(raw).strip()
                        if not isinstance(raw, float)
                        else str(int(raw))
                        if raw.is_integer()
                        else str(raw)
                    )
            elif group == "facts":
                if is_missing(raw):
                    continue
                problem = _check_fact(key, raw)
                if problem:
                    problems.append(CellProblem(line, header, column_letter(idx), problem))
                data["facts"][key] = raw if not isinstance(raw, str) else raw.strip()
            elif not is_missing(raw):
                data[group][key] = raw
        if "park_id" not in data:
            continue
        record = ParkRecord(**data)
        _, bad = parse_record(record, registry)
        for p in bad:
            header, letter = where.get((p.group, p.key), (p.key, "?"))
            problems.append(CellProblem(line, header, letter, p.problem))
        records.append(record)
    if problems:
        raise ParkDataError(str(path), problems)
    if not records:
        raise ParkDataError(str(path), ["the file has no data rows"])
    return records, synthetic


def _check_fact(key: str, raw: Any) -> str | None:
    try:
        if key.startswith("clusters_"):
            value = parse_value(raw, "count", field=key)
            if value is not None and (value != value.to_integral_value() or value < 0):
                return f"{raw!r} must be a whole number of clusters"
        else:
            for part in str(raw).replace("；", ";").split(";"):
                if part.strip():
                    parse_value(part, "amount", field=key, unit="亿元", unit_scale=Decimal(100_000_000))
    except ValueFormatError as exc:
        return exc.message
    return None


def load_parks(path: str | Path, registry: Registry, *, year: int | None = None) -> Cohort:
    """Load a cohort from CSV/Excel (optionally one year of a multi-year file)."""
    records, synthetic = read_park_records(path, registry)
    if year is not None:
        records = [r for r in records if r.year == year]
        if not records:
            raise InputError(f"{path}: no parks for year {year}")
    return build_cohort(records, registry, synthetic=synthetic, source=str(path))
