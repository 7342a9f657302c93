"""The chat page end to end in headless Chromium, against the app on 127.0.0.1 (scripted assistant)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot.feedback import FeedbackStore, feedback_table
from bot.store import make_engine
from tests.web.conftest import BROKEN_NUMBERS, screenshot, start_server
from tests.web.fakes import DRAFT_TEXT

pytestmark = [pytest.mark.enable_socket, pytest.mark.server]


def ask(page, question: str) -> None:
    box = page.get_by_label("您的问题")
    box.fill(question)
    box.press("Enter")


def last_answer(page):
    return page.locator("article.turn.assistant").last


def test_policy_question_streams_and_shows_cited_chips_and_sources(page, live_server) -> None:
    expect(page.get_by_role("heading", name="可以这样问：")).to_be_visible()
    ask(page, "外籍专家63岁了还能办工作许可吗")

    # the answer arrives piece by piece into a live region before it is complete
    streaming = page.locator(".answer-body.streaming[aria-live=polite]")
    expect(streaming).to_contain_text("根据国务院文件")
    answer = last_answer(page)
    expect(answer.locator(".chip")).to_have_count(2)
    expect(answer.locator(".answer-body")).to_have_attribute("aria-busy", "false")
    expect(answer.get_by_role("button", name="查看来源 1：国务院关于促进国家高新技术产业开发区高质量发展的若干意见")).to_be_visible()
    expect(answer.locator(".answer-text strong")).to_have_text("通报表扬")
    sources = answer.locator(".source-list li")
    expect(sources).to_have_count(2)
    expect(sources.first).to_contain_text("国发〔2020〕7号")
    expect(sources.nth(1)).to_contain_text("七、（二十一）")
    expect(page.locator("#suggestions")).to_be_hidden()
    assert live_server.assistant.requests[-1] == {
        "message": "外籍专家63岁了还能办工作许可吗", "conversation_id": None, "mode": "answer"}


def test_what_the_checks_removed_is_in_a_collapsed_note(page) -> None:
    ask(page, "CHECKED 外籍人才有哪些便利")
    note = last_answer(page).locator("details.verification")
    expect(note).to_be_visible()
    expect(note.locator("summary")).to_have_text("核验：1 句未通过引用或数字核验，未予显示")
    expect(note.locator(".removed-sentence")).to_be_hidden()  # collapsed until opened
    note.locator("summary").click()
    expect(note.locator(".removed-sentence")).to_have_text("外籍人才还可获得最高100万元安家补贴[1]。")
    expect(note.locator(".removed-reason")).to_have_text("原因：数字 100万 不见于所引段落")
    screenshot(page, "web-verification-note.png")
    ask(page, "外籍专家63岁了还能办工作许可吗")  # an answer whose checks removed nothing has no note
    expect(page.locator("article.turn.assistant")).to_have_count(2)
    expect(last_answer(page).locator(".actions")).to_be_visible()
    expect(last_answer(page).locator("details.verification")).to_have_count(0)


def test_clicking_a_chip_opens_the_cited_passage(page) -> None:
    ask(page, "外籍专家63岁了还能办工作许可吗")
    chip = last_answer(page).locator(".chip").first
    chip.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".passage-title")).to_have_text("[1] 国务院关于促进国家高新技术产业开发区高质量发展的若干意见")
    expect(dialog).to_contain_text("国发〔2020〕7号")
    expect(dialog).to_contain_text("二、（五）")
    expect(dialog).to_contain_text("2020-07-13")
    expect(dialog.locator("blockquote")).to_contain_text("申请工作许可的年龄可放宽至65岁")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(chip).to_be_focused()
    # the source list opens the same passage
    last_answer(page).locator(".source-link").nth(1).click()
    expect(dialog.locator("blockquote")).to_contain_text("通报表扬")
    dialog.get_by_role("button", name="关闭").click()
    expect(dialog).to_be_hidden()


def test_score_answer_shows_a_card_staff_can_read(page) -> None:
    ask(page, "给示例园区 P01 打分")
    answer = last_answer(page)
    card = answer.locator(".score-card")
    expect(card).to_be_visible()
    expect(card.locator(".badge.synthetic")).to_contain_text("SYNTHETIC")
    expect(card.locator(".kpi-value.total")).to_have_text("71.35")
    expect(card.locator(".kpi-median")).to_have_text("中位数 60.5")
    # ranks are out of the parks that can be ranked, and the one that cannot is named with the reason
    expect(card.locator(".kpi-value.rank")).to_have_text("第 2 / 9 名")
    note = card.locator(".unranked-note")
    expect(note).to_contain_text("排名在 9 个可排名园区中计算（共 10 个园区）")
    expect(note).to_contain_text("P10 示例高新区癸")
    expect(note).to_contain_text("一级指标3「绿色发展和宜居包容性」缺 3.4、3.7 的数据（现有赋权 5.3 / 10，不足 2/3）")
    # per-primary ranks (out of the parks with that primary) and the cohort median beside the park
    first = card.locator(".primary-table tbody tr").first
    expect(first).to_contain_text("1 创新能力和创业活跃度")
    expect(first.locator(".score")).to_have_text("82.40 分")
    expect(first.locator(".median")).to_have_text("61.20 分")
    expect(first.locator(".rank")).to_have_text("第 1 / 10")
    expect(card.locator(".primary-table tbody tr").nth(2).locator(".rank")).to_have_text("第 5 / 9")
    expect(first).to_contain_text("35%")
    radar = card.locator("svg.radar")
    expect(radar.locator("circle.dot")).to_have_count(4)
    assert "创新能力和创业活跃度 82.4" in radar.get_attribute("aria-label")
    # bars with values in points; a long name is cut, its full text on hover (title) and on tap
    contrib = card.locator(".hbars.contrib .hbar")
    expect(contrib).to_have_count(5)
    expect(contrib.first.locator(".hbar-value")).to_have_text("6.10 分")
    long_name = card.locator(".hbars.headroom .hbar-label", has_text="2.2 从业人员")
    expect(long_name).to_have_attribute("title", "2.2 从业人员人均工资性收入占人均增加值比例")
    assert long_name.evaluate("e => e.scrollWidth > e.clientWidth"), "the long name should be cut in the bar list"
    long_name.click()
    expect(long_name).to_have_attribute("aria-expanded", "true")
    assert long_name.evaluate("e => e.scrollWidth <= e.clientWidth"), "a tap shows the full name"
    # every raw value with its unit: per cent, 万元/人, the indicator's own unit; medians beside them
    fold = card.locator("details.indicator-fold")
    expect(fold).not_to_have_attribute("open", "")
    fold.locator("summary").click()
    rows = fold.locator("tbody tr")
    expect(rows.filter(has_text="1.2 企业R&D")).to_contain_text("5.2%")
    expect(rows.filter(has_text="1.2 企业R&D")).to_contain_text("3.1%")
    expect(rows.filter(has_text="2.3 人均增加值")).to_contain_text("25.6 万元/人")
    expect(rows.filter(has_text="2.3 人均增加值")).to_contain_text("30.1 万元/人")
    expect(rows.filter(has_text="1.5 万人")).to_contain_text("41 件/万人")
    expect(rows.filter(has_text="2.2 从业人员")).to_contain_text("由基础数据计算")
    expect(card.locator(".missing")).to_have_text("4.3 技术服务出口占出口总额比例")
    # method, registry and hash are folded away under 技术信息
    tech = card.locator("details.tech-info")
    expect(tech.locator("summary")).to_have_text("技术信息")
    expect(card.get_by_text("GKFH-2013-388-A2")).to_be_hidden()
    tech.locator("summary").click()
    expect(tech).to_contain_text("GKFH-2013-388-A2")
    expect(tech).to_contain_text("default (minmax, drop)")
    expect(tech).to_contain_text("3f2a9c0d5e6b7a8c")
    # the card comes first and the text does not repeat its table; nothing in English
    assert answer.locator(".cards + .answer-body").count() == 1
    expect(answer.locator(".answer-text")).to_contain_text("综合得分 71.35")
    expect(answer.locator(".answer-text table")).to_have_count(0)
    expect(answer.locator(".answer-text")).not_to_contain_text("一级指标得分")  # the dropped table's caption
    expect(card).not_to_contain_text("SYNTHETIC sample data")
    shot = screenshot(page, "web-score-card.png")
    assert shot.stat().st_size > 10_000


def test_eligibility_answer_is_one_table_in_the_requirement_s_units(page) -> None:
    ask(page, "示例园区甲申报创新型特色园区的条件够吗")
    answer = last_answer(page)
    expect(answer.locator("table")).to_have_count(1)  # the card's; the text's markdown copy is left out
    table = answer.locator("table.elig-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator("td.met")).to_have_text("✓ 达标")
    expect(rows.nth(0).locator(".requirement")).to_have_text("≥ 3%")
    expect(rows.nth(0).locator(".value")).to_have_text("5.2%")
    expect(rows.nth(0).locator(".gap")).to_have_text("")  # no gap shown for a target met
    expect(rows.nth(1).locator("td.met")).to_have_text("✗ 未达标")
    expect(rows.nth(1).locator(".requirement")).to_have_text("≥ 70 万元/人")
    expect(rows.nth(1).locator(".requirement")).to_have_attribute("title", "70万/人")  # as printed in 附1
    expect(rows.nth(1).locator(".value")).to_have_text("52 万元/人")
    expect(rows.nth(1).locator(".gap")).to_have_text("18 万元/人")
    expect(rows.nth(2).locator("td.met")).to_have_text("? 未知")
    # the compound target shows its parts, not a dash
    parts = rows.nth(3).locator(".parts li")
    expect(parts).to_have_count(3)
    expect(parts.nth(0)).to_contain_text("在国内有重要影响力（含更高层级）的集群 2个 / 需2个 ✓")
    expect(parts.nth(1)).to_contain_text("超100亿元企业 2家 / 需2家 ✓")
    expect(parts.nth(2)).to_contain_text("或 超50亿元企业 3家 / 需4家 ✗")
    expect(rows.nth(3).locator("td.met")).to_have_text("✓ 达标")
    expect(rows.nth(3).locator(".gap")).to_have_text("")
    expect(answer.locator(".eligibility .badge.overall-incomplete")).to_have_text("数据不全")
    expect(answer.locator(".eligibility")).to_contain_text("国科发火〔2013〕388号 附1")
    expect(answer.locator(".eligibility .badge.synthetic")).to_be_visible()
    expect(answer.locator(".answer-text")).to_contain_text("未达到：从业人员人均增加值")
    # no emoji: ✓ and ✗ are in every font
    assert not any(mark in answer.inner_text() for mark in ("✅", "❌", "❔"))


def test_draft_mode_sends_mode_draft_and_copies_the_letter(page, live_server) -> None:
    toggle = page.get_by_role("switch", name="起草回复函")
    toggle.check()
    ask(page, "企业来函询问外籍专家工作许可年龄，请起草回复")
    answer = last_answer(page)
    expect(answer.locator(".badge.draft")).to_have_text("回复函草稿")
    copy = answer.get_by_role("button", name="复制全文")
    expect(copy).to_be_visible()
    assert live_server.assistant.requests[-1]["mode"] == "draft"
    copy.click()
    expect(answer.locator(".copy-status")).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(DRAFT_TEXT.replace("**", ""))
    assert "[1] 《国务院关于促进国家高新技术产业开发区高质量发展的若干意见》（国发〔2020〕7号） 二、（五）" in copied
    # switched off again, the next question is an ordinary answer without a copy button
    toggle.uncheck()
    ask(page, "外籍专家63岁了还能办工作许可吗")
    expect(page.locator("article.turn.assistant")).to_have_count(2)
    expect(last_answer(page).locator(".chip")).to_have_count(2)
    assert live_server.assistant.requests[-1]["mode"] == "answer"
    expect(last_answer(page).get_by_role("button", name="复制全文")).to_have_count(0)


def test_feedback_is_stored_with_question_answer_and_citations(page, live_server) -> None:
    ask(page, "外籍专家63岁了还能办工作许可吗")
    answer = last_answer(page)
    answer.get_by_role("button", name="没帮助").click()
    expect(answer.get_by_role("button", name="没帮助")).to_have_attribute("aria-pressed", "true")
    answer.get_by_label("补充说明（可选）").fill("没有说明办理流程")
    answer.get_by_role("button", name="提交反馈").click()
    expect(answer.locator(".feedback-status")).to_have_text("已收到反馈，谢谢！")
    expect(answer.get_by_role("button", name="有帮助")).to_be_disabled()

    engine = make_engine(live_server.settings.store.resolved_url())
    try:
        records = list(FeedbackStore(engine).records())
        with engine.connect() as conn:
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            count = len(conn.execute(select(feedback_table)).all())
    finally:
        engine.dispose()
    assert journal == "wal"
    assert count == 1
    (record,) = records
    assert record.rating == "down"
    assert record.comment == "没有说明办理流程"
    assert record.question == "外籍专家63岁了还能办工作许可吗"
    assert "65岁[1]" in record.answer
    assert [c.section for c in record.citations] == ["二、（五）", "七、（二十一）"]
    assert record.conversation_id and record.conversation_id.startswith("conv-")
    # the rating survives a reload (the turn remembers it was sent)
    page.reload()
    expect(last_answer(page).locator(".feedback-status")).to_have_text("已收到反馈，谢谢！")


def test_conversation_survives_reload_and_new_conversation_clears_it(page, live_server) -> None:
    ask(page, "外籍专家63岁了还能办工作许可吗")
    expect(last_answer(page).locator(".chip")).to_have_count(2)
    first_id = live_server.assistant.requests[-1]["conversation_id"]
    assert first_id is None
    page.reload()
    page.wait_for_selector("body.ready")
    expect(page.locator("article.turn.user .bubble")).to_have_text("外籍专家63岁了还能办工作许可吗")
    expect(last_answer(page).locator(".chip")).to_have_count(2)
    expect(page.locator("#suggestions")).to_be_hidden()
    ask(page, "给示例园区 P01 打分")
    expect(last_answer(page).locator(".score-card")).to_be_visible()
    assert (live_server.assistant.requests[-1]["conversation_id"] or "").startswith("conv-")

    page.get_by_role("button", name="新对话").click()
    expect(page.locator("article.turn")).to_have_count(0)
    expect(page.locator("#suggestions")).to_be_visible()
    expect(page.get_by_label("您的问题")).to_be_focused()
    page.get_by_role("button", name="给示例园区 SYN-001 打分，并说明主要差距").click()
    expect(last_answer(page).locator(".score-card")).to_be_visible()
    assert live_server.assistant.requests[-1]["conversation_id"] is None


def test_english_toggle_translates_the_interface_and_is_remembered(page) -> None:
    page.get_by_role("button", name="Switch the interface to English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ParkBot policy assistant")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.get_by_label("Your question")).to_be_visible()
    page.reload()
    page.wait_for_selector("body.ready")
    expect(page.get_by_role("button", name="New conversation")).to_be_visible()
    ask_box = page.get_by_label("Your question")
    ask_box.fill("give P01 a score")
    ask_box.press("Enter")
    card = last_answer(page).locator(".score-card")
    expect(card.locator(".kpi-value.rank")).to_have_text("2 of 9")
    expect(card.locator(".primary-table tbody tr").first.locator(".score")).to_have_text("82.40 pts")
    expect(card.locator("details.tech-info summary")).to_have_text("Technical details")
    card.locator("details.indicator-fold summary").click()
    expect(card.locator(".indicator-table")).to_contain_text("41 per 10,000 staff")
    expect(card.locator(".indicator-table")).to_contain_text("25.6 10k yuan per person")
    shown = card.inner_text()
    chinese_interface = [w for w in ("中位数", "技术信息", "排名", "得分", " 分", "权重", "缺失", "未参与") if w in shown]
    assert not chinese_interface, f"Chinese interface words in the English card: {chinese_interface}"
    expect(card.locator(".badge.synthetic")).to_have_text("SYNTHETIC sample data")
    screenshot(page, "web-english.png")
    page.get_by_role("button", name="切换为中文界面").click()
    expect(card.locator(".kpi-value.rank")).to_have_text("第 2 / 9 名")


def test_phone_width_has_no_horizontal_scrolling_and_numbers_never_wrap(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.wait_for_selector("body.ready")
        ask(page, "给示例园区 P01 打分")
        card = last_answer(page).locator(".score-card")
        expect(card.locator(".primary-table")).to_be_visible()
        expect(card.locator("svg.radar")).to_be_hidden()  # the table above it has its numbers
        ask(page, "示例园区甲申报创新型特色园区的条件够吗")
        expect(last_answer(page).locator("table.elig-table")).to_be_visible()
        ask(page, "列出所有园区")
        listing = last_answer(page).locator("details.table-fold")
        expect(listing.locator("summary")).to_have_text("表格，共 12 行（点击展开/收起）")
        expect(listing).not_to_have_attribute("open", "")  # a long table starts folded on a phone
        listing.locator("summary").click()
        expect(listing.locator("tbody tr")).to_have_count(12)
        expect(listing.locator("td.num").first).to_be_visible()
        for answer in page.locator("article.turn.assistant").all():
            broken = answer.evaluate(BROKEN_NUMBERS)
            assert not broken, f"numbers broken over two lines: {broken}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width}px wide on a 375px phone"
        screenshot(page, "web-phone.png")
    finally:
        context.close()


def test_a_long_table_stays_open_on_a_desktop(page) -> None:
    ask(page, "列出所有园区")
    listing = last_answer(page).locator("details.table-fold")
    expect(listing).to_have_attribute("open", "")
    expect(listing.locator("tbody tr")).to_have_count(12)


def test_empty_question_and_refused_question_are_explained(page) -> None:
    page.get_by_role("button", name="发送").click()
    expect(page.locator("#composer-error")).to_have_text("请先输入问题。")
    expect(page.locator("article.turn")).to_have_count(0)

    ask(page, "BADINPUT 给 PX 打分")
    error = page.locator("article.turn.error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("请求有误：")
    expect(error).to_contain_text("无法识别的园区编号 'PX'")
    assert "Traceback" not in page.content()


def test_slow_server_times_out_with_a_message_and_retry(page) -> None:
    page.evaluate("document.body.dataset.timeoutMs = '800'")
    ask(page, "SLOW 外籍专家63岁了还能办工作许可吗")
    error = page.locator("article.turn.error")
    expect(error).to_contain_text("服务器长时间没有响应")
    page.evaluate("document.body.dataset.timeoutMs = '90000'")
    error.get_by_role("button", name="重试").click()
    expect(last_answer(page).locator(".chip")).to_have_count(2, timeout=10_000)
    expect(page.locator("article.turn.error")).to_have_count(0)


def test_server_down_shows_a_readable_error(browser, tmp_path) -> None:
    server = start_server(tmp_path)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.wait_for_selector("body.ready")
        server.stop()
        ask(page, "外籍专家63岁了还能办工作许可吗")
        error = page.locator("article.turn.error")
        expect(error).to_contain_text("无法连接 ParkBot 服务器")
        expect(error.get_by_role("button", name="重试")).to_be_visible()
        # the question is still on screen, and the page did not go blank
        expect(page.locator("article.turn.user")).to_contain_text("外籍专家63岁")
        expect(page.get_by_label("您的问题")).to_be_enabled()
        screenshot(page, "web-server-down.png")
        stored = json.loads(page.evaluate("localStorage.getItem('parkbot.conversation.v1')"))
        assert stored["turns"] == []
    finally:
        context.close()
        server.stop()


def test_keyboard_only_use(page) -> None:
    """Tab reaches the question box, Enter sends, Tab reaches the chips, Enter opens a passage."""
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Enter")
    expect(page.get_by_label("您的问题")).to_be_focused()
    page.keyboard.type("外籍专家63岁了还能办工作许可吗")
    page.keyboard.press("Enter")
    expect(last_answer(page).locator(".chip")).to_have_count(2)
    page.locator("#new-conversation").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chip')"):
            break
    assert page.evaluate("document.activeElement.dataset.n") == "1"
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()


def test_a_question_over_the_server_s_limit_is_stopped_naming_the_limit(browser, tmp_path) -> None:
    """The page knows limits.max_message_chars (the API's 413 names the same number)."""
    from bot.settings import get_settings

    settings = get_settings(store={"url": f"sqlite:///{tmp_path / 'p.db'}"}, limits={"max_message_chars": 50})
    server = start_server(tmp_path, settings=settings)
    context = browser.new_context(locale="zh-CN")
    try:
        pg = context.new_page()
        pg.goto(server.url + "/")
        pg.wait_for_selector("body.ready")
        ask(pg, "园" * 51)
        expect(pg.locator("#composer-error")).to_have_text("问题太长（最多 50 字），请精简后再发送。")
        assert server.assistant is not None and server.assistant.requests == []
        ask(pg, "园" * 50)
        expect(last_answer(pg).locator(".answer-body")).not_to_be_empty()
        assert len(server.assistant.requests) == 1
    finally:
        context.close()
        server.stop()
