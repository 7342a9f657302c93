"""The page against ParkBot's real services (``create_app`` building ``bot.services.Services``):
the offline answer service, the scoring engine on the SYNTHETIC sample cohort
(data/parks/sample_parks.csv) and SQL conversation memory.

The policy index is pointed at an empty directory, so the test does not depend on
``parkbot ingest`` having run: the page must say the index is missing, and score and
eligibility answers (from the scoring engine) must still render.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bot.server import create_app
from bot.settings import get_settings
from tests.web.conftest import ensure_routes, screenshot, start_server

pytestmark = [pytest.mark.enable_socket, pytest.mark.server]


@pytest.fixture
def real_server(tmp_path: Path):
    settings = get_settings(
        store={"url": f"sqlite:///{tmp_path / 'parkbot.db'}"},
        paths={"index_dir": str(tmp_path / "no-index")},
    )
    server = start_server(tmp_path, app=ensure_routes(create_app(settings)), settings=settings)
    yield server
    server.stop()


def test_real_score_and_eligibility_answers_render(browser, real_server) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(real_server.url + "/")
        page.wait_for_selector("body.ready")
        # no policy index in this test: the page says so, and scores still work
        expect(page.get_by_role("alert").filter(has_text="索引尚未建立")).to_be_visible()
        page.get_by_role("button", name="给示例园区 SYN-001 打分，并说明主要差距").click()
        answer = page.locator("article.turn.assistant").last
        card = answer.locator(".score-card")
        expect(card).to_be_visible(timeout=30_000)
        expect(card.locator(".badge.synthetic")).to_contain_text("SYNTHETIC")
        expect(card.locator("svg.radar circle.dot")).to_have_count(4)
        expect(card.locator(".kpi-value.rank")).to_have_text("第 1 / 59 名")  # SYN-046 cannot be ranked
        expect(card.locator(".unranked-note")).to_contain_text("SYN-046")
        expect(card.locator("details.tech-info")).to_contain_text("GKFH-2013-388-A2")
        expect(answer.locator(".answer-text table")).to_have_count(0)  # the card shows the primaries
        expect(page.locator("#banner")).to_contain_text("parkbot ingest")
        screenshot(page, "web-real-score.png")

        box = page.get_by_label("您的问题")
        box.fill("SYN-001 能否达到创新型科技园区的申报指标？")
        box.press("Enter")
        table = page.locator("article.turn.assistant").last.locator("table.elig-table")
        expect(table).to_be_visible(timeout=30_000)
        assert table.locator("tbody tr").count() >= 3
        expect(page.locator("article.turn.assistant").last.locator(".eligibility")).to_contain_text("国科发火〔2013〕388号")
    finally:
        context.close()
    assert not errors, errors
