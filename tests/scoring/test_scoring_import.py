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
