"""The scoring HTTP routes (CONTRACT.md), with ParkBot's real error handler."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.channels.api.scoring import router
from bot.server import _install_error_handlers


@pytest.fixture(scope="module")
def client(kit) -> TestClient:
    app = FastAPI()
    app.include_router(router)
    _install_error_handlers(app)
    app.state.scoring_kit = kit
    return TestClient(app)


def test_list_parks_says_synthetic(client) -> None:
    body = client.get("/api/parks").json()
    assert len(body["parks"]) == 60 and body["synthetic"] is True and "SYNTHETIC" in body["notice"]
    assert set(body["parks"][0]) >= {"park_id", "name", "year", "synthetic"}


def test_park_score_card(client) -> None:
    card = client.get("/api/parks/SYN-001/score").json()
    assert card["rank"] == 1 and card["synthetic"] is True and card["registry"] == "GKFH-2013-388-A2"
    assert len(card["input_sha256"]) == 64


def test_unknown_park_is_404_naming_it(client) -> None:
    response = client.get("/api/parks/NOPE/score")
    assert response.status_code == 404
    assert "NOPE" in response.json()["error"]["message"]


def test_post_score_with_codes_names_and_percent_strings(client) -> None:
    parks = [
        {"park_id": "a", "name": "甲", "year": 2020, "indicators": {"2.2": "35%", "国家级研发机构数": 10}},
        {"park_id": "b", "name": "乙", "year": 2020, "indicators": {"2.2": 0.2, "1.3": 20}},
    ]
    body = client.post("/api/score", json={"parks": parks}).json()
    assert body["cohort"]["size"] == 2 and body["cohort"]["synthetic"] is False
    card = body["cards"][0]
    assert card["total"] is None and card["rankable"] is False  # too little data: ⅔ rule
    row = next(i for i in card["indicators"] if i["code"] == "2.2")
    assert row["value"] in (0.35, 0.2)


def test_bare_ratio_is_a_400_with_the_fix(client) -> None:
    parks = [{"park_id": "a", "year": 2020, "indicators": {"2.2": 35}}]
    response = client.post("/api/score", json={"parks": parks})
    assert response.status_code == 400
    assert '"35%"' in response.json()["error"]["message"]


def test_eligibility_by_id_and_by_values(client) -> None:
    by_id = client.post("/api/eligibility", json={"category": "world_class", "park_id": "SYN-001"}).json()
    assert by_id["overall"] == "pass" and by_id["citation"] == {
        "doc": "国科发火〔2013〕388号",
        "section": "附1 一",
    }
    values = {"category": "创新型特色园区", "park": {"从业人员人均增加值": "39万", "营业收入利润率": "7%"}}
    body = client.post("/api/eligibility", json=values).json()
    assert body["overall"] == "fail" and body["failing"] == ["从业人员人均增加值"]
    assert set(body["targets"][0]) >= {"no", "name", "threshold", "unit", "value", "met", "gap"}


def test_eligibility_needs_exactly_one_subject(client) -> None:
    response = client.post("/api/eligibility", json={"category": "world_class"})
    assert 400 <= response.status_code < 500
