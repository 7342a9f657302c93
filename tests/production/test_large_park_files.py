"""Hostile park files: 10,000 rows with bad cells are refused precisely, and nothing is lost."""

from __future__ import annotations

import io

import pytest

import scoring
from scoring.kit import default_parks_path


def _big_csv(rows: int) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in default_parks_path().read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split(",")
    template = lines[1].split(",")
    body = []
    for i in range(rows):
        row = list(template)
        row[0] = f"GEN-{i:05d}"
        row[1] = f"生成园区{i}（虚构）"
        body.append(row)
    return header, body


def _write(path, header, body) -> None:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    buf.write("# SYNTHETIC generated test file\n" + ",".join(header) + "\n")
    buf.writelines(",".join(r) + "\n" for r in body)
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_ten_thousand_rows_with_bad_cells_name_each_row_and_column(tmp_path) -> None:
    registry = scoring.load_registry()
    header, body = _big_csv(10_000)
    col = header.index("employees")
    body[4_999][col] = "很多"          # not a number
    body[9_998][col] = "12x"           # a typo
    path = tmp_path / "parks.csv"
    _write(path, header, body)
    with pytest.raises(scoring.ParkDataError) as err:
        scoring.load_parks(path, registry)
    problems = err.value.problems
    # line numbers of the file as a spreadsheet shows them: comment line 1, header line 2
    assert sorted(p.row for p in problems) == [5_002, 10_001]
    assert {p.column for p in problems} == {"employees"}
    assert "很多" in str(problems[0]) and "12x" in str(problems[1])


def test_ten_thousand_good_rows_load_and_score(tmp_path) -> None:
    registry = scoring.load_registry()
    header, body = _big_csv(10_000)
    path = tmp_path / "parks.csv"
    _write(path, header, body)
    cohort = scoring.load_parks(path, registry)
    assert len(cohort.parks) == 10_000 and cohort.synthetic
    result = scoring.score_cohort(cohort, registry)
    assert result.total("GEN-00000") == result.total("GEN-09999")  # identical rows tie
    assert result.rank("GEN-09999") == 1
