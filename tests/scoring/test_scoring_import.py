"""CSV and Excel import: row- and column-precise errors, SYNTHETIC detection, the template."""

from __future__ import annotations

import pandas as pd
import pytest

import scoring
from tests.scoring.conftest import SAMPLE


def test_sample_file_is_synthetic_and_complete(kit) -> None:
    assert SAMPLE.read_text(encoding="utf-8").startswith("# SYNTHETIC")
    assert kit.cohort.synthetic and len(kit.cohort.parks) == 60
    assert all("（虚构）" in p.name for p in kit.cohort.parks)


def test_bad_cells_are_reported_with_row_and_column(tmp_path, registry) -> None:
    path = tmp_path / "parks.csv"
    path.write_text(
        "park_id,name,year,2.2,employees,bogus\nA,甲,2020,35,100,\nB,乙,2020,30%,many,\n", encoding="utf-8"
    )
    with pytest.raises(scoring.ParkDataError) as err:
        scoring.load_parks(path, registry)
    text = err.value.message
    assert "row 1, column F 'bogus': unknown column" in text
    path.write_text(
        "park_id,name,year,2.2,employees\nA,甲,2020,35,100\nB,乙,2020,30%,many\n", encoding="utf-8"
    )
    with pytest.raises(scoring.ParkDataError) as err:
        scoring.load_parks(path, registry)
    problems = [str(p) for p in err.value.problems]
    assert problems[0].startswith("row 2, column D '2.2'") and '"35%"' in problems[0]
    assert problems[1].startswith("row 3, column E 'employees'")


def test_empty_cell_is_missing_and_zero_is_zero(tmp_path, registry) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("park_id,year,1.3,1.4\nA,2020,0,\n", encoding="utf-8")
    cohort = scoring.load_parks(path, registry)
    assert cohort.exact[0][registry.codes.index("1.3")] == 0
    assert cohort.exact[0][registry.codes.index("1.4")] is None
    assert not cohort.synthetic


def test_template_round_trip_with_excel(tmp_path, registry) -> None:
    template = scoring.write_template(tmp_path / "parks.xlsx", registry)
    sheets = pd.read_excel(template, sheet_name=None)
    assert set(sheets) == {"parks", "说明"}
    headers = list(sheets["parks"].columns)
    assert headers[:2] == ["园区代码", "园区名称"] and "2.2 服务收入占营业总收入比例" in headers
    assert sheets["说明"].iloc[:, 3].astype(str).str.contains("8.5%").any()
    frame = pd.DataFrame(
        [["P1", "测试园区", 2020, 0.35]],
        columns=["园区代码", "园区名称", "年份", "2.2 服务收入占营业总收入比例"],
    )
    frame.to_excel(tmp_path / "filled.xlsx", sheet_name="parks", index=False)
    cohort = scoring.load_parks(tmp_path / "filled.xlsx", registry)
    assert str(cohort.exact[0][registry.codes.index("2.2")]) == "0.35"


def test_template_has_an_example_row_that_is_never_imported_and_validates_shares(tmp_path, registry) -> None:
    import openpyxl

    path = scoring.write_template(tmp_path / "parks.xlsx", registry)
    book = openpyxl.load_workbook(path)
    sheet = book["parks"]
    header = [c.value for c in sheet[1]]
    example = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert str(example["园区代码"]).startswith("#") and example["年份"] == 2023
    assert example["2.2 服务收入占营业总收入比例"] is None  # only the first share column shows an example
    first_share = next(f"{i.code} {i.name}" for i in registry.indicators if i.kind == "ratio")
    assert example[first_share] == 0.35
    share_col = openpyxl.utils.get_column_letter(header.index("2.2 服务收入占营业总收入比例") + 1)
    assert sheet[f"{share_col}2"].number_format == "0.00%"
    rules = [r for r in sheet.data_validations.dataValidation if share_col in str(r.sqref)]
    assert len(rules) == 1 and (rules[0].type, rules[0].formula1, rules[0].formula2) == ("decimal", "0", "1")
    assert "8.5%" in rules[0].error
    # the template as written holds no park; a row typed under the example is read, the example is not
    with pytest.raises(scoring.ParkDataError, match="no data rows"):
        scoring.load_parks(path, registry)
    sheet.append(["P1", "测试园区", 2020])
    sheet.cell(sheet.max_row, header.index("2.2 服务收入占营业总收入比例") + 1, 0.35)
    book.save(path)
    cohort = scoring.load_parks(path, registry)
    assert cohort.park_ids == ["P1"] and str(cohort.exact[0][registry.codes.index("2.2")]) == "0.35"
