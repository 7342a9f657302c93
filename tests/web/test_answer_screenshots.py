"""The three kinds of answer staff see — a policy answer, a score answer and an eligibility
answer — on the real services (offline answers, the scoring engine on the SYNTHETIC sample
cohort, the shipped corpus indexed with the bundled embedder), at desktop and phone width.

Screenshots go to test-artifacts/answers/ for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bot.server import create_app
from bot.settings import get_settings
from tests.web.conftest import BROKEN_NUMBERS, ensure_routes, screenshot, start_server

pytestmark = [pytest.mark.enable_socket, pytest.mark.server]

QUESTIONS = {
    "policy": "外籍专家63岁了还能办工作许可吗",
    "score": "SYN-010 今年评价得分多少、排第几、为什么",
    "eligibility": "SYN-003够不够创新型科技园区的标准",
}
VIEWPORTS = {"desktop": {"width": 1200, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def real_server(real_index_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("answers-server")
    settings = get_settings(store={"url": f"sqlite:///{tmp / 'parkbot.db'}"}, paths={"index_dir": str(real_index_dir)})
    server = start_server(tmp, app=ensure_routes(create_app(settings)), settings=settings)
    yield server
    server.stop()


def answer_page(browser, server, viewport: str, kind: str):
    """A fresh page (empty conversation) at ``viewport`` with the answer to one question."""
    phone = viewport == "phone"
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", is_mobile=phone, has_touch=phone)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + "/")
    page.wait_for_selector("body.ready")
    box = page.get_by_label("您的问题")
    box.fill(QUESTIONS[kind])
    box.press("Enter")
    answer = page.locator("article.turn.assistant").last
    expect(answer.locator(".answer-body")).to_have_attribute("aria-busy", "false", timeout=60_000)
    return context, page, answer, errors


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", QUESTIONS)
def test_answer_screenshots(browser, real_server, viewport: str, kind: str) -> None:
    context, page, answer, errors = answer_page(browser, real_server, viewport, kind)
    try:
        if kind == "policy":
            expect(answer.locator(".chip").first).to_be_visible()
        elif kind == "score":
            card = answer.locator(".score-card")
            expect(card).to_be_visible()
            # the method's internals are folded under 技术信息, closed
            tech = card.locator("details.tech-info")
            expect(tech.locator("summary")).to_have_text("技术信息")
            expect(tech).not_to_have_attribute("open", "")
            expect(card.get_by_text("GKFH-2013-388-A2")).to_be_hidden()
            expect(card.locator(".kpi-value.rank")).to_have_text("第 43 / 59 名")
            expect(card.locator(".unranked-note")).to_contain_text("SYN-046")
        else:
            expect(answer.locator(".eligibility")).to_be_visible()
            # one table: the card's (the text's markdown copy is left out)
            expect(answer.locator("table")).to_have_count(1)
            row = answer.locator("table.elig-table tbody tr", has_text="从业人员人均增加值")
            expect(row.locator(".requirement")).to_have_text("≥ 50 万元/人")
            expect(row.locator(".value")).to_have_text("56 万元/人")
            compound = answer.locator("table.elig-table tbody tr", has_text="产业集群与巨型企业数")
            expect(compound.locator(".parts li")).to_have_count(3)
            expect(compound.locator(".parts li").first).to_contain_text("2个 / 需2个")
        broken = answer.evaluate(BROKEN_NUMBERS)
        assert not broken, f"numbers broken over two lines at {viewport} width: {broken}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"the page scrolls sideways ({width}px)"
        screenshot(page, f"answers/{viewport}-{kind}.png")
    finally:
        context.close()
    assert not errors, errors
